/* SPDX-License-Identifier: MIT */
/*
 * Construction of the atomic objects: what their constructors accept, the
 * memory each one works on (allocated here, or handed over by the package
 * for shared memory and views), and the errors construction raises.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "classes.h"

static HPy type_error(HPyContext *ctx, HPy cls, const char *fmt,
                      const char *arg)
{
    char buf[200], name[100];
    atomics_type_name(ctx, cls, name, sizeof name);
    snprintf(buf, sizeof buf, fmt, name, arg);
    HPyErr_SetString(ctx, ctx->h_TypeError, buf);
    return HPy_NULL;
}

/* The width argument as a C value, or -1 with the documented error set. */
static int64_t parse_width(HPyContext *ctx, HPy width)
{
    int64_t value;
    if (!HPy_TypeCheck(ctx, width, ctx->h_LongType)) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "Keyword argument 'width' must have type 'int'.");
        return -1;
    }
    value = HPyLong_AsInt64_t(ctx, width);
    if (value == -1 && HPyErr_Occurred(ctx)) {
        /* huge: negative, too big for size_t, or merely unsupported */
        HPyErr_Clear(ctx);
        value = (int64_t)HPyLong_AsUInt64_t(ctx, width);
        if (HPyErr_Occurred(ctx)) {
            HPy zero = HPyLong_FromInt64_t(ctx, 0);
            int negative = HPy_RichCompareBool(ctx, width, zero, HPy_LT);
            HPy_Close(ctx, zero);
            HPyErr_Clear(ctx);
            HPyErr_SetString(ctx, negative ? ctx->h_ValueError
                                           : ctx->h_OverflowError,
                             negative ? "Negative width"
                                      : "Value would overflow size_t");
            return -1;
        }
        return INT64_MAX; /* fits size_t, but no atomic is that wide */
    }
    if (value < 0) {
        HPyErr_SetString(ctx, ctx->h_ValueError, "Negative width");
        return -1;
    }
    return value;
}

/* Fill the fields shared by both families; -1 (error set) if no op of the
 * object's kind exists for this width. */
static int setup_object(HPyContext *ctx, AtomicObject *self, HPy h_width,
                        int64_t width, int readonly,
                        const atomics_class_config_t *config, int is_signed,
                        int is_integral)
{
    self->ops = atomics_ops_for(width, readonly);
    self->kind = config->kind;
    self->is_signed = (uint8_t)(is_signed != 0);
    self->is_integral = (uint8_t)(is_integral != 0);
    self->readonly = (uint8_t)(readonly != 0);
    self->ops_mask = atomics_kind_ops_mask(self->ops, self->is_integral);
    if (self->ops_mask == 0)
        return atomics_raise_width_error(ctx, h_width, readonly);
    self->width = (int32_t)width;
    self->length = 1;
    self->codec = atomics_codec_for(self->kind, self->width, self->is_signed);
    return 0;
}

/* Where an empty array over an address-less empty buffer points. */
static _Alignas(ATOMICS_MAX_WIDTH) char empty_memory[ATOMICS_MAX_WIDTH];

/* Whether @p obj is an atomics._buffer.AtomicCore. */
static int is_core(HPyContext *ctx, HPy obj)
{
    HPy core_cls = HPyGlobal_Load(ctx, atomics_hooks[ATOMICS_HOOK_CORE]);
    int result = HPy_TypeCheck(ctx, obj, core_cls);
    HPy_Close(ctx, core_cls);
    return result;
}

/* Read attribute @p name of the core as an int (or bool); -1 on error. */
static int core_int(HPyContext *ctx, HPy core, const char *name,
                    uint64_t *out)
{
    HPy value = HPy_GetAttr_s(ctx, core, name);
    if (HPy_IsNull(value))
        return -1;
    *out = HPyLong_AsUInt64_t(ctx, value);
    HPy_Close(ctx, value);
    return (*out == (uint64_t)-1 && HPyErr_Occurred(ctx)) ? -1 : 0;
}

/* The memory an AtomicCore holds, for an object of @p size bytes: stores
 * its address in @p out and returns 0, or returns -1 with an error set (not
 * a core, released, wrong size, or misaligned for the width). */
static int core_memory(HPyContext *ctx, HPy core, uint64_t size,
                       int64_t width, uint64_t *readonly, uintptr_t *out)
{
    uint64_t address, nbytes, released;
    if (!is_core(ctx, core)) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "Positional argument 'core' must have type "
                         "'AtomicCore'.");
        return -1;
    }
    if (core_int(ctx, core, "address", &address) < 0 ||
        core_int(ctx, core, "width", &nbytes) < 0 ||
        core_int(ctx, core, "readonly", readonly) < 0 ||
        core_int(ctx, core, "released", &released) < 0)
        return -1;
    if (released) {
        HPyErr_SetString(ctx, ctx->h_ValueError,
                         "Operation forbidden on released AtomicCore object.");
        return -1;
    }
    /* The core checked alignment against the documented rules already;
     * this guards the hardware's requirement whatever the core says. (An
     * empty buffer may have no address at all: PyPy gives it 0; an empty
     * array never uses it.) */
    if (nbytes != size || address % (uint64_t)width != 0 ||
        (address == 0 && size != 0)) {
        HPyErr_SetString(ctx, ctx->h_ValueError,
                         "AtomicCore does not fit this object");
        return -1;
    }
    *out = (uintptr_t)address;
    return 0;
}

/* Atomic*(*, width[, is_signed][, is_integral]) and, for arrays,
 * AtomicArray*(*, length, width). The memory is allocated here, unless the
 * package passes an AtomicCore to live in (shared memory, or a buffer an
 * array context exported) as the one positional argument: not as a keyword,
 * since GraalPy 24.2 never frees the keyword values of a call to an HPy
 * type, and a core must not outlive its atomic. */
static HPy owned_new(HPyContext *ctx, HPy cls, const HPy *args,
                     HPy_ssize_t nargs, HPy kw, const atomics_class_config_t *config)
{
    /* the keywords this class takes: width, then what it leaves open */
    const char *names[4] = {"width", NULL, NULL, NULL};
    HPy values[4] = {HPy_NULL, HPy_NULL, HPy_NULL, HPy_NULL};
    HPy self = HPy_NULL, core = nargs == 1 ? args[0] : HPy_NULL;
    AtomicObject *data;
    int i, count = 1, next;
    int is_signed = config->is_signed, is_integral = config->is_integral;
    int64_t width, length = 1;
    uint64_t size, readonly = 0;
    uintptr_t external = 0;
    if (config->is_signed < 0)
        names[count++] = "is_signed";
    if (config->is_integral < 0)
        names[count++] = "is_integral";
    if (config->is_array)
        names[count++] = "length";
    if (nargs > 1 || (nargs == 1 && !is_core(ctx, core)))
        return type_error(ctx, cls, "%s() takes no positional arguments%s", "");
    if (atomics_new_kwargs(ctx, cls, args, nargs, kw, names, count,
                           values) < 0)
        return HPy_NULL;
    for (i = 0; i < count; ++i) {
        if (HPy_IsNull(values[i])) {
            type_error(ctx, cls,
                       "%s() missing required keyword-only argument: '%s'",
                       names[i]);
            goto done;
        }
    }
    width = parse_width(ctx, values[0]);
    if (width < 0)
        goto done;
    next = 1;
    if (is_signed < 0 && (is_signed = HPy_IsTrue(ctx, values[next++])) < 0)
        goto done;
    if (is_integral < 0 && (is_integral = HPy_IsTrue(ctx, values[next++])) < 0)
        goto done;
    if (config->is_array) {
        length = atomics_as_int64(ctx, values[next]);
        if (length == -1 && HPyErr_Occurred(ctx))
            goto done;
        if (length < 0) {
            HPyErr_SetString(ctx, ctx->h_ValueError, "Negative length");
            goto done;
        }
    }

    self = HPy_New(ctx, cls, &data);
    if (HPy_IsNull(self))
        goto done;
    if (setup_object(ctx, data, values[0], width, 0, config, is_signed,
                     is_integral) < 0)
        goto fail;
    if (length > (INT64_MAX - ATOMICS_MAX_WIDTH) / width) {
        HPyErr_SetString(ctx, ctx->h_OverflowError, "array too large");
        goto fail;
    }
    size = (uint64_t)(length * width);
    if (!HPy_IsNull(core)) {
        if (core_memory(ctx, core, size, width, &readonly, &external) < 0)
            goto fail;
        if (readonly) {
            /* a read-only core gets the read-only ops (or none) */
            if (setup_object(ctx, data, values[0], width, 1, config,
                             is_signed, is_integral) < 0)
                goto fail;
        }
        HPyField_Store(ctx, self, &data->owner, core);
        /* addr NULL means released: an empty buffer without an address
         * gets a stand-in, never read (the array has no elements) */
        data->addr = external ? (char *)external : empty_memory;
    } else {
        /* 16-aligned (cmpxchg16b needs it), rounded up to whole 16s, zeroed */
        size_t alloc = (size_t)(size + ATOMICS_MAX_WIDTH - 1) /
                       ATOMICS_MAX_WIDTH * ATOMICS_MAX_WIDTH;
        data->owned = aligned_alloc(ATOMICS_MAX_WIDTH,
                                    alloc ? alloc : ATOMICS_MAX_WIDTH);
        if (data->owned == NULL) {
            HPyErr_NoMemory(ctx);
            goto fail;
        }
        memset(data->owned, 0, alloc);
        data->addr = data->owned;
    }
    data->length = length;
    goto done;
fail:
    HPy_Close(ctx, self);
    self = HPy_NULL;
done:
    for (i = 0; i < count; ++i)
        if (!HPy_IsNull(values[i]))
            HPy_Close(ctx, values[i]);
    return self;
}

/* Atomic*View(core): a view of the memory an AtomicCore holds. */
static HPy view_new(HPyContext *ctx, HPy cls, const HPy *args,
                    HPy_ssize_t nargs, HPy kw, const atomics_class_config_t *config)
{
    HPy self, h_width;
    AtomicObject *data;
    uint64_t width, readonly, is_signed, is_integral;
    uintptr_t address;
    if (nargs != 1 || !HPy_IsNull(kw))
        return type_error(ctx, cls, "%s() takes exactly one positional "
                                    "argument (an AtomicCore)%s", "");
    /* the core says how wide it is and what it holds */
    if (!is_core(ctx, args[0]))
        width = 1; /* core_memory below raises the TypeError */
    else if (core_int(ctx, args[0], "width", &width) < 0 ||
             core_int(ctx, args[0], "is_signed", &is_signed) < 0 ||
             core_int(ctx, args[0], "is_integral", &is_integral) < 0)
        return HPy_NULL;
    if (core_memory(ctx, args[0], width,
                    width > 0 && width <= ATOMICS_MAX_WIDTH ? (int64_t)width
                                                            : 1,
                    &readonly, &address) < 0)
        return HPy_NULL;
    self = HPy_New(ctx, cls, &data);
    if (HPy_IsNull(self))
        return HPy_NULL;
    h_width = HPyLong_FromUInt64_t(ctx, width);
    if (HPy_IsNull(h_width) ||
        setup_object(ctx, data, h_width,
                     width > ATOMICS_MAX_WIDTH ? INT64_MAX : (int64_t)width,
                     readonly != 0, config,
                     config->is_signed < 0 ? (int)is_signed : config->is_signed,
                     config->is_integral < 0 ? (int)is_integral
                                             : config->is_integral) < 0) {
        if (!HPy_IsNull(h_width))
            HPy_Close(ctx, h_width);
        HPy_Close(ctx, self);
        return HPy_NULL;
    }
    HPy_Close(ctx, h_width);
    HPyField_Store(ctx, self, &data->owner, args[0]);
    data->addr = (char *)address;
    return self;
}

/* One constructor per class (ATOMICS_FOR_EACH_CLASS): its config, and a
 * tp_new that hands it to the family's constructor. */
#define CLASS_NEW(CLS, MODULE, FAMILY, KIND, SIGNED, INTEGRAL, ARRAY,       \
                  DOC)                                                      \
    HPyDef_SLOT(CLS##_new, HPy_tp_new)                                      \
    static HPy CLS##_new_impl(HPyContext *ctx, HPy cls, const HPy *args,    \
                              HPy_ssize_t nargs, HPy kw)                    \
    {                                                                       \
        static const atomics_class_config_t config =                        \
            ATOMICS_CLASS_CONFIG(KIND, SIGNED, INTEGRAL, ARRAY);            \
        return FAMILY##_new(ctx, cls, args, nargs, kw, &config);            \
    }
ATOMICS_FOR_EACH_CLASS(CLASS_NEW)
