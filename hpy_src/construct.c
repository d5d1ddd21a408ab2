/* SPDX-License-Identifier: MIT */
/*
 * Construction of the atomic objects: the one constructor of every class
 * (classes.h), which checks all it is given, once, and raises every
 * documented construction error.
 *
 * A class takes as keywords what its row of classes.h leaves open: `width`
 * (a view's is the size of its memory instead), `is_signed`,
 * `is_integral`, and an array's `length`. Its memory is allocated here, or
 * handed over by the package as five positional arguments, plain values:
 *
 *   (core, address, nbytes, readonly, alias)
 *
 * the memory of a buffer that `core`, an atomics._buffer.AtomicCore, has
 * exported and keeps valid (for views, array views and shared atomics):
 * its address, size and writability, and where the same pages are mapped
 * a second time for the object to work on (`alias`; 0: at `address`).
 * They are positional, not keywords, because GraalPy 24.2 never frees the
 * keyword values of a call to an HPy type, and a core must not outlive its
 * atomic.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "classes.h"

/* How many positional arguments hand memory over. */
enum { MEMORY_ARGS = 5 };

/* Where an empty array over an address-less empty buffer points. */
static _Alignas(ATOMICS_MAX_WIDTH) char empty_memory[ATOMICS_MAX_WIDTH];

/* What a constructor call asks for. */
typedef struct {
    HPy h_width;        /* the width as given, for errors (a new handle) */
    int64_t width;      /* INT64_MAX: fits size_t, but no atomic is wider */
    int64_t length;     /* -1: an array as long as its memory */
    int is_signed, is_integral;
    HPy core;           /* HPy_NULL: allocate the memory here */
    uint64_t address, nbytes, alias;
    int readonly;
} request_t;

static int type_error(HPyContext *ctx, HPy cls, const char *fmt,
                      const char *arg)
{
    char buf[200], name[100];
    atomics_type_name(ctx, cls, name, sizeof name);
    snprintf(buf, sizeof buf, fmt, name, arg);
    HPyErr_SetString(ctx, ctx->h_TypeError, buf);
    return -1;
}

int64_t atomics_parse_width(HPyContext *ctx, HPy width, const char *argument)
{
    int64_t value;
    if (!HPy_TypeCheck(ctx, width, ctx->h_LongType)) {
        HPyErr_Format(ctx, ctx->h_TypeError,
                      "%s 'width' must have type 'int'.", argument);
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

/* Whether @p obj is an atomics._buffer.AtomicCore. */
static int is_core(HPyContext *ctx, HPy obj)
{
    HPy core_cls = HPyGlobal_Load(ctx, atomics_hooks[ATOMICS_HOOK_CORE]);
    int result = HPy_TypeCheck(ctx, obj, core_cls);
    HPy_Close(ctx, core_cls);
    return result;
}

static int as_uint64(HPyContext *ctx, HPy obj, uint64_t *out)
{
    *out = HPyLong_AsUInt64_t(ctx, obj);
    return *out == (uint64_t)-1 && HPyErr_Occurred(ctx) ? -1 : 0;
}

/* The positional arguments: none (owned classes), or the memory. */
static int parse_memory(HPyContext *ctx, HPy cls,
                        const atomics_class_config_t *config, const HPy *args,
                        HPy_ssize_t nargs, request_t *req)
{
    if (nargs == 0 && !config->is_view)
        return 0;
    if (nargs >= 1 && (config->is_view || nargs == MEMORY_ARGS) &&
        !is_core(ctx, args[0])) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "Positional argument 'core' must have type "
                         "'AtomicCore'.");
        return -1;
    }
    if (nargs != MEMORY_ARGS)
        return type_error(ctx, cls,
                          config->is_view
                              ? "%s() takes an AtomicCore's memory: (core, "
                                "address, nbytes, readonly, alias)%s"
                              : "%s() takes no positional arguments%s",
                          "");
    req->core = args[0];
    if (as_uint64(ctx, args[1], &req->address) < 0 ||
        as_uint64(ctx, args[2], &req->nbytes) < 0 ||
        (req->readonly = HPy_IsTrue(ctx, args[3])) < 0 ||
        as_uint64(ctx, args[4], &req->alias) < 0)
        return -1;
    return 0;
}

/* The keyword arguments: what the class leaves open. */
static int parse_keywords(HPyContext *ctx, HPy cls,
                          const atomics_class_config_t *config,
                          const HPy *args, HPy_ssize_t nargs, HPy kw,
                          request_t *req)
{
    const char *names[4];
    HPy values[4];
    int count = 0, next = 0, i, rc = -1;
    if (!config->is_view)
        names[count++] = "width";
    if (config->is_signed < 0)
        names[count++] = "is_signed";
    if (config->is_integral < 0)
        names[count++] = "is_integral";
    if (config->is_array)
        names[count++] = "length";
    if (atomics_new_kwargs(ctx, cls, args, nargs, kw, names, count,
                           values) < 0)
        return -1;
    for (i = 0; i < count; ++i) {
        /* (an array on memory may leave its length to the memory's size) */
        int optional = config->is_array && i == count - 1 &&
                       !HPy_IsNull(req->core);
        if (HPy_IsNull(values[i]) && !optional) {
            type_error(ctx, cls,
                       "%s() missing required keyword-only argument: '%s'",
                       names[i]);
            goto done;
        }
    }
    if (config->is_view) {
        req->h_width = HPyLong_FromUInt64_t(ctx, req->nbytes);
        if (HPy_IsNull(req->h_width))
            goto done;
        req->width = req->nbytes > INT64_MAX ? INT64_MAX
                                             : (int64_t)req->nbytes;
    } else {
        req->h_width = HPy_Dup(ctx, values[next++]);
        req->width = atomics_parse_width(ctx, req->h_width,
                                         "Keyword argument");
        if (req->width < 0)
            goto done;
    }
    req->is_signed = config->is_signed;
    if (req->is_signed < 0 &&
        (req->is_signed = HPy_IsTrue(ctx, values[next++])) < 0)
        goto done;
    req->is_integral = config->is_integral;
    if (req->is_integral < 0 &&
        (req->is_integral = HPy_IsTrue(ctx, values[next++])) < 0)
        goto done;
    req->length = config->is_array ? -1 : 1;
    if (config->is_array && !HPy_IsNull(values[next])) {
        req->length = atomics_as_int64(ctx, values[next]);
        if (req->length == -1 && HPyErr_Occurred(ctx))
            goto done;
        if (req->length < 0) {
            HPyErr_SetString(ctx, ctx->h_ValueError, "Negative length");
            goto done;
        }
    }
    rc = 0;
done:
    for (i = 0; i < count; ++i)
        if (!HPy_IsNull(values[i]))
            HPy_Close(ctx, values[i]);
    return rc;
}

/* Whether the memory handed over suits the request: as long as the object
 * (an array without a length takes all of it, a whole number of
 * elements), and aligned as the width needs. */
static int check_memory(HPyContext *ctx, request_t *req)
{
    uint64_t width = (uint64_t)req->width;
    if (req->length < 0) {
        if (req->nbytes % width != 0) {
            char buf[120];
            snprintf(buf, sizeof buf,
                     "buffer of %llu bytes does not hold a whole number of "
                     "%llu-byte atomics",
                     (unsigned long long)req->nbytes,
                     (unsigned long long)width);
            HPyErr_SetString(ctx, ctx->h_ValueError, buf);
            return -1;
        }
        req->length = (int64_t)(req->nbytes / width);
    } else if ((uint64_t)req->length != req->nbytes / width ||
               req->nbytes % width != 0 ||
               (req->address == 0 && req->nbytes != 0)) {
        /* only the package hands memory over: this is its mistake (an
         * empty buffer may have no address: PyPy gives it 0) */
        HPyErr_SetString(ctx, ctx->h_ValueError,
                         "AtomicCore does not fit this object");
        return -1;
    }
    /* An empty buffer holds no atomic to misalign (CPython 3.13+ exports an
     * empty bytearray at an odd address). */
    if (req->nbytes != 0 &&
        req->address % atomics_alignment_for(req->width)->recommended != 0)
        return atomics_raise_alignment_error(ctx, req->width, req->address);
    return 0;
}

/* Memory of @p size bytes for an owned object: 16-aligned (cmpxchg16b
 * needs it), rounded up to whole 16s, zeroed. */
static void *allocate(HPyContext *ctx, uint64_t size)
{
    size_t alloc = (size_t)(size + ATOMICS_MAX_WIDTH - 1) /
                   ATOMICS_MAX_WIDTH * ATOMICS_MAX_WIDTH;
    void *memory = aligned_alloc(ATOMICS_MAX_WIDTH,
                                 alloc ? alloc : ATOMICS_MAX_WIDTH);
    if (memory == NULL)
        HPyErr_NoMemory(ctx);
    else
        memset(memory, 0, alloc);
    return memory;
}

/* Every class's constructor. All that can fail is checked before the
 * object is made (GraalPy 24.2 keeps memory for every object made from an
 * HPy type, even one that fails construction). */
static HPy atomic_new(HPyContext *ctx, HPy cls, const HPy *args,
                      HPy_ssize_t nargs, HPy kw,
                      const atomics_class_config_t *config)
{
    request_t req = {.h_width = HPy_NULL, .length = 1, .core = HPy_NULL};
    const patomic_ops_t *ops;
    uint32_t ops_mask;
    void *owned = NULL;
    HPy self = HPy_NULL;
    AtomicObject *data;
    if (parse_memory(ctx, cls, config, args, nargs, &req) < 0 ||
        parse_keywords(ctx, cls, config, args, nargs, kw, &req) < 0)
        goto done;
    ops = atomics_ops_for(req.width, req.readonly);
    ops_mask = atomics_kind_ops_mask(ops, req.is_integral);
    if (ops_mask == 0) {
        atomics_raise_width_error(ctx, req.h_width, req.readonly);
        goto done;
    }
    if (!HPy_IsNull(req.core)) {
        if (check_memory(ctx, &req) < 0)
            goto done;
    } else if (req.length > (INT64_MAX - ATOMICS_MAX_WIDTH) / req.width) {
        HPyErr_SetString(ctx, ctx->h_OverflowError, "array too large");
        goto done;
    } else if ((owned = allocate(ctx, (uint64_t)(req.length * req.width))) ==
               NULL) {
        goto done;
    }
    self = HPy_New(ctx, cls, &data);
    if (HPy_IsNull(self)) {
        free(owned);
        goto done;
    }
    data->ops = ops;
    data->ops_mask = ops_mask;
    data->kind = config->kind;
    data->is_signed = (uint8_t)(req.is_signed != 0);
    data->is_integral = (uint8_t)(req.is_integral != 0);
    data->readonly = (uint8_t)(req.readonly != 0);
    data->width = (int32_t)req.width;
    data->length = req.length;
    data->codec = atomics_codec_for(data->kind, data->width, data->is_signed);
    data->native =
        (uint8_t)atomics_native_for(data->kind, data->is_signed, ops);
    data->owned = owned;
    if (owned != NULL) {
        data->addr = owned;
    } else {
        uint64_t at = req.alias ? req.alias : req.address;
        HPyField_Store(ctx, self, &data->owner, req.core);
        /* addr NULL means released: an empty buffer without an address
         * gets a stand-in, never read (the array has no elements) */
        data->addr = at ? (char *)(uintptr_t)at : empty_memory;
    }
done:
    if (!HPy_IsNull(req.h_width))
        HPy_Close(ctx, req.h_width);
    return self;
}

/* A tp_new per class (classes.h) with what the class fixes. */
#define CLASS_NEW(CLS, MODULE, KIND, SIGNED, INTEGRAL, ARRAY, VIEW, DOC)    \
    HPyDef_SLOT(CLS##_new, HPy_tp_new)                                      \
    static HPy CLS##_new_impl(HPyContext *ctx, HPy cls, const HPy *args,    \
                              HPy_ssize_t nargs, HPy kw)                    \
    {                                                                       \
        static const atomics_class_config_t config =                        \
            ATOMICS_CLASS_CONFIG(KIND, SIGNED, INTEGRAL, ARRAY, VIEW);      \
        if (atomics_away())                                                 \
            return HPy_NULL;                                                \
        return atomic_new(ctx, cls, args, nargs, kw, &config);              \
    }
ATOMICS_FOR_EACH_CLASS(CLASS_NEW)
