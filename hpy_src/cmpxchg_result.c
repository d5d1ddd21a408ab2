/* SPDX-License-Identifier: MIT */
/*
 * `atomics.CmpxchgResult`, what cmpxchg returns: built in C so that a result
 * costs one allocation and no Python-level __init__.
 *
 * It is not subclassable: hpy 0.9 on CPython locates the struct of a
 * Python-level subclass's instance wrongly (in HPy_New, tp_traverse and
 * tp_destroy), so a subclass would corrupt memory. atomics/_results.py adds
 * what HPy 0.9 cannot express: `__class_getitem__` (for `CmpxchgResult[int]`)
 * and `__iter__` (no tp_iter slot).
 */

#include <string.h>

#include "atomic.h"

/*
 * A result made by a cmpxchg holds plain C data: whether it succeeded, and
 * the value held as native bytes with what it takes to box them (the
 * atomic's codec and shape). The attributes are boxed when first read, and
 * the boxed `expected` kept. A result made from Python, or an attribute
 * assigned, lives in the HPyFields, which take precedence. Filling two
 * fields at every call cost ~25 ns of a ~78 ns cmpxchg on CPython, and most
 * callers read only `success` (or the result's truth).
 */
typedef struct {
    HPyField success;   /* set from Python, else HPyField_NULL */
    HPyField expected;  /* set from Python or boxed on first read */
    atomics_value_t value;
    const atomics_codec_t *codec; /* NULL: made from Python */
    int32_t width;
    uint8_t is_signed;
    uint8_t kind;
    uint8_t ok;
} CmpxchgResultObject;

HPyType_HELPERS(CmpxchgResultObject)

static HPy result_init(HPyContext *ctx, HPy cls, HPy success, HPy expected)
{
    CmpxchgResultObject *data;
    HPy self = HPy_New(ctx, cls, &data);
    if (HPy_IsNull(self))
        return HPy_NULL;
    HPyField_Store(ctx, self, &data->success, success);
    HPyField_Store(ctx, self, &data->expected, expected);
    return self;
}

HPyGlobal atomics_cmpxchg_result_type;

HPy atomics_cmpxchg_result_new(HPyContext *ctx, const AtomicObject *atomic,
                               int success, const atomics_value_t *value)
{
    HPy cls = HPyGlobal_Load(ctx, atomics_cmpxchg_result_type);
    CmpxchgResultObject *data;
    HPy self = HPy_New(ctx, cls, &data);
    HPy_Close(ctx, cls);
    if (HPy_IsNull(self))
        return HPy_NULL;
    /* (HPy_New zeroed the struct: both fields are HPyField_NULL.) The
     * whole union is copied, bytes past the width too (never read): a
     * fixed-size copy is two moves, one of the atomic's width a call. */
    data->value = *value;
    data->codec = atomic->codec;
    data->width = atomic->width;
    data->is_signed = atomic->is_signed;
    data->kind = atomic->kind;
    data->ok = success != 0;
    return self;
}

/* The attribute @p field, or (a result made in C that was not assigned
 * one) NULL: the caller makes it from the C data. */
static HPy load_if_set(HPyContext *ctx, HPy self, HPyField field)
{
    return HPyField_IsNull(field) ? HPy_NULL
                                  : HPyField_Load(ctx, self, field);
}

static HPy get_success(HPyContext *ctx, HPy self)
{
    CmpxchgResultObject *data = CmpxchgResultObject_AsStruct(ctx, self);
    HPy set = load_if_set(ctx, self, data->success);
    return HPy_IsNull(set) ? HPyBool_FromBool(ctx, data->ok) : set;
}

static HPy get_expected(HPyContext *ctx, HPy self)
{
    CmpxchgResultObject *data = CmpxchgResultObject_AsStruct(ctx, self);
    HPy value = load_if_set(ctx, self, data->expected);
    AtomicObject shape;
    if (!HPy_IsNull(value))
        return value;
    /* the codecs read only the atomic's shape */
    memset(&shape, 0, sizeof shape);
    shape.width = data->width;
    shape.is_signed = data->is_signed;
    shape.kind = data->kind;
    value = data->codec->to_py(ctx, &shape, &data->value);
    if (!HPy_IsNull(value))
        HPyField_Store(ctx, self, &data->expected, value);
    return value;
}

/* CmpxchgResult(success, expected), by position or keyword. Only called from
 * Python (C uses atomics_cmpxchg_result_new). */
HPyDef_SLOT(CmpxchgResult_new, HPy_tp_new)
static HPy CmpxchgResult_new_impl(HPyContext *ctx, HPy cls, const HPy *args,
                                  HPy_ssize_t nargs, HPy kw)
{
    static const char *const names[2] = {"success", "expected"};
    HPy values[2], self = HPy_NULL;
    HPy_ssize_t i;
    if (nargs > 2) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "CmpxchgResult() takes 2 arguments");
        return HPy_NULL;
    }
    if (atomics_new_kwargs(ctx, cls, args, nargs, kw, names, 2,
                           values) < 0)
        return HPy_NULL;
    for (i = 0; i < nargs; ++i) {
        if (!HPy_IsNull(values[i])) {
            HPyErr_SetString(ctx, ctx->h_TypeError,
                             "CmpxchgResult() got multiple values for an "
                             "argument");
            goto done;
        }
        values[i] = HPy_Dup(ctx, args[i]);
    }
    if (HPy_IsNull(values[0]) || HPy_IsNull(values[1]))
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "CmpxchgResult() missing required argument "
                         "'success' or 'expected'");
    else
        self = result_init(ctx, cls, values[0], values[1]);
done:
    for (i = 0; i < 2; ++i)
        if (!HPy_IsNull(values[i]))
            HPy_Close(ctx, values[i]);
    return self;
}

HPyDef_SLOT(CmpxchgResult_traverse, HPy_tp_traverse)
static int CmpxchgResult_traverse_impl(void *self, HPyFunc_visitproc visit,
                                       void *arg)
{
    CmpxchgResultObject *data = (CmpxchgResultObject *)self;
    HPy_VISIT(&data->success);
    HPy_VISIT(&data->expected);
    return 0;
}

/* Both attributes are plain and writable, like a dataclass's fields. */
#define RESULT_FIELD(name, doc_text)                                        \
    HPyDef_GETSET(CmpxchgResult_##name, #name, .doc = doc_text)             \
    static HPy CmpxchgResult_##name##_get(HPyContext *ctx, HPy self,        \
                                          void *closure)                    \
    {                                                                       \
        (void)closure;                                                      \
        return get_##name(ctx, self);                                       \
    }                                                                       \
    static int CmpxchgResult_##name##_set(HPyContext *ctx, HPy self,        \
                                          HPy value, void *closure)         \
    {                                                                       \
        (void)closure;                                                      \
        if (HPy_IsNull(value)) {                                            \
            HPyErr_SetString(ctx, ctx->h_AttributeError,                    \
                             "cannot delete attribute '" #name "'");        \
            return -1;                                                      \
        }                                                                   \
        HPyField_Store(ctx, self,                                           \
                       &CmpxchgResultObject_AsStruct(ctx, self)->name,      \
                       value);                                              \
        return 0;                                                           \
    }

RESULT_FIELD(success, "Whether the exchange took place.")
RESULT_FIELD(expected, "The value the atomic held before the operation.")

HPyDef_SLOT(CmpxchgResult_repr, HPy_tp_repr)
static HPy CmpxchgResult_repr_impl(HPyContext *ctx, HPy self)
{
    HPy fields[2], text;
    fields[0] = get_success(ctx, self);
    fields[1] = get_expected(ctx, self);
    if (HPy_IsNull(fields[0]) || HPy_IsNull(fields[1])) {
        if (!HPy_IsNull(fields[0]))
            HPy_Close(ctx, fields[0]);
        if (!HPy_IsNull(fields[1]))
            HPy_Close(ctx, fields[1]);
        return HPy_NULL;
    }
    text = HPyUnicode_FromFormat(ctx, "CmpxchgResult(success=%R, expected=%R)",
                                 fields[0], fields[1]);
    HPy_Close(ctx, fields[0]);
    HPy_Close(ctx, fields[1]);
    return text;
}

HPyDef_SLOT(CmpxchgResult_bool, HPy_nb_bool)
static int CmpxchgResult_bool_impl(HPyContext *ctx, HPy self)
{
    CmpxchgResultObject *data = CmpxchgResultObject_AsStruct(ctx, self);
    HPy success = load_if_set(ctx, self, data->success);
    int result;
    if (HPy_IsNull(success))
        return data->ok;
    if (HPy_Is(ctx, success, ctx->h_True)) {
        result = 1;
    } else if (HPy_Is(ctx, success, ctx->h_False)) {
        result = 0;
    } else {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "CmpxchgResult.success must be a bool to test the "
                         "result's truth");
        result = -1;
    }
    HPy_Close(ctx, success);
    return result;
}

static HPyDef *cmpxchg_result_defines[] = {
    &CmpxchgResult_new,      &CmpxchgResult_traverse, &CmpxchgResult_success,
    &CmpxchgResult_expected, &CmpxchgResult_bool,     &CmpxchgResult_repr,
    NULL,
};

HPyType_Spec atomics_cmpxchg_result_spec = {
    .name = "atomics.CmpxchgResult",
    .basicsize = sizeof(CmpxchgResultObject),
    .builtin_shape = SHAPE(CmpxchgResultObject),
    /* Not a GC type: results are made on every cmpxchg, and GC tracking
     * would cost a third of the call. The fields are still released on
     * deallocation (through tp_traverse); only a reference cycle through a
     * result (never made by atomics itself) would not be collected. */
    .flags = HPy_TPFLAGS_DEFAULT,
    .defines = cmpxchg_result_defines,
    .doc = "CmpxchgResult(success, expected)\n--\n\n"
           "The outcome of a compare-exchange: `success` tells whether the "
           "value was replaced, `expected` is the value the atomic held (on "
           "failure, its current value). Both attributes are writable. "
           "bool(result) is result.success, and the result unpacks: "
           "`ok, value = a.cmpxchg_strong(expected=0, desired=1)`.",
};
