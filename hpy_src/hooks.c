/* SPDX-License-Identifier: MIT */
/*
 * Python objects the C code needs, registered once by the `atomics` package
 * at import: the MemoryOrder and AtomicCore classes (to recognise their
 * instances), and small factories that build the package's exceptions.
 * Building exceptions in Python keeps their messages and attributes in one
 * place (atomics/exc.py); only error paths use them.
 */

#include <stdio.h>
#include <string.h>

#include "atomic.h"

HPyGlobal atomics_hooks[ATOMICS_HOOK_COUNT];

static const char *const hook_names[ATOMICS_HOOK_COUNT] = {
    [ATOMICS_HOOK_MEMORY_ORDER] = "MemoryOrder",
    [ATOMICS_HOOK_CORE] = "AtomicCore",
    [ATOMICS_HOOK_ORDER_ERROR] = "order_error",
    [ATOMICS_HOOK_WIDTH_ERROR] = "width_error",
    [ATOMICS_HOOK_ALIGNMENT_ERROR] = "alignment_error",
    [ATOMICS_HOOK_OP_ERROR] = "op_error",
    [ATOMICS_HOOK_OPERAND_TYPE_ERROR] = "OperandTypeError",
};

HPyDef_METH(atomics_register_hook, "register_hook", HPyFunc_VARARGS,
            .doc = "register_hook(name, obj)\n--\n\n"
                   "Give the extension a Python object it needs (internal).")
static HPy atomics_register_hook_impl(HPyContext *ctx, HPy module,
                                      const HPy *args, size_t nargs)
{
    const char *name;
    int i;
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    if (nargs != 2) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "register_hook() takes exactly 2 arguments");
        return HPy_NULL;
    }
    name = HPyUnicode_AsUTF8AndSize(ctx, args[0], NULL);
    if (name == NULL)
        return HPy_NULL;
    for (i = 0; i < ATOMICS_HOOK_COUNT; ++i) {
        if (strcmp(name, hook_names[i]) == 0) {
            HPyGlobal_Store(ctx, &atomics_hooks[i], args[1]);
            return HPy_Dup(ctx, ctx->h_None);
        }
    }
    HPyErr_SetString(ctx, ctx->h_ValueError, "unknown hook name");
    return HPy_NULL;
}

/* HPy_Call / HPy_CallMethod crash PyPy 7.3.19 (an invalid handle reaches
 * its HPy layer); the older tuple-based call works everywhere. */
HPy atomics_call(HPyContext *ctx, HPy callable, const HPy *args, size_t nargs)
{
    HPy tuple = HPyTuple_FromArray(ctx, (HPy *)args, (HPy_ssize_t)nargs);
    HPy result;
    if (HPy_IsNull(tuple))
        return HPy_NULL;
    result = HPy_CallTupleDict(ctx, callable, tuple, HPy_NULL);
    HPy_Close(ctx, tuple);
    return result;
}

HPy atomics_tuple_steal(HPyContext *ctx, HPy *items, int count)
{
    HPy tuple = HPy_NULL;
    int i, complete = 1;
    for (i = 0; i < count; ++i)
        complete &= !HPy_IsNull(items[i]);
    if (complete)
        tuple = HPyTuple_FromArray(ctx, items, count);
    for (i = 0; i < count; ++i)
        if (!HPy_IsNull(items[i]))
            HPy_Close(ctx, items[i]);
    return tuple;
}

HPy atomics_call_method(HPyContext *ctx, HPy obj, const char *name)
{
    HPy method = HPy_GetAttr_s(ctx, obj, name);
    HPy result;
    if (HPy_IsNull(method))
        return HPy_NULL;
    result = atomics_call(ctx, method, NULL, 0);
    HPy_Close(ctx, method);
    return result;
}

int atomics_raise_hook(HPyContext *ctx, atomics_hook_t hook, const HPy *args,
                       size_t nargs)
{
    HPy factory = HPyGlobal_Load(ctx, atomics_hooks[hook]);
    HPy exc, exc_type;
    if (HPy_Is(ctx, factory, ctx->h_None)) {
        HPy_Close(ctx, factory);
        HPyErr_SetString(ctx, ctx->h_RuntimeError,
                         "atomics._native used before atomics registered "
                         "its hooks");
        return -1;
    }
    exc = atomics_call(ctx, factory, args, nargs);
    HPy_Close(ctx, factory);
    if (HPy_IsNull(exc))
        return -1; /* the factory's own error stands */
    exc_type = HPy_Type(ctx, exc);
    HPyErr_SetObject(ctx, exc_type, exc);
    HPy_Close(ctx, exc_type);
    HPy_Close(ctx, exc);
    return -1;
}

/* Build the hook's arguments from C ints, call it, and close them again. */
static int raise_with_ints(HPyContext *ctx, atomics_hook_t hook,
                           const long long *values, size_t count)
{
    HPy args[3];
    size_t i;
    int rc;
    for (i = 0; i < count; ++i) {
        args[i] = HPyLong_FromInt64_t(ctx, values[i]);
        if (HPy_IsNull(args[i])) {
            while (i--)
                HPy_Close(ctx, args[i]);
            return -1;
        }
    }
    rc = atomics_raise_hook(ctx, hook, args, count);
    for (i = 0; i < count; ++i)
        HPy_Close(ctx, args[i]);
    return rc;
}

int atomics_raise_order_error(HPyContext *ctx, int op, int order, int is_fail)
{
    const long long values[3] = {op, order, is_fail};
    return raise_with_ints(ctx, ATOMICS_HOOK_ORDER_ERROR, values, 3);
}

int atomics_raise_op_error(HPyContext *ctx, int op, const AtomicObject *self)
{
    const long long values[3] = {op, self->width, self->readonly};
    return raise_with_ints(ctx, ATOMICS_HOOK_OP_ERROR, values, 3);
}

int atomics_raise_alignment_error(HPyContext *ctx, int64_t width,
                                  uint64_t address)
{
    HPy args[2];
    int rc;
    args[0] = HPyLong_FromInt64_t(ctx, width);
    args[1] = HPyLong_FromUInt64_t(ctx, address);
    rc = HPy_IsNull(args[0]) || HPy_IsNull(args[1])
             ? -1
             : atomics_raise_hook(ctx, ATOMICS_HOOK_ALIGNMENT_ERROR, args, 2);
    if (!HPy_IsNull(args[0]))
        HPy_Close(ctx, args[0]);
    if (!HPy_IsNull(args[1]))
        HPy_Close(ctx, args[1]);
    return rc;
}

int atomics_raise_width_error(HPyContext *ctx, HPy width, int readonly)
{
    HPy args[2];
    int rc;
    args[0] = width;
    args[1] = HPyBool_FromBool(ctx, readonly != 0);
    rc = atomics_raise_hook(ctx, ATOMICS_HOOK_WIDTH_ERROR, args, 2);
    HPy_Close(ctx, args[1]);
    return rc;
}

/* HPyType_GetName crashes on PyPy 7.3.19 for some types (ours among them),
 * so names come from `__name__`. Only error paths need them. */
void atomics_type_name(HPyContext *ctx, HPy type, char *buf, size_t size)
{
    HPy name = HPy_GetAttr_s(ctx, type, "__name__");
    const char *utf8 = HPy_IsNull(name)
                           ? NULL
                           : HPyUnicode_AsUTF8AndSize(ctx, name, NULL);
    snprintf(buf, size, "%s", utf8 ? utf8 : "?");
    if (HPy_IsNull(name) || utf8 == NULL)
        HPyErr_Clear(ctx);
    if (!HPy_IsNull(name))
        HPy_Close(ctx, name);
}

int atomics_raise_operand_type(HPyContext *ctx, HPy obj, const char *what)
{
    HPy cls = HPyGlobal_Load(ctx, atomics_hooks[ATOMICS_HOOK_OPERAND_TYPE_ERROR]);
    HPy type = HPy_Type(ctx, obj);
    HPy msg = HPy_NULL;
    char buf[256], type_name[100];
    atomics_type_name(ctx, type, type_name, sizeof type_name);
    snprintf(buf, sizeof buf, "'%s' object cannot be used as %s", type_name,
             what);
    msg = HPyUnicode_FromString(ctx, buf);
    if (!HPy_IsNull(msg)) {
        /* Before registration the class is None: fall back to TypeError. */
        HPyErr_SetObject(ctx, HPy_Is(ctx, cls, ctx->h_None) ? ctx->h_TypeError
                                                            : cls,
                         msg);
        HPy_Close(ctx, msg);
    }
    HPy_Close(ctx, type);
    HPy_Close(ctx, cls);
    return -1;
}
