/* SPDX-License-Identifier: MIT */
/*
 * The atomic operations, as methods of the atomic classes.
 *
 * Every row of op_table.h becomes a constant descriptor (what the op is,
 * which slot of patomic's ops table runs it, its signature and parameters)
 * and two thin methods, on single atomics and on array elements, that hand
 * the descriptor to `run_op`. run_op is one function for every operation:
 * parse the arguments, take the op's function pointer from the object's
 * ops table (NULL: not supported here), validate the memory orders, convert
 * the operands, call, box the result. Everything that can fail is checked
 * before the call, so a failed call never changes the atomic.
 *
 * run_op is inlined into every method with the method's constant
 * descriptor, so its `switch` on the signature folds away and the common
 * call (operands by position, default order) is straight-line code; on an
 * integer atomic of 1 to 8 bytes (a "native" one) even the atomic
 * instruction and the conversions are inlined, with no call through a
 * function pointer. Any other call (keywords, explicit orders, errors)
 * goes out of line, off the fast path.
 */

#include <stddef.h>

/* Without scalar replacement of aggregates, gcc turns a method's last call
 * (boxing the result: `return HPyLong_FromInt32_t(...)`) into a jump, as in
 * a method of one path. With it, the HPy structs that the inlined paths
 * return are split into fields and joined again before the one `return`,
 * which hides the tail call: every method then saves a register and
 * returns through itself. With not_plain() below, ~1.5 ns of a ~17 ns
 * load on CPython 3.11; no op runs more instructions (callgrind). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-sra")
#endif

#include <patomic/gnu.h>

#include "atomic.h"
#include "descriptors.h"
#include "int_codecs.h"

/* ---- the parameter lists ------------------------------------------------ */

/* fully qualified, so that inspect.signature() (and so help()) can evaluate
 * the default */
#define SEQ_CST "atomics.MemoryOrder.SEQ_CST"

/* atomics_params_t from ATOMICS_PARAM_NAMES_<ID>: (operands, names...) */
#define PARAMS_INIT(ID) PARAMS_INIT_(ID, ATOMICS_PARAM_NAMES_##ID)
#define PARAMS_INIT_(ID, ...) PARAMS_INIT__(ID, __VA_ARGS__)
#define PARAMS_INIT__(ID, REQUIRED, ...)                                    \
    [ATOMICS_PARAMS_##ID] = {                                               \
        .names = {__VA_ARGS__},                                             \
        .count = sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *),    \
        .required = REQUIRED,                                               \
        .kwcache = &atomics_kwcaches[ATOMICS_PARAMS_##ID]},

static const atomics_params_t params[ATOMICS_PARAMS_COUNT] = {
    ATOMICS_FOR_EACH_PARAMS(PARAMS_INIT)};

/* The same names as a docstring's signature line, "desired, order=...":
 * by the number of operands. */
#define PARAMS_TEXT(ID) PARAMS_TEXT_(ATOMICS_PARAM_NAMES_##ID)
#define PARAMS_TEXT_(...) PARAMS_TEXT__(__VA_ARGS__)
#define PARAMS_TEXT__(REQUIRED, ...) PARAMS_TEXT_##REQUIRED(__VA_ARGS__)
#define PARAMS_TEXT_0(ORDER) ORDER "=" SEQ_CST
#define PARAMS_TEXT_1(A, ORDER) A ", " ORDER "=" SEQ_CST
#define PARAMS_TEXT_2(A, B, SUCC, FAIL)                                     \
    A ", " B ", " SUCC "=" SEQ_CST ", " FAIL "=" SEQ_CST

/* ---- descriptors -------------------------------------------------------- */

/* The twin column: the twin's Python name. */
#define TWIN_NAME_NONE(NAME) NULL
#define TWIN_NAME_OLD(NAME) "_" #NAME "_old"

/* The descriptor op_<name>_<kinds>. The slot is read as a pointer of the
 * signature's type, so the row's signature must be its slot's. */
#define DESCRIPTOR(NAME, OP, SIG, FAMILY, KINDS, PARAMS, TWIN, DOC)         \
    _Static_assert(_Generic(((patomic_ops_t *)NULL)->fp_##OP,               \
                            patomic_opsig_##SIG##_t: 1, default: 0),        \
                   "op_table.h: fp_" #OP " is not a " #SIG " op");         \
    static const op_t op_##NAME##_##KINDS = {                               \
        .name = #NAME,                                                      \
        .twin = TWIN_NAME_##TWIN(NAME),                                     \
        .op_name = #OP,                                                     \
        .op = patomic_op_##OP,                                              \
        .slot = offsetof(patomic_ops_t, fp_##OP),                           \
        .sig = SIG_##SIG,                                                   \
        .family = FAMILY,                                                   \
        .kinds = KINDS_##KINDS,                                             \
        .params = &params[ATOMICS_PARAMS_##PARAMS],                         \
    };
ATOMICS_FOR_EACH_METHOD(DESCRIPTOR)

#define DESCRIPTOR_ADDRESS(NAME, OP, SIG, FAMILY, KINDS, ...)               \
    &op_##NAME##_##KINDS,
static const op_t *const op_table[] = {
    ATOMICS_FOR_EACH_METHOD(DESCRIPTOR_ADDRESS)};
#define OP_COUNT (sizeof op_table / sizeof op_table[0])

/* ---- running an op ------------------------------------------------------ */


/* Convert the operands, run the op on @p addr, box what it returns. The op
 * exists here and the orders are valid; the conversions may still fail
 * (and then nothing has changed). @p ops and @p codec are the object's, or
 * (the native path, see run_plain) constants that stand for them, through
 * which the compiler calls the op and the conversions directly, inlined. */
static inline __attribute__((always_inline)) HPy
execute(HPyContext *ctx, AtomicObject *self, char *addr, const op_t *op,
        result_t result, const HPy *operands, int order, int fail,
        const patomic_ops_t *ops, const atomics_codec_t *codec)
{
    const void *p = op_slot(ops, op, result);
    const char *operand_name = op->params->names[0];
    /* (zeroed: gcc cannot see that a failed conversion returns before the
     * op reads them, and warns) */
    atomics_value_t arg = {{0}}, ret = {{0}};
    int index, ok;
    switch (op->sig) {
    case SIG_load:
        FP(load, p)(addr, order, &ret);
        return codec->to_py(ctx, self, &ret);
    case SIG_store:
    case SIG_void:
        if (codec->from_py(ctx, self, operands[0], operand_name, &arg) < 0)
            return HPy_NULL;
        if (op->sig == SIG_store)
            FP(store, p)(addr, &arg, order);
        else
            FP(void, p)(addr, &arg, order);
        return HPy_Dup(ctx, ctx->h_None);
    case SIG_exchange:
    case SIG_fetch:
        if (codec->from_py(ctx, self, operands[0], operand_name, &arg) < 0)
            return HPy_NULL;
        if (op->sig == SIG_exchange)
            FP(exchange, p)(addr, &arg, order, &ret);
        else
            FP(fetch, p)(addr, &arg, order, &ret);
        return codec->to_py(ctx, self, &ret);
    case SIG_void_noarg:
        FP(void_noarg, p)(addr, order);
        return HPy_Dup(ctx, ctx->h_None);
    case SIG_fetch_noarg:
        FP(fetch_noarg, p)(addr, order, &ret);
        return codec->to_py(ctx, self, &ret);
    case SIG_test:
    case SIG_test_modify:
        index = atomics_parse_bit_index(ctx, self, operands[0]);
        if (index < 0)
            return HPy_NULL;
        ok = op->sig == SIG_test ? FP(test, p)(addr, index, order)
                                 : FP(test_modify, p)(addr, index, order);
        return HPyBool_FromBool(ctx, ok != 0);
    case SIG_cmpxchg:
        /* `ret` is expected (then the value held), `arg` desired */
        if (codec->from_py(ctx, self, operands[0], "expected", &ret) < 0 ||
            codec->from_py(ctx, self, operands[1], "desired", &arg) < 0)
            return HPy_NULL;
        ok = FP(cmpxchg, p)(addr, &ret, &arg, order, fail);
        /* on success `ret` still holds what we compared with, which is the
         * value the atomic had */
        if (result == OLD_VALUE)
            return codec->to_py(ctx, self, &ret);
        return atomics_cmpxchg_result_new(ctx, self, ok, &ret);
    }
    return HPy_NULL; /* not reached: every signature is a case */
}

/* Any call but the common one: keywords, explicit orders, a released
 * object, an op this object lacks, wrong arguments. One copy for every
 * method, so that none of it weighs on the methods' fast paths. */
__attribute__((noinline)) static HPy
run_op_general(HPyContext *ctx, AtomicObject *self, char *addr,
               const op_t *op, result_t result, const HPy *args,
               size_t nargs, HPy kwnames)
{
    HPy argv[4];
    const int n = op->params->required;
    int order, fail = patomic_SEQ_CST;
    if (atomics_parse_args(ctx, op->params, op->name, args, nargs, kwnames,
                           argv) < 0 ||
        !atomics_check_live(ctx, self))
        return HPy_NULL;
    if (!has_op(self->ops, op, result)) {
        atomics_raise_op_error(ctx, op->op, self);
        return HPy_NULL;
    }
    order = atomics_parse_order(ctx, argv[n]);
    if (order < 0)
        return HPy_NULL;
    if (!order_is_valid(op->sig, order)) {
        atomics_raise_order_error(ctx, op->op, order, 0);
        return HPy_NULL;
    }
    if (op->sig == SIG_cmpxchg) {
        fail = atomics_parse_order(ctx, argv[n + 1]);
        if (fail < 0)
            return HPy_NULL;
        if (!patomic_is_valid_fail_order(order, fail)) {
            atomics_raise_order_error(ctx, op->op, fail, 1);
            return HPy_NULL;
        }
    }
    return execute(ctx, self, addr, op, result, argv, order, fail,
                   self->ops, self->codec);
}

/*
 * Run @p op on the value at @p addr (self->addr for a single atomic, the
 * element's address for an array, whose struct supplies the width, codec
 * and ops of every element; NULL once released) with the call's arguments.
 *
 * The common call needs no parsing and no validation: exactly the
 * operands, by position or (a keyword tuple the cache knows) by keyword in
 * order, with the order left at its default (SEQ_CST, valid for every op),
 * on a live object that has the op. On a native object (atomic.h) it does
 * not even look at the object's ops table and codec: each case of
 * run_plain() runs the op through constants equal to them (patomic's gnu
 * table of the width, the integer codec), so the atomic instruction and
 * the integer conversions are inlined, not called through two function
 * pointers (~5 of a load's ~19 ns on CPython 3.11). Rows no integer atomic
 * has skip the switch.
 */

/* Whether the call is the common one: it passes exactly the operands. */
static inline __attribute__((always_inline)) int
plain_call(HPyContext *ctx, const op_t *op, size_t nargs, HPy kwnames)
{
    return HPy_IsNull(kwnames)
               ? nargs == (size_t)op->params->required
               : atomics_operands_only(ctx, op->params, nargs, kwnames);
}

#define NATIVE_CASE(ID, WIDTH, CODEC)                                       \
    case ATOMICS_NATIVE_##ID:                                               \
        return execute(ctx, self, addr, op, result, args, patomic_SEQ_CST,  \
                       patomic_SEQ_CST, &patomic_gnu_##WIDTH##_ops,         \
                       &atomics_##CODEC##_codec);

/* run_plain() for an object that is not native (bytes, 16-byte integers,
 * read-only or released): through its ops table and codec. Out of line,
 * like the calls it makes, so that it costs the native path nothing. */
__attribute__((noinline)) static HPy
run_plain_any(HPyContext *ctx, AtomicObject *self, char *addr,
              const op_t *op, result_t result, const HPy *args)
{
    if (addr != NULL && has_op(self->ops, op, result))
        return execute(ctx, self, addr, op, result, args, patomic_SEQ_CST,
                       patomic_SEQ_CST, self->ops, self->codec);
    return run_op_general(ctx, self, addr, op, result, args,
                          (size_t)op->params->required, HPy_NULL);
}

/* run_op for a plain call: args[0..required) are the operands. */
static inline __attribute__((always_inline)) HPy
run_plain(HPyContext *ctx, AtomicObject *self, char *addr, const op_t *op,
          result_t result, const HPy *args)
{
    switch (op->kinds & KINDS_INTEGRAL ? self->native : ATOMICS_NATIVE_NONE) {
        ATOMICS_FOR_EACH_NATIVE(NATIVE_CASE)
    case ATOMICS_NATIVE_NONE:
        break;
    }
    /* (no operands: no `args`, so that the method need not keep them) */
    return run_plain_any(ctx, self, addr, op, result,
                         op->params->required ? args : NULL);
}

static inline __attribute__((always_inline)) HPy
run_op(HPyContext *ctx, AtomicObject *self, char *addr, const op_t *op,
       result_t result, const HPy *args, size_t nargs, HPy kwnames)
{
    if (plain_call(ctx, op, nargs, kwnames))
        return run_plain(ctx, self, addr, op, result, args);
    return run_op_general(ctx, self, addr, op, result, args, nargs,
                          kwnames);
}

/* ---- array elements ---------------------------------------------------- */

/* atomics_element_address() for anything but a plain in-range index: negative
 * indexes, conversion errors, out of range. Never inlined: it stays off the
 * methods' fast paths. */
__attribute__((noinline)) char *
atomics_element_address_rest(HPyContext *ctx, const AtomicObject *array,
                             HPy index, int64_t i)
{
    if (i == -1 && HPyErr_Occurred(ctx)) {
        if (HPyErr_ExceptionMatches(ctx, ctx->h_TypeError)) {
            HPyErr_Clear(ctx);
            atomics_raise_operand_type(ctx, index, "an element index");
            return NULL;
        }
        if (!HPyErr_ExceptionMatches(ctx, ctx->h_OverflowError))
            return NULL;
        HPyErr_Clear(ctx);
        i = INT64_MAX; /* out of range either way */
    }
    if (i < 0 && i >= -array->length)
        return array->addr + (i + array->length) * array->width;
    HPyErr_SetString(ctx, ctx->h_IndexError, "atomic array index out of range");
    return NULL;
}

/* ---- the methods -------------------------------------------------------- */

/* Any call of a KEYWORDS method but a plain one on the home thread
 * (GraalPy's other threads, keywords, orders, errors) goes to the method's
 * `_passed` twin, out of line: a plain keyword call (its keyword tuple
 * cached) runs the op as the method would, anything else goes the
 * general way. */
static inline __attribute__((always_inline)) HPy
scalar_passed(HPyContext *ctx, HPy h_self, const op_t *op, result_t result,
              const HPy *args, size_t nargs, HPy kwnames)
{
    AtomicObject *self;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    return run_op(ctx, self, self->addr, op, result, args, nargs, kwnames);
}

static inline __attribute__((always_inline)) HPy
array_passed(HPyContext *ctx, HPy h_self, const op_t *op, result_t result,
             const HPy *args, size_t nargs, HPy kwnames)
{
    AtomicObject *self;
    char *addr;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    addr = atomics_element_address(ctx, self, args, nargs);
    if (addr == NULL)
        return HPy_NULL;
    return run_op(ctx, self, addr, op, result, args + 1, nargs - 1, kwnames);
}

/* The KEYWORDS methods keep to their fast path only a call with exactly
 * the operands by position, on an interpreter without home thread (not
 * GraalPy 24): told apart before anything else is called, it leaves only
 * `ctx` and `args` to keep across the call that finds the object, so the
 * method saves the fewest registers, and everything else is one jump. */

/* Whether a call must go to the `_passed` twin: not exactly @p count
 * arguments by position, or GraalPy 24. One test and one branch (a handle
 * is null when its bits are zero, as HPy_IsNull tests). */
static inline __attribute__((always_inline)) int
not_plain(size_t nargs, HPy kwnames, int count)
{
    return ((size_t)atomics_home_only | (size_t)kwnames._i |
            (nargs ^ (size_t)count)) != 0;
}

/* A method of single atomics: the op on the atomic's memory. */
#define SCALAR_METHOD(SYM, PYNAME, OP, RESULT, DOC)                         \
    __attribute__((noinline)) static HPy Atomic_##SYM##_passed(             \
        HPyContext *ctx, HPy h_self, const HPy *args, size_t nargs,         \
        HPy kwnames)                                                        \
    {                                                                       \
        return scalar_passed(ctx, h_self, OP, RESULT, args, nargs,          \
                             kwnames);                                      \
    }                                                                       \
    HPyDef_METH(Atomic_##SYM, PYNAME, HPyFunc_KEYWORDS, .doc = DOC)         \
    static HPy Atomic_##SYM##_impl(HPyContext *ctx, HPy h_self,             \
                                   const HPy *args, size_t nargs,           \
                                   HPy kwnames)                             \
    {                                                                       \
        AtomicObject *self;                                                 \
        if (not_plain(nargs, kwnames, (OP)->params->required))              \
            return Atomic_##SYM##_passed(ctx, h_self, args, nargs,          \
                                         kwnames);                          \
        self = AtomicObject_AsStruct(ctx, h_self);                          \
        return run_plain(ctx, self, self->addr, OP, RESULT, args);          \
    }

/* A method of arrays: the op on element i, the first argument. */
#define ARRAY_METHOD(SYM, PYNAME, OP, RESULT, DOC)                          \
    __attribute__((noinline)) static HPy Array_##SYM##_passed(              \
        HPyContext *ctx, HPy h_self, const HPy *args, size_t nargs,         \
        HPy kwnames)                                                        \
    {                                                                       \
        return array_passed(ctx, h_self, OP, RESULT, args, nargs, kwnames); \
    }                                                                       \
    HPyDef_METH(Array_##SYM, PYNAME, HPyFunc_KEYWORDS, .doc = DOC)          \
    static HPy Array_##SYM##_impl(HPyContext *ctx, HPy h_self,              \
                                  const HPy *args, size_t nargs,            \
                                  HPy kwnames)                              \
    {                                                                       \
        AtomicObject *self;                                                 \
        char *addr;                                                         \
        if (not_plain(nargs, kwnames, (OP)->params->required + 1))          \
            return Array_##SYM##_passed(ctx, h_self, args, nargs,           \
                                        kwnames);                           \
        self = AtomicObject_AsStruct(ctx, h_self);                          \
        addr = atomics_element_address(ctx, self, args, nargs);             \
        if (addr == NULL)                                                   \
            return HPy_NULL;                                                \
        return run_plain(ctx, self, addr, OP, RESULT, args + 1);            \
    }

/*
 * The SEQ_CST twins, `_<name>_seq_cst`: the op at the default order with
 * its operands by position, as NOARGS or O methods (atomics/_jit.py calls
 * them when no order is given). On PyPy a KEYWORDS or VARARGS call builds
 * a raw array of arguments per call, an O or NOARGS call does not: ~13 ns
 * of the ~25 an op costs there. Only the shapes those two calling
 * conventions can carry have one: a single atomic's ops with no operand or
 * one, an array's with no operand (the index is its argument).
 */
#define SEQ_CST_NAME(NAME) "_" #NAME "_seq_cst"
#define SEQ_CST_DOC(NAME, ARGS)                                             \
    SEQ_CST_NAME(NAME) "($self" ARGS ")\n--\n\n" #NAME " at SEQ_CST, by "    \
    "position only (internal: atomics/_jit.py)."

#define SCALAR_NOARGS_METHOD(NAME, KINDS)                                   \
    HPyDef_METH(Atomic_##NAME##_seq_cst_##KINDS, SEQ_CST_NAME(NAME),       \
                HPyFunc_NOARGS, .doc = SEQ_CST_DOC(NAME, ""))               \
    static HPy Atomic_##NAME##_seq_cst_##KINDS##_impl(HPyContext *ctx,      \
                                                      HPy h_self)           \
    {                                                                       \
        AtomicObject *self;                                                 \
        if (atomics_away())                                                 \
            return atomics_away_reply(ctx);                                 \
        self = AtomicObject_AsStruct(ctx, h_self);                          \
        return run_op(ctx, self, self->addr, &op_##NAME##_##KINDS, RESULT,  \
                      NULL, 0, HPy_NULL);                                   \
    }

#define SCALAR_O_METHOD(NAME, KINDS)                                        \
    HPyDef_METH(Atomic_##NAME##_seq_cst_##KINDS, SEQ_CST_NAME(NAME),       \
                HPyFunc_O, .doc = SEQ_CST_DOC(NAME, ", operand, /"))        \
    static HPy Atomic_##NAME##_seq_cst_##KINDS##_impl(HPyContext *ctx,      \
                                                      HPy h_self, HPy arg)  \
    {                                                                       \
        AtomicObject *self;                                                 \
        if (atomics_away())                                                 \
            return atomics_away_reply(ctx);                                 \
        self = AtomicObject_AsStruct(ctx, h_self);                          \
        return run_op(ctx, self, self->addr, &op_##NAME##_##KINDS, RESULT,  \
                      &arg, 1, HPy_NULL);                                   \
    }

#define ARRAY_O_METHOD(NAME, KINDS)                                         \
    HPyDef_METH(Array_##NAME##_seq_cst_##KINDS, SEQ_CST_NAME(NAME),        \
                HPyFunc_O, .doc = SEQ_CST_DOC(NAME, ", i, /"))              \
    static HPy Array_##NAME##_seq_cst_##KINDS##_impl(HPyContext *ctx,       \
                                                     HPy h_self, HPy h_i)   \
    {                                                                       \
        AtomicObject *self;                                                 \
        char *addr;                                                         \
        if (atomics_away())                                                 \
            return atomics_away_reply(ctx);                                 \
        self = AtomicObject_AsStruct(ctx, h_self);                          \
        addr = atomics_element_address(ctx, self, &h_i, 1);                 \
        if (addr == NULL)                                                   \
            return HPy_NULL;                                                \
        return run_op(ctx, self, addr, &op_##NAME##_##KINDS, RESULT, NULL,  \
                      0, HPy_NULL);                                         \
    }

/* by the row's number of operands: (single atomic's, array's) */
#define SEQ_CST_BY_OPERANDS(MACRO, NAME, KINDS, PARAMS)                     \
    SEQ_CST_BY_OPERANDS_(MACRO, NAME, KINDS, ATOMICS_PARAM_NAMES_##PARAMS)
#define SEQ_CST_BY_OPERANDS_(...) SEQ_CST_BY_OPERANDS__(__VA_ARGS__)
#define SEQ_CST_BY_OPERANDS__(MACRO, NAME, KINDS, REQUIRED, ...)            \
    MACRO##_##REQUIRED(NAME, KINDS)
#define SEQ_CST_METHODS_0(NAME, KINDS)                                      \
    SCALAR_NOARGS_METHOD(NAME, KINDS) ARRAY_O_METHOD(NAME, KINDS)
#define SEQ_CST_METHODS_1(NAME, KINDS) SCALAR_O_METHOD(NAME, KINDS)
#define SEQ_CST_METHODS_2(NAME, KINDS)
#define SEQ_CST_DEFS_0(NAME, KINDS)                                         \
    &Atomic_##NAME##_seq_cst_##KINDS, &Array_##NAME##_seq_cst_##KINDS
#define SEQ_CST_DEFS_1(NAME, KINDS) &Atomic_##NAME##_seq_cst_##KINDS, NULL
#define SEQ_CST_DEFS_2(NAME, KINDS) NULL, NULL

/* A row of op_table.h: its methods, and its twins. */
#define METHODS(NAME, OP, SIG, FAMILY, KINDS, PARAMS, TWIN, DOC)            \
    SCALAR_METHOD(NAME##_##KINDS, #NAME, &op_##NAME##_##KINDS, RESULT,      \
                  #NAME "($self, " PARAMS_TEXT(PARAMS) ")\n--\n\n" DOC)     \
    ARRAY_METHOD(NAME##_##KINDS, #NAME, &op_##NAME##_##KINDS, RESULT,       \
                 #NAME "($self, i, /, " PARAMS_TEXT(PARAMS) ")\n--\n\n" DOC \
                 " (On element i.)")                                        \
    TWIN_METHODS_##TWIN(NAME, KINDS, PARAMS)                                \
    SEQ_CST_BY_OPERANDS(SEQ_CST_METHODS, NAME, KINDS, PARAMS)

#define TWIN_METHODS_NONE(NAME, KINDS, PARAMS)
#define TWIN_METHODS_OLD(NAME, KINDS, PARAMS)                               \
    SCALAR_METHOD(NAME##_old_##KINDS, TWIN_NAME_OLD(NAME),                  \
                  &op_##NAME##_##KINDS, OLD_VALUE,                          \
                  TWIN_NAME_OLD(NAME) "($self, " PARAMS_TEXT(PARAMS)        \
                  ")\n--\n\nLike " #NAME ", returning only the value the "  \
                  "atomic held.")                                           \
    ARRAY_METHOD(NAME##_old_##KINDS, TWIN_NAME_OLD(NAME),                   \
                 &op_##NAME##_##KINDS, OLD_VALUE,                           \
                 TWIN_NAME_OLD(NAME) "($self, i, /, " PARAMS_TEXT(PARAMS)   \
                 ")\n--\n\nLike " #NAME ", returning only the value the "   \
                 "atomic held.")

ATOMICS_FOR_EACH_METHOD(METHODS)

/* Each row's methods, in the order of op_table[]: on single atomics and on
 * arrays, their `_old` twins, their SEQ_CST twins (NULL: none). */
#define TWIN_DEFS_NONE(NAME, KINDS) NULL, NULL
#define TWIN_DEFS_OLD(NAME, KINDS)                                          \
    &Atomic_##NAME##_old_##KINDS, &Array_##NAME##_old_##KINDS
#define ROW_DEFS(NAME, OP, SIG, FAMILY, KINDS, PARAMS, TWIN, DOC)           \
    {&Atomic_##NAME##_##KINDS, &Array_##NAME##_##KINDS,                     \
     TWIN_DEFS_##TWIN(NAME, KINDS),                                         \
     SEQ_CST_BY_OPERANDS(SEQ_CST_DEFS, NAME, KINDS, PARAMS)},
static HPyDef *const row_defs[][6] = {ATOMICS_FOR_EACH_METHOD(ROW_DEFS)};

HPyDef **atomics_list_op_methods(HPyDef **out, atomics_kind_t kind,
                                 int array)
{
    size_t i, column;
    for (i = 0; i < OP_COUNT; ++i) {
        if (!(op_table[i]->kinds & (1u << kind)))
            continue;
        for (column = array ? 1 : 0; column < 6; column += 2)
            if (row_defs[i][column] != NULL)
                *out++ = row_defs[i][column];
    }
    return out;
}

uint32_t atomics_op_table_mask(atomics_kind_t kind)
{
    uint32_t mask = 0;
    size_t i;
    for (i = 0; i < OP_COUNT; ++i)
        if (op_table[i]->kinds & (1u << kind))
            mask |= (uint32_t)1 << op_table[i]->op;
    return mask;
}

/* ---- special methods ---------------------------------------------------- */

/* int(atomic): a SEQ_CST load. There is deliberately no __index__. */
HPyDef_SLOT(Atomic_int, HPy_nb_int)
static HPy Atomic_int_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    return run_op(ctx, self, self->addr, &op_load_ALL, RESULT, NULL, 0,
                  HPy_NULL);
}

HPyDef_METH(Atomic_bytes, "__bytes__", HPyFunc_NOARGS,
            .doc = "bytes(atomic): a SEQ_CST load.")
static HPy Atomic_bytes_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    return run_op(ctx, self, self->addr, &op_load_ALL, RESULT, NULL, 0,
                  HPy_NULL);
}

/* len(array) */
HPyDef_SLOT(Array_len, HPy_mp_length)
static HPy_ssize_t Array_len_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self;
    if (atomics_away() && !atomics_away_ok)
        return -1; /* SystemError (see atomic.h) */
    self = AtomicObject_AsStruct(ctx, h_self);
    if (self->addr == NULL && atomics_away())
        return -1; /* SystemError: no ValueError can be raised here */
    if (!atomics_check_live(ctx, self))
        return -1;
    return (HPy_ssize_t)self->length;
}

/* ---- the table, for Python ---------------------------------------------- */

static HPy strings(HPyContext *ctx, const char *const *items, int count)
{
    HPy handles[4];
    int i;
    for (i = 0; i < count; ++i)
        handles[i] = HPyUnicode_FromString(ctx, items[i]);
    return atomics_tuple_steal(ctx, handles, count);
}

/* HPyDef's method name, or None */
static HPy def_name(HPyContext *ctx, const HPyDef *def)
{
    return def ? HPyUnicode_FromString(ctx, def->meth.name)
               : HPy_Dup(ctx, ctx->h_None);
}

/* Row @p i, as op_table() documents it. */
static HPy describe(HPyContext *ctx, size_t i)
{
    const op_t *op = op_table[i];
    static const char *const signatures[] = {
#define SIGNATURE_NAME(SIG) #SIG,
        FOR_EACH_SIGNATURE(SIGNATURE_NAME)
#undef SIGNATURE_NAME
    };
    static const char *const families[] = {"common", "bitwise",
                                           "arithmetic", "cmpxchg"};
    const char *kinds[2];
    int nkinds = 0;
    const atomics_params_t *p = op->params;
    HPy items[11];
    if (op->kinds & KINDS_INTEGRAL)
        kinds[nkinds++] = "INTEGRAL";
    if (op->kinds & KINDS_BYTES)
        kinds[nkinds++] = "BYTES";
    items[0] = HPyUnicode_FromString(ctx, op->name);
    items[1] = HPyLong_FromInt32_t(ctx, (int32_t)op->op);
    items[2] = HPyUnicode_FromString(ctx, op->op_name);
    items[3] = strings(ctx, p->names, p->required);
    items[4] = strings(ctx, p->names + p->required, p->count - p->required);
    items[5] = HPyUnicode_FromString(ctx, families[op->family]);
    items[6] = HPyUnicode_FromString(ctx, signatures[op->sig]);
    items[7] = strings(ctx, kinds, nkinds);
    items[8] = op->twin ? HPyUnicode_FromString(ctx, op->twin)
                        : HPy_Dup(ctx, ctx->h_None);
    items[9] = def_name(ctx, row_defs[i][4]);
    items[10] = def_name(ctx, row_defs[i][5]);
    return atomics_tuple_steal(ctx, items, 11);
}

HPyDef_METH(atomics_op_table, "op_table", HPyFunc_NOARGS,
            .doc = "op_table()\n--\n\n"
                   "Every operation, as (name, optype, op, operands, "
                   "orders, family, signature, kinds, twin, seq_cst, "
                   "array_seq_cst): the method's "
                   "name, its OpType value and patomic op, its operand "
                   "and memory-order parameters, its family (common, "
                   "bitwise, arithmetic, cmpxchg), patomic's signature, "
                   "the kinds of atomic that have it (INTEGRAL, BYTES) and "
                   "its `_old` twin's name or None, and the names of its "
                   "SEQ_CST twins on single atomics and on arrays, or None "
                   "(hpy_src/op_table.h).")
static HPy atomics_op_table_impl(HPyContext *ctx, HPy module)
{
    HPy rows[OP_COUNT];
    size_t i;
    (void)module;
    for (i = 0; i < OP_COUNT; ++i)
        rows[i] = describe(ctx, i);
    return atomics_tuple_steal(ctx, rows, (int)OP_COUNT);
}

const op_t *atomics_op_descriptor(int op, atomics_kind_t kind)
{
    size_t i;
    for (i = 0; i < OP_COUNT; ++i)
        if ((int)op_table[i]->op == op && (op_table[i]->kinds & (1u << kind)))
            return op_table[i];
    return NULL;
}
