/* SPDX-License-Identifier: MIT */
/*
 * The HPy floor: the least a method of each calling convention can cost,
 * measured beside atomics in every benchmark run (bench_ops.py). A `Cell`
 * holds one int64 and has
 *
 *   nop()  nop_o(x)  nop_kw(...)     NOARGS / O / KEYWORDS, doing nothing;
 *   load() store(v) inc() fetch_add(v) cas(e, d) cas_tuple(e, d)
 *                                    KEYWORDS, doing the op's work once:
 *                                    one atomic instruction, the integer
 *                                    conversions and the boxing of a result.
 *
 * The KEYWORDS methods take values by position or keyword in the order
 * above and never look at the names: a real parser costs more, so these
 * are a floor, not a rival implementation. `cas` returns a `Result` whose
 * fields are plain C data (HPy_New, no HPyField); `cas_tuple` a 2-tuple.
 */

#include <stdint.h>

#include "hpy.h"

typedef struct {
    int64_t value;
} Cell;

HPyType_HELPERS(Cell)

typedef struct {
    int64_t expected;
    char success;   /* HPyMember_BOOL reads a char */
} Result;

HPyType_HELPERS(Result)

static HPyGlobal result_type;

/* values given by position and by keyword, in order */
static int values(HPyContext *ctx, const HPy *args, size_t nargs, HPy kwnames,
                  size_t want, int64_t *out)
{
    size_t given = nargs;
    if (!HPy_IsNull(kwnames))
        given += (size_t)HPy_Length(ctx, kwnames);
    if (given < want) {
        HPyErr_SetString(ctx, ctx->h_TypeError, "too few arguments");
        return -1;
    }
    for (size_t i = 0; i < want; i++) {
        out[i] = HPyLong_AsInt64_t(ctx, args[i]);
        if (out[i] == -1 && HPyErr_Occurred(ctx))
            return -1;
    }
    return 0;
}

HPyDef_METH(Cell_nop, "nop", HPyFunc_NOARGS)
static HPy Cell_nop_impl(HPyContext *ctx, HPy self)
{
    (void)self;
    return HPy_Dup(ctx, ctx->h_None);
}

HPyDef_METH(Cell_nop_o, "nop_o", HPyFunc_O)
static HPy Cell_nop_o_impl(HPyContext *ctx, HPy self, HPy arg)
{
    (void)self;
    (void)arg;
    return HPy_Dup(ctx, ctx->h_None);
}

HPyDef_METH(Cell_nop_kw, "nop_kw", HPyFunc_KEYWORDS)
static HPy Cell_nop_kw_impl(HPyContext *ctx, HPy self, const HPy *args,
                            size_t nargs, HPy kwnames)
{
    (void)self;
    (void)args;
    (void)nargs;
    (void)kwnames;
    return HPy_Dup(ctx, ctx->h_None);
}

HPyDef_METH(Cell_load, "load", HPyFunc_KEYWORDS)
static HPy Cell_load_impl(HPyContext *ctx, HPy self, const HPy *args,
                          size_t nargs, HPy kwnames)
{
    (void)args;
    (void)nargs;
    (void)kwnames;
    return HPyLong_FromInt64_t(
        ctx, __atomic_load_n(&Cell_AsStruct(ctx, self)->value, __ATOMIC_SEQ_CST));
}

HPyDef_METH(Cell_store, "store", HPyFunc_KEYWORDS)
static HPy Cell_store_impl(HPyContext *ctx, HPy self, const HPy *args,
                           size_t nargs, HPy kwnames)
{
    int64_t v;
    if (values(ctx, args, nargs, kwnames, 1, &v) < 0)
        return HPy_NULL;
    __atomic_store_n(&Cell_AsStruct(ctx, self)->value, v, __ATOMIC_SEQ_CST);
    return HPy_Dup(ctx, ctx->h_None);
}

HPyDef_METH(Cell_inc, "inc", HPyFunc_KEYWORDS)
static HPy Cell_inc_impl(HPyContext *ctx, HPy self, const HPy *args,
                         size_t nargs, HPy kwnames)
{
    (void)args;
    (void)nargs;
    (void)kwnames;
    __atomic_fetch_add(&Cell_AsStruct(ctx, self)->value, 1, __ATOMIC_SEQ_CST);
    return HPy_Dup(ctx, ctx->h_None);
}

HPyDef_METH(Cell_fetch_add, "fetch_add", HPyFunc_KEYWORDS)
static HPy Cell_fetch_add_impl(HPyContext *ctx, HPy self, const HPy *args,
                               size_t nargs, HPy kwnames)
{
    int64_t v;
    if (values(ctx, args, nargs, kwnames, 1, &v) < 0)
        return HPy_NULL;
    /* unsigned: wraps where signed addition would overflow */
    uint64_t *cell = (uint64_t *)&Cell_AsStruct(ctx, self)->value;
    uint64_t old = __atomic_fetch_add(cell, (uint64_t)v, __ATOMIC_SEQ_CST);
    return HPyLong_FromUInt64_t(ctx, old);
}

static int cas(HPyContext *ctx, HPy self, const HPy *args, size_t nargs,
               HPy kwnames, int64_t *expected)
{
    int64_t v[2];
    if (values(ctx, args, nargs, kwnames, 2, v) < 0)
        return -1;
    *expected = v[0];
    return __atomic_compare_exchange_n(&Cell_AsStruct(ctx, self)->value,
                                       expected, v[1], 0, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

HPyDef_METH(Cell_cas, "cas", HPyFunc_KEYWORDS)
static HPy Cell_cas_impl(HPyContext *ctx, HPy self, const HPy *args,
                         size_t nargs, HPy kwnames)
{
    int64_t expected;
    int success = cas(ctx, self, args, nargs, kwnames, &expected);
    if (success < 0)
        return HPy_NULL;
    Result *data;
    HPy cls = HPyGlobal_Load(ctx, result_type);
    HPy result = HPy_New(ctx, cls, &data);
    HPy_Close(ctx, cls);
    if (!HPy_IsNull(result)) {
        data->expected = expected;
        data->success = success;
    }
    return result;
}

HPyDef_METH(Cell_cas_tuple, "cas_tuple", HPyFunc_KEYWORDS)
static HPy Cell_cas_tuple_impl(HPyContext *ctx, HPy self, const HPy *args,
                               size_t nargs, HPy kwnames)
{
    int64_t expected;
    int success = cas(ctx, self, args, nargs, kwnames, &expected);
    if (success < 0)
        return HPy_NULL;
    HPy items[2] = {HPyBool_FromBool(ctx, success),
                    HPyLong_FromInt64_t(ctx, expected)};
    HPy tuple = HPyTuple_FromArray(ctx, items, 2);
    HPy_Close(ctx, items[0]);
    HPy_Close(ctx, items[1]);
    return tuple;
}

static HPyDef *Cell_defines[] = {
    &Cell_nop, &Cell_nop_o, &Cell_nop_kw, &Cell_load, &Cell_store, &Cell_inc,
    &Cell_fetch_add, &Cell_cas, &Cell_cas_tuple, NULL,
};

static HPyType_Spec Cell_spec = {
    .name = "_floor.Cell",
    .basicsize = sizeof(Cell),
    .builtin_shape = SHAPE(Cell),
    .defines = Cell_defines,
};

HPyDef_MEMBER(Result_expected, "expected", HPyMember_LONGLONG,
              offsetof(Result, expected), .readonly = 1)
HPyDef_MEMBER(Result_success, "success", HPyMember_BOOL,
              offsetof(Result, success), .readonly = 1)

static HPyDef *Result_defines[] = {&Result_expected, &Result_success, NULL};

static HPyType_Spec Result_spec = {
    .name = "_floor.Result",
    .basicsize = sizeof(Result),
    .builtin_shape = SHAPE(Result),
    .defines = Result_defines,
};

HPyDef_SLOT(floor_exec, HPy_mod_exec)
static int floor_exec_impl(HPyContext *ctx, HPy module)
{
    if (!HPyHelpers_AddType(ctx, module, "Cell", &Cell_spec, NULL))
        return -1;
    if (!HPyHelpers_AddType(ctx, module, "Result", &Result_spec, NULL))
        return -1;
    HPy cls = HPy_GetAttr_s(ctx, module, "Result");
    if (HPy_IsNull(cls))
        return -1;
    HPyGlobal_Store(ctx, &result_type, cls);
    HPy_Close(ctx, cls);
    /* the one Cell the benchmark uses (no constructor needed) */
    cls = HPy_GetAttr_s(ctx, module, "Cell");
    if (HPy_IsNull(cls))
        return -1;
    Cell *data;
    HPy cell = HPy_New(ctx, cls, &data);
    HPy_Close(ctx, cls);
    if (HPy_IsNull(cell))
        return -1;
    data->value = 1;
    int failed = HPy_SetAttr_s(ctx, module, "cell", cell);
    HPy_Close(ctx, cell);
    return failed;
}

static HPyDef *module_defines[] = {&floor_exec, NULL};
static HPyGlobal *module_globals[] = {&result_type, NULL};

static HPyModuleDef moduledef = {
    .doc = "the HPy floor for benchmarks/bench_ops.py",
    .defines = module_defines,
    .globals = module_globals,
};

HPy_MODINIT(_floor, moduledef)
