/* SPDX-License-Identifier: MIT */
/*
 * The atomic classes: one C struct (AtomicObject) behind two families.
 *
 *   Atomic ............ owns aligned memory allocated here  (atomics.base)
 *   AtomicView ........ works on a buffer export held by an AtomicCore
 *                       (atomics.view)
 *
 * Each family is Root -> Integral -> Int/Uint and Root -> Bytes. The classes
 * are created when the package asks (`make_type`), because their bases
 * include Python classes: the type tags (ANY, INT, ...) and a mixin with the
 * Python-level conveniences. Those bases have no instance layout, so every
 * class has exactly one struct-defining ancestor and multiple inheritance
 * stays simple on every interpreter.
 *
 * Each class has its own constructor, fixing what the class implies (kind,
 * signedness); the ops live in the Integral and Bytes classes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"

/* ---- ops tables ------------------------------------------------------- */

/* [log2(width)][readonly]: built once at import, read-only afterwards. */
static patomic_ops_t ops_tables[5][2];

void atomics_init_ops_tables(void)
{
    int i;
    for (i = 0; i < 5; ++i) {
        ops_tables[i][0] = patomic_create_ops((size_t)1 << i,
                                              patomic_OPTION_NONE);
        ops_tables[i][1] = patomic_create_ops((size_t)1 << i,
                                              patomic_OPTION_READONLY);
    }
}

const patomic_ops_t *atomics_ops_for(int64_t width, int readonly)
{
    int i;
    for (i = 0; i < 5; ++i)
        if (width == (int64_t)1 << i)
            return &ops_tables[i][readonly != 0];
    return NULL;
}

/* Ops an object of this kind offers: BYTES (and plain ANY) stop at
 * FETCH_NOT; the arithmetic ops are for integral objects. */
static uint32_t kind_ops_mask(const patomic_ops_t *ops, int is_integral)
{
    const uint32_t non_arithmetic = ((uint32_t)1 << (patomic_op_fetch_not + 1)) - 1;
    uint32_t mask = ops ? patomic_ops_mask(ops) : 0;
    return is_integral ? mask : mask & non_arithmetic;
}

int atomics_check_live(HPyContext *ctx, const AtomicObject *self)
{
    if (self->addr != NULL)
        return 1;
    HPyErr_SetString(ctx, ctx->h_ValueError,
                     "Operation forbidden on released AtomicCore object.");
    return 0;
}

/* ---- construction ----------------------------------------------------- */

/** What a class fixes about its instances; -1 means "from the arguments". */
typedef struct {
    uint8_t kind;
    int8_t is_signed;
    int8_t is_integral;
    uint8_t is_array; /* takes `length` and has elements */
} class_config_t;

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
                        const class_config_t *config, int is_signed,
                        int is_integral)
{
    self->ops = atomics_ops_for(width, readonly);
    self->kind = config->kind;
    self->is_signed = (uint8_t)(is_signed != 0);
    self->is_integral = (uint8_t)(is_integral != 0);
    self->readonly = (uint8_t)(readonly != 0);
    self->ops_mask = kind_ops_mask(self->ops, self->is_integral);
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
     * empty buffer may have no address at all, PyPy gives it 0, or an odd
     * one, as CPython 3.13's empty bytearray: an empty array never uses it.) */
    if (nbytes != size ||
        (size != 0 && (address == 0 || address % (uint64_t)width != 0))) {
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
                     HPy_ssize_t nargs, HPy kw, const class_config_t *config)
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
                    HPy_ssize_t nargs, HPy kw, const class_config_t *config)
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

/* One constructor per class:
 * CLASS_NEW(class, family, kind, signed, integral, array) */
#define CLASS_NEW(CLS, FAMILY, KIND, SIGNED, INTEGRAL, ARRAY)               \
    HPyDef_SLOT(CLS##_new, HPy_tp_new)                                      \
    static HPy CLS##_new_impl(HPyContext *ctx, HPy cls, const HPy *args,    \
                              HPy_ssize_t nargs, HPy kw)                    \
    {                                                                       \
        static const class_config_t config = {KIND, SIGNED, INTEGRAL,       \
                                              ARRAY};                       \
        if (atomics_away())                                                 \
            return HPy_NULL;                                                \
        return FAMILY##_new(ctx, cls, args, nargs, kw, &config);            \
    }

#define ANY ATOMICS_KIND_ANY
#define INTEGRAL ATOMICS_KIND_INTEGRAL
#define BYTES ATOMICS_KIND_BYTES
/*        class               family kind      signed integral array */
CLASS_NEW(Atomic,             owned, ANY,      -1,    -1,      0)
CLASS_NEW(AtomicIntegral,     owned, INTEGRAL, -1,     1,      0)
CLASS_NEW(AtomicBytes,        owned, BYTES,     0,     0,      0)
CLASS_NEW(AtomicInt,          owned, INTEGRAL,  1,     1,      0)
CLASS_NEW(AtomicUint,         owned, INTEGRAL,  0,     1,      0)
CLASS_NEW(AtomicView,         view,  ANY,      -1,    -1,      0)
CLASS_NEW(AtomicIntegralView, view,  INTEGRAL, -1,     1,      0)
CLASS_NEW(AtomicBytesView,    view,  BYTES,     0,     0,      0)
CLASS_NEW(AtomicIntView,      view,  INTEGRAL,  1,     1,      0)
CLASS_NEW(AtomicUintView,     view,  INTEGRAL,  0,     1,      0)
CLASS_NEW(AtomicArray,        owned, ANY,      -1,    -1,      1)
CLASS_NEW(AtomicIntArray,     owned, INTEGRAL,  1,     1,      1)
CLASS_NEW(AtomicUintArray,    owned, INTEGRAL,  0,     1,      1)
CLASS_NEW(AtomicBytesArray,   owned, BYTES,     0,     0,      1)
#undef ANY
#undef INTEGRAL
#undef BYTES

/* ---- lifetime --------------------------------------------------------- */

HPyDef_SLOT(Atomic_traverse, HPy_tp_traverse)
static int Atomic_traverse_impl(void *self, HPyFunc_visitproc visit, void *arg)
{
    HPy_VISIT(&((AtomicObject *)self)->owner);
    return 0;
}

HPyDef_SLOT(Atomic_destroy, HPy_tp_destroy)
static void Atomic_destroy_impl(void *self)
{
    /* free(NULL) on a second call: see LIFETIME_DEFINES */
    AtomicObject *data = self;
    free(data->owned);
    data->owned = NULL;
    data->addr = NULL;
}

/* ---- properties ------------------------------------------------------- */

/* The properties are Python properties (atomics/_classes.py) over this one
 * method: PyPy 7.3.19 loses an exception raised by an HPy getter (the
 * property reads as None), and a released view's properties must raise. */
HPyDef_METH(Atomic_properties, "_properties", HPyFunc_NOARGS,
            .doc = "_properties($self)\n--\n\n"
                   "(width, readonly, signed, ops mask); ValueError once "
                   "released.")
static HPy Atomic_properties_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self;
    HPy items[4];
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    if (!atomics_check_live(ctx, self))
        return HPy_NULL;
    items[0] = HPyLong_FromInt32_t(ctx, self->width);
    items[1] = HPyBool_FromBool(ctx, self->readonly != 0);
    items[2] = HPyBool_FromBool(ctx, self->is_signed != 0);
    items[3] = HPyLong_FromUInt32_t(ctx, self->ops_mask);
    return atomics_tuple_steal(ctx, items, 4);
}

HPyDef_METH(Atomic_owner, "_owner", HPyFunc_NOARGS,
            .doc = "_owner($self)\n--\n\n"
                   "The AtomicCore this object's memory belongs to, or None "
                   "(its own memory).")
static HPy Atomic_owner_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    if (self->owned != NULL)
        return HPy_Dup(ctx, ctx->h_None);
    return HPyField_Load(ctx, h_self, self->owner);
}

/* ---- the classes ------------------------------------------------------ */

#define SCALAR_DEF(name) &Atomic_##name,
#define ARRAY_DEF(name) &Array_##name,

/* Every class lists its GC traversal and its destroy itself: PyPy 7.3.19
 * inherits neither from an HPy base (it would never free an owned atomic's
 * memory). CPython's HPy runs the destroy of every class in the MRO, so
 * destroy must be idempotent.
 *
 * Every concrete class lists its operations itself too, instead of
 * inheriting them: CPython 3.11 specializes a method call only when the
 * object's type is exactly the type that defines the method, and the
 * unspecialized call costs as much as the atomic operation. */
#define LIFETIME_DEFINES &Atomic_traverse, &Atomic_destroy,

/* Every class states the struct size: PyPy does not inherit it from an HPy
 * base, and would allocate no struct for a subclass that says 0. */
#define CLASS_SPEC(CLS, MODULE, DOC, ...)                                   \
    static HPyDef *CLS##_defines[] = {                                      \
        &CLS##_new, LIFETIME_DEFINES __VA_ARGS__ NULL};                     \
    static HPyType_Spec CLS##_spec = {                                      \
        .name = MODULE "." #CLS,                                            \
        .basicsize = (int)sizeof(AtomicObject),                             \
        .builtin_shape = SHAPE(AtomicObject),                               \
        .flags = HPy_TPFLAGS_DEFAULT | HPy_TPFLAGS_HAVE_GC |                \
                 HPy_TPFLAGS_BASETYPE,                                      \
        .defines = CLS##_defines,                                           \
        .doc = DOC,                                                         \
    };

#define ROOT_DEFINES &Atomic_properties, &Atomic_owner,
#define INTEGRAL_DEFINES                                                    \
    ATOMICS_INTEGRAL_OPS(SCALAR_DEF) &Atomic_int, &Atomic_away,             \
    &Atomic_wait_slice,                                                     \
    &Atomic_notify_one, &Atomic_notify_all,
#define BYTES_DEFINES                                                       \
    ATOMICS_BYTES_OPS(SCALAR_DEF) &Atomic_bytes, &Atomic_wait_slice,        \
    &Atomic_notify_one, &Atomic_notify_all,
#define ARRAY_WAIT_DEFINES                                                  \
    &Array_len, &Array_wait_slice, &Array_notify_one, &Array_notify_all,
#define INTEGRAL_ARRAY_DEFINES                                              \
    ATOMICS_INTEGRAL_OPS(ARRAY_DEF) &Array_away, ARRAY_WAIT_DEFINES
#define BYTES_ARRAY_DEFINES ATOMICS_BYTES_OPS(ARRAY_DEF) ARRAY_WAIT_DEFINES

CLASS_SPEC(Atomic, "atomics.base",
           "Atomic(*, width, is_integral, is_signed)\n--\n\n"
           "An atomic object with its own memory, exposing no operations "
           "(only properties).", ROOT_DEFINES)
CLASS_SPEC(AtomicIntegral, "atomics.base",
           "AtomicIntegral(*, width, is_signed)\n--\n\n"
           "An atomic integer with its own memory.", INTEGRAL_DEFINES)
CLASS_SPEC(AtomicBytes, "atomics.base",
           "AtomicBytes(*, width)\n--\n\n"
           "Atomic bytes with their own memory.", BYTES_DEFINES)
CLASS_SPEC(AtomicInt, "atomics.base",
           "AtomicInt(*, width)\n--\n\n"
           "An atomic signed integer with its own memory.", INTEGRAL_DEFINES)
CLASS_SPEC(AtomicUint, "atomics.base",
           "AtomicUint(*, width)\n--\n\n"
           "An atomic unsigned integer with its own memory.",
           INTEGRAL_DEFINES)
CLASS_SPEC(AtomicView, "atomics.view",
           "AtomicView(core)\n--\n\n"
           "An atomic view of a buffer, exposing no operations. Obtained "
           "from an AtomicViewContext.", ROOT_DEFINES)
CLASS_SPEC(AtomicIntegralView, "atomics.view",
           "AtomicIntegralView(core)\n--\n\n"
           "An atomic integer view of a buffer.", INTEGRAL_DEFINES)
CLASS_SPEC(AtomicBytesView, "atomics.view",
           "AtomicBytesView(core)\n--\n\n"
           "An atomic bytes view of a buffer.", BYTES_DEFINES)
CLASS_SPEC(AtomicIntView, "atomics.view",
           "AtomicIntView(core)\n--\n\n"
           "An atomic signed integer view of a buffer.", INTEGRAL_DEFINES)
CLASS_SPEC(AtomicUintView, "atomics.view",
           "AtomicUintView(core)\n--\n\n"
           "An atomic unsigned integer view of a buffer.", INTEGRAL_DEFINES)
CLASS_SPEC(AtomicArray, "atomics.array",
           "AtomicArray(*, length, width, is_integral, is_signed)\n--\n\n"
           "An array of atomics, exposing no operations.",
           ROOT_DEFINES &Array_len,)
CLASS_SPEC(AtomicIntArray, "atomics.array",
           "AtomicIntArray(*, length, width)\n--\n\n"
           "An array of atomic signed integers: every operation takes the "
           "element's index first.", INTEGRAL_ARRAY_DEFINES)
CLASS_SPEC(AtomicUintArray, "atomics.array",
           "AtomicUintArray(*, length, width)\n--\n\n"
           "An array of atomic unsigned integers: every operation takes the "
           "element's index first.", INTEGRAL_ARRAY_DEFINES)
CLASS_SPEC(AtomicBytesArray, "atomics.array",
           "AtomicBytesArray(*, length, width)\n--\n\n"
           "An array of atomic bytes: every operation takes the element's "
           "index first.", BYTES_ARRAY_DEFINES)

static HPyType_Spec *const class_specs[] = {
    &Atomic_spec,        &AtomicIntegral_spec,     &AtomicBytes_spec,
    &AtomicInt_spec,     &AtomicUint_spec,         &AtomicView_spec,
    &AtomicIntegralView_spec, &AtomicBytesView_spec, &AtomicIntView_spec,
    &AtomicUintView_spec, &AtomicArray_spec,       &AtomicIntArray_spec,
    &AtomicUintArray_spec, &AtomicBytesArray_spec,
};

/* The roots of the classes whose objects can be released (views, arrays),
 * kept to check what `release_view` is given. */
HPyGlobal atomics_view_root;
HPyGlobal atomics_array_root;

HPyDef_METH(atomics_make_type, "make_type", HPyFunc_VARARGS,
            .doc = "make_type(qualified_name, bases)\n--\n\n"
                   "Create one of the atomic classes (internal).")
static HPy atomics_make_type_impl(HPyContext *ctx, HPy module,
                                  const HPy *args, size_t nargs)
{
    const char *name;
    size_t i;
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    if (nargs != 2) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "make_type() takes exactly 2 arguments");
        return HPy_NULL;
    }
    name = HPyUnicode_AsUTF8AndSize(ctx, args[0], NULL);
    if (name == NULL)
        return HPy_NULL;
    for (i = 0; i < sizeof class_specs / sizeof class_specs[0]; ++i) {
        if (strcmp(name, class_specs[i]->name) == 0) {
            HPyType_SpecParam spec_params[] = {
                {HPyType_SpecParam_BasesTuple, args[1]},
                {(HPyType_SpecParam_Kind)0, HPy_NULL},
            };
            HPy type = HPyType_FromSpec(ctx, class_specs[i], spec_params);
            if (!HPy_IsNull(type) && class_specs[i] == &AtomicView_spec)
                HPyGlobal_Store(ctx, &atomics_view_root, type);
            if (!HPy_IsNull(type) && class_specs[i] == &AtomicArray_spec)
                HPyGlobal_Store(ctx, &atomics_array_root, type);
            return type;
        }
    }
    HPyErr_SetString(ctx, ctx->h_ValueError, "unknown atomic class");
    return HPy_NULL;
}

HPyDef_METH(atomics_release_view, "release_view", HPyFunc_O,
            .doc = "release_view(view)\n--\n\n"
                   "Detach a view from its memory; every later use raises "
                   "ValueError (internal).")
static HPy atomics_release_view_impl(HPyContext *ctx, HPy module, HPy view)
{
    HPy view_root;
    HPy array_root;
    int is_view;
    AtomicObject *data;
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    view_root = HPyGlobal_Load(ctx, atomics_view_root);
    array_root = HPyGlobal_Load(ctx, atomics_array_root);
    is_view = (!HPy_Is(ctx, view_root, ctx->h_None) &&
               HPy_TypeCheck(ctx, view, view_root)) ||
              (!HPy_Is(ctx, array_root, ctx->h_None) &&
               HPy_TypeCheck(ctx, view, array_root));
    HPy_Close(ctx, view_root);
    HPy_Close(ctx, array_root);
    if (!is_view) {
        HPyErr_SetString(ctx, ctx->h_TypeError, "release_view() needs a view");
        return HPy_NULL;
    }
    data = AtomicObject_AsStruct(ctx, view);
    data->addr = NULL; /* the owner (already released) goes with the view */
    return HPy_Dup(ctx, ctx->h_None);
}
