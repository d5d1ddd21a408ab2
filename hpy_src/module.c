/* SPDX-License-Identifier: MIT */
/*
 * The `atomics._native` module: a universal HPy binary, so one file serves
 * CPython, PyPy and GraalPy. The Python package loads it (atomics/_load.py),
 * registers its hooks and builds the public classes with `make_type`
 * (atomics/_classes.py).
 */

#include "atomic.h"

HPyDef_METH(atomics_ops_mask, "ops_mask", HPyFunc_VARARGS,
            .doc = "ops_mask(width, readonly)\n--\n\n"
                   "Bit 1 << OpType for each op this machine has for the "
                   "width (0 if none).")
static HPy atomics_ops_mask_impl(HPyContext *ctx, HPy module, const HPy *args,
                                 size_t nargs)
{
    int64_t width;
    int readonly;
    const patomic_ops_t *ops;
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    if (nargs != 2) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "ops_mask() takes exactly 2 arguments");
        return HPy_NULL;
    }
    width = HPyLong_AsInt64_t(ctx, args[0]);
    if (width == -1 && HPyErr_Occurred(ctx))
        HPyErr_Clear(ctx); /* too big either way: no ops */
    readonly = HPy_IsTrue(ctx, args[1]);
    if (readonly < 0)
        return HPy_NULL;
    ops = atomics_ops_for(width, readonly);
    return HPyLong_FromUInt32_t(ctx, ops ? patomic_ops_mask(ops) : 0);
}

HPyDef_METH(atomics_alignment, "alignment", HPyFunc_O,
            .doc = "alignment(width)\n--\n\n"
                   "(recommended, minimum, size_within) for the width; the "
                   "errors of Alignment(width).")
static HPy atomics_alignment_impl(HPyContext *ctx, HPy module, HPy h_width)
{
    int64_t width;
    const patomic_align_t *align;
    HPy items[3];
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    width = atomics_parse_width(ctx, h_width, "Positional argument");
    if (width < 0)
        return HPy_NULL;
    align = atomics_alignment_for(width);
    if (align->recommended == 0) {
        atomics_raise_width_error(ctx, h_width, 0);
        return HPy_NULL;
    }
    items[0] = HPyLong_FromSize_t(ctx, align->recommended);
    items[1] = HPyLong_FromSize_t(ctx, align->minimum);
    items[2] = HPyLong_FromSize_t(ctx, align->size_within);
    return atomics_tuple_steal(ctx, items, 3);
}

HPyDef_METH(atomics_backend, "backend", HPyFunc_O,
            .doc = "backend(width)\n--\n\n"
                   "Name of the patomic backend serving the width (\"gnu\", "
                   "\"cx16\", \"aarch64\", \"s390x\"), or None.")
static HPy atomics_backend_impl(HPyContext *ctx, HPy module, HPy h_width)
{
    int64_t width;
    int id;
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    width = HPyLong_AsInt64_t(ctx, h_width);
    if (width == -1 && HPyErr_Occurred(ctx))
        return HPy_NULL;
    for (id = 0; width > 0 && id < patomic_BACKEND_COUNT; ++id) {
        patomic_ops_t ops = patomic_create_ops_from(
            (patomic_backend_id_t)id, (size_t)width, patomic_OPTION_NONE);
        if (patomic_ops_count(&ops) > 0)
            return HPyUnicode_FromString(
                ctx, patomic_backend_name((patomic_backend_id_t)id));
    }
    return HPy_Dup(ctx, ctx->h_None);
}

HPyDef_METH(atomics_wait_native, "wait_is_native", HPyFunc_NOARGS,
            .doc = "wait_is_native()\n--\n\n"
                   "Whether wait/notify use the OS (a futex) here.")
static HPy atomics_wait_native_impl(HPyContext *ctx, HPy module)
{
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    return HPyBool_FromBool(ctx, patomic_wait_is_native() != 0);
}

/* Proves the HPy debug-mode leak check works (tests/test_hpy_debug.py): it
 * opens a handle and never closes it. Outside debug mode that is one
 * reference to None; the function exists for no other purpose. */
HPyDef_METH(atomics_leak_handle, "_leak_one_handle_for_tests", HPyFunc_NOARGS,
            .doc = "Leak one handle (to None), for the debug-mode tests.")
static HPy atomics_leak_handle_impl(HPyContext *ctx, HPy module)
{
    HPy leaked;
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    leaked = HPy_Dup(ctx, ctx->h_None);
    (void)leaked;
    return HPy_Dup(ctx, ctx->h_None);
}

HPyDef_SLOT(module_exec, HPy_mod_exec)
static int module_exec_impl(HPyContext *ctx, HPy module)
{
    int i;
    atomics_init_ops_tables();
    /* Globals start out as None, which the code tests for. */
    for (i = 0; i < ATOMICS_HOOK_COUNT; ++i)
        HPyGlobal_Store(ctx, &atomics_hooks[i], ctx->h_None);
    for (i = 0; i < ATOMICS_PARAMS_COUNT; ++i)
        HPyGlobal_Store(ctx, &atomics_kwcaches[i].kwnames, ctx->h_None);
    HPyGlobal_Store(ctx, &atomics_view_root, ctx->h_None);
    HPyGlobal_Store(ctx, &atomics_array_root, ctx->h_None);
    HPyGlobal_Store(ctx, &atomics_cmpxchg_result_type, ctx->h_None);
    {
        HPy type = HPyType_FromSpec(ctx, &atomics_cmpxchg_result_spec, NULL);
        int rc;
        if (HPy_IsNull(type))
            return -1;
        HPyGlobal_Store(ctx, &atomics_cmpxchg_result_type, type);
        rc = HPy_SetAttr_s(ctx, module, "CmpxchgResult", type);
        HPy_Close(ctx, type);
        return rc;
    }
}

static HPyDef *module_defines[] = {
    &module_exec,        &atomics_register_hook, &atomics_make_type,
    &atomics_release_view, &atomics_ops_mask,    &atomics_alignment,
    &atomics_leak_handle,  &atomics_backend,     &atomics_wait_native,
    &atomics_probe_int_conversions, &atomics_op_table,
    &atomics_set_home_thread,
    NULL,
};

static HPyGlobal *module_globals[] = {
    &atomics_hooks[ATOMICS_HOOK_MEMORY_ORDER],
    &atomics_hooks[ATOMICS_HOOK_CORE],
    &atomics_hooks[ATOMICS_HOOK_ORDER_ERROR],
    &atomics_hooks[ATOMICS_HOOK_WIDTH_ERROR],
    &atomics_hooks[ATOMICS_HOOK_ALIGNMENT_ERROR],
    &atomics_hooks[ATOMICS_HOOK_OP_ERROR],
    &atomics_hooks[ATOMICS_HOOK_OPERAND_TYPE_ERROR],
#define KWCACHE_GLOBAL(ID) &atomics_kwcaches[ATOMICS_PARAMS_##ID].kwnames,
    ATOMICS_FOR_EACH_PARAMS(KWCACHE_GLOBAL)
#undef KWCACHE_GLOBAL
    &atomics_view_root,
    &atomics_array_root,
    &atomics_cmpxchg_result_type,
    NULL,
};

_Static_assert(ATOMICS_HOOK_COUNT == 7,
               "list every hook in module_globals");

static HPyModuleDef moduledef = {
    .doc = "Lock-free, address-free atomic operations (the HPy core of "
           "the `atomics` package).",
    .defines = module_defines,
    .globals = module_globals,
};

HPy_MODINIT(_native, moduledef)
