/* SPDX-License-Identifier: MIT */
/*
 * The atomic operations, as methods of the atomic classes.
 *
 * Each method is one C call from Python: parse the arguments, take the op's
 * function pointer from the object's ops table (NULL: not supported here),
 * validate the memory order, convert the operands, call, box the result.
 * Everything that can fail is checked before the call, so a failed call never
 * changes the atomic. The methods differ only in their shape (which operands
 * and which result), so one helper per shape does the work and a table at
 * the bottom binds Python names to ops and shapes.
 */

#include "atomic.h"

/* ---- parameter lists (each with its keyword cache) -------------------- */

HPyGlobal atomics_kwcaches[ATOMICS_PARAMS_COUNT];

#define PARAMS(ID, REQUIRED, ...)                                           \
    [ID] = {.names = {__VA_ARGS__},                                         \
            .count = sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *),\
            .required = REQUIRED,                                           \
            .kwcache = &atomics_kwcaches[ID]}

static atomics_params_t params[ATOMICS_PARAMS_COUNT] = {
    PARAMS(ATOMICS_PARAMS_ORDER, 0, "order"),
    PARAMS(ATOMICS_PARAMS_DESIRED, 1, "desired", "order"),
    PARAMS(ATOMICS_PARAMS_VALUE, 1, "value", "order"),
    PARAMS(ATOMICS_PARAMS_INDEX, 1, "index", "order"),
    /* the two families name cmpxchg's orders differently (atomics 1.0.2) */
    PARAMS(ATOMICS_PARAMS_CMPXCHG_INT, 2, "expected", "desired", "success",
           "failure"),
    PARAMS(ATOMICS_PARAMS_CMPXCHG_BYTES, 2, "expected", "desired", "succ",
           "fail"),
};

/* ---- checks shared by every shape ------------------------------------- */

/** Which orders an op accepts. */
typedef enum { ORDERS_RMW, ORDERS_STORE, ORDERS_LOAD } order_rule_t;

/* The general path of `prepare`: keywords, an explicit order, or an error. */
static int prepare_slow(HPyContext *ctx, const AtomicObject *self, int has_fp,
                        int op, order_rule_t rule, atomics_params_id_t pid,
                        const char *method, const HPy *args, size_t nargs,
                        HPy kwnames, HPy *argv, int order_at)
{
    int order;
    if (atomics_parse_args(ctx, &params[pid], method, args, nargs, kwnames,
                           argv) < 0)
        return -1;
    if (!atomics_check_live(ctx, self))
        return -1;
    if (!has_fp)
        return atomics_raise_op_error(ctx, op, self);
    order = atomics_parse_order(ctx, argv[order_at]);
    if (order < 0)
        return -1;
    if ((rule == ORDERS_STORE && !patomic_is_valid_store_order(order)) ||
        (rule == ORDERS_LOAD && !patomic_is_valid_load_order(order)))
        return atomics_raise_order_error(ctx, op, order, 0);
    return order;
}

/*
 * Parse the call into argv and check that the object can run the op; return
 * the validated memory order (argv[order_at]), or -1 with an exception set.
 *
 * `fast` (a constant where this is inlined) says the caller has checked the
 * common case: exactly the operands, by position, with the order left at its
 * default, on a live object that has the op. That needs no parsing and no
 * validation (SEQ_CST is valid for every op).
 */
static inline int prepare(HPyContext *ctx, const AtomicObject *self,
                          int has_fp, int op, order_rule_t rule,
                          atomics_params_id_t pid, const char *method,
                          const HPy *args, size_t nargs, HPy kwnames,
                          HPy *argv, int order_at, int fast)
{
    if (fast) {
        int i;
        for (i = 0; i < order_at; ++i)
            argv[i] = args[i];
        return patomic_SEQ_CST;
    }
    return prepare_slow(ctx, self, has_fp, op, rule, pid, method, args, nargs,
                        kwnames, argv, order_at);
}

/* `addr` is where the op works: self->addr for a single atomic, the
 * selected element's address for an array (whose struct `self` supplies
 * width, type and ops for every element). */
#define SHAPE_ARGS                                                          \
    HPyContext *ctx, AtomicObject *self, char *addr, int op,                \
        order_rule_t rule, atomics_params_id_t pid, const char *method,     \
        const HPy *args, size_t nargs, HPy kwnames, int fast

/* ---- one helper per shape --------------------------------------------- */

/* Inlined into each method twice: once with `fast` set, where the op, its
 * order rule and parameter list are constants and the code is straight-line,
 * and once for everything else (keywords, orders, errors). */
#define SHAPE_FN static inline __attribute__((always_inline)) HPy

/* How many operands each shape takes before its order argument(s). */
enum {
    NPOS_load = 0, NPOS_operand = 1, NPOS_operand_fetch = 1, NPOS_noarg = 0,
    NPOS_noarg_fetch = 0, NPOS_test = 1, NPOS_test_modify = 1,
    NPOS_cmpxchg = 2, NPOS_cmpxchg_old = 2
};

/* load(order) -> value */
SHAPE_FN shape_load(SHAPE_ARGS, patomic_opsig_load_t fp)
{
    HPy argv[1];
    atomics_value_t result;
    int order = prepare(ctx, self, fp != NULL, op, rule, pid, method, args,
                        nargs, kwnames, argv, 0, fast);
    if (order < 0)
        return HPy_NULL;
    fp(addr, order, &result);
    return self->codec->to_py(ctx, self, &result);
}

/* store(desired, order), bin_or(value, order), add(value, order) -> None */
SHAPE_FN shape_operand(SHAPE_ARGS, patomic_opsig_void_t fp)
{
    HPy argv[2];
    atomics_value_t operand;
    int order = prepare(ctx, self, fp != NULL, op, rule, pid, method, args,
                        nargs, kwnames, argv, 1, fast);
    if (order < 0 || self->codec->from_py(ctx, self, argv[0],
                                            params[pid].names[0], &operand) < 0)
        return HPy_NULL;
    fp(addr, &operand, order);
    return HPy_Dup(ctx, ctx->h_None);
}

/* exchange(desired, order), fetch_add(value, order) -> old value */
SHAPE_FN shape_operand_fetch(SHAPE_ARGS, patomic_opsig_fetch_t fp)
{
    HPy argv[2];
    atomics_value_t operand, result;
    int order = prepare(ctx, self, fp != NULL, op, rule, pid, method, args,
                        nargs, kwnames, argv, 1, fast);
    if (order < 0 || self->codec->from_py(ctx, self, argv[0],
                                            params[pid].names[0], &operand) < 0)
        return HPy_NULL;
    fp(addr, &operand, order, &result);
    return self->codec->to_py(ctx, self, &result);
}

/* inc(order), bin_not(order) -> None */
SHAPE_FN shape_noarg(SHAPE_ARGS, patomic_opsig_void_noarg_t fp)
{
    HPy argv[1];
    int order = prepare(ctx, self, fp != NULL, op, rule, pid, method, args,
                        nargs, kwnames, argv, 0, fast);
    if (order < 0)
        return HPy_NULL;
    fp(addr, order);
    return HPy_Dup(ctx, ctx->h_None);
}

/* fetch_inc(order), bin_fetch_not(order) -> old value */
SHAPE_FN shape_noarg_fetch(SHAPE_ARGS, patomic_opsig_fetch_noarg_t fp)
{
    HPy argv[1];
    atomics_value_t result;
    int order = prepare(ctx, self, fp != NULL, op, rule, pid, method, args,
                        nargs, kwnames, argv, 0, fast);
    if (order < 0)
        return HPy_NULL;
    fp(addr, order, &result);
    return self->codec->to_py(ctx, self, &result);
}

/* bit_test(index, order) -> bool */
SHAPE_FN shape_test(SHAPE_ARGS, patomic_opsig_test_t fp)
{
    HPy argv[2];
    int index, order = prepare(ctx, self, fp != NULL, op, rule, pid, method,
                               args, nargs, kwnames, argv, 1, fast);
    if (order < 0 || (index = atomics_parse_bit_index(ctx, self, argv[0])) < 0)
        return HPy_NULL;
    return HPyBool_FromBool(ctx, fp(addr, index, order) != 0);
}

/* bit_test_set(index, order) -> old bit */
SHAPE_FN shape_test_modify(SHAPE_ARGS, patomic_opsig_test_modify_t fp)
{
    HPy argv[2];
    int index, order = prepare(ctx, self, fp != NULL, op, rule, pid, method,
                               args, nargs, kwnames, argv, 1, fast);
    if (order < 0 || (index = atomics_parse_bit_index(ctx, self, argv[0])) < 0)
        return HPy_NULL;
    return HPyBool_FromBool(ctx, fp(addr, index, order) != 0);
}

/* cmpxchg_*(expected, desired, success order, failure order) */
/* The work of cmpxchg_*: returns the value the atomic held (a new handle)
 * and sets *ok, or returns HPy_NULL with an exception set. */
SHAPE_FN cmpxchg_run(SHAPE_ARGS, patomic_opsig_cmpxchg_t fp, int *ok)
{
    HPy argv[4] = {HPy_NULL, HPy_NULL, HPy_NULL, HPy_NULL};
    atomics_value_t expected, desired;
    int fail, succ = prepare(ctx, self, fp != NULL, op, rule, pid, method,
                             args, nargs, kwnames, argv, 2, fast);
    if (succ < 0)
        return HPy_NULL;
    fail = atomics_parse_order(ctx, argv[3]);
    if (fail < 0)
        return HPy_NULL;
    if (!patomic_is_valid_fail_order(succ, fail)) {
        atomics_raise_order_error(ctx, op, fail, 1);
        return HPy_NULL;
    }
    if (self->codec->from_py(ctx, self, argv[0], "expected", &expected) < 0 ||
        self->codec->from_py(ctx, self, argv[1], "desired", &desired) < 0)
        return HPy_NULL;
    *ok = fp(addr, &expected, &desired, succ, fail);
    /* on success `expected` still holds what we compared with, which is the
     * value the atomic had */
    return self->codec->to_py(ctx, self, &expected);
}

/* cmpxchg_*(expected, desired, success order, failure order)
 * -> CmpxchgResult */
SHAPE_FN shape_cmpxchg(SHAPE_ARGS, patomic_opsig_cmpxchg_t fp)
{
    int ok = 0;
    HPy value = cmpxchg_run(ctx, self, addr, op, rule, pid, method, args, nargs,
                            kwnames, fast, fp, &ok);
    return HPy_IsNull(value) ? HPy_NULL
                             : atomics_cmpxchg_result_new(ctx, ok, value);
}

/* The same -> only the value the atomic held, as hardware CAS returns it:
 * for PyPy, where making a result (or a tuple) in C costs more than the
 * operation, and Python can tell success from the value: a strong
 * compare-exchange succeeds exactly when it equals `expected`
 * (atomics/_jit.py). */
SHAPE_FN shape_cmpxchg_old(SHAPE_ARGS, patomic_opsig_cmpxchg_t fp)
{
    int ok = 0;
    return cmpxchg_run(ctx, self, addr, op, rule, pid, method, args, nargs,
                       kwnames, fast, fp, &ok);
}

/* ---- the methods ------------------------------------------------------ */

/*
 * Every operation, once: X(py name, patomic op, shape, params, order rule,
 * arguments for the signature, description). It is expanded twice: into the
 * methods of single atomics, and into those of atomic arrays, which take the
 * element's index `i` first.
 */
/* fully qualified, so that inspect.signature() (and so help()) can
 * evaluate the default */
#define SEQ_CST "atomics.MemoryOrder.SEQ_CST"
#define ORDER_ARG "order=" SEQ_CST
#define ATOMICS_OPERATIONS(X)                                                  \
    X(store,          store,          operand,       DESIRED, ORDERS_STORE,    \
      "desired, " ORDER_ARG, "Atomically replace the value with `desired`.")   \
    X(load,           load,           load,          ORDER,   ORDERS_LOAD,     \
      ORDER_ARG, "Atomically read the value.")                                 \
    X(exchange,       exchange,       operand_fetch, DESIRED, ORDERS_RMW,      \
      "desired, " ORDER_ARG,                                                   \
      "Atomically replace the value with `desired`; return the old value.")    \
    X(bit_test,       bit_test,       test,          INDEX,   ORDERS_LOAD,     \
      "index, " ORDER_ARG,                                                     \
      "Return bit `index` of the value (bit 0 is the least significant).")     \
    X(bit_test_compl, bit_test_compl, test_modify,   INDEX,   ORDERS_RMW,      \
      "index, " ORDER_ARG, "Atomically flip bit `index`; return its old value.")\
    X(bit_test_set,   bit_test_set,   test_modify,   INDEX,   ORDERS_RMW,      \
      "index, " ORDER_ARG,                                                     \
      "Atomically set bit `index` to 1; return its old value.")                \
    X(bit_test_reset, bit_test_reset, test_modify,   INDEX,   ORDERS_RMW,      \
      "index, " ORDER_ARG,                                                     \
      "Atomically set bit `index` to 0; return its old value.")                \
    X(bin_or,         or,             operand,       VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Atomically replace the value with `value | it`.")  \
    X(bin_xor,        xor,            operand,       VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Atomically replace the value with `value ^ it`.")  \
    X(bin_and,        and,            operand,       VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Atomically replace the value with `value & it`.")  \
    X(bin_not,        not,            noarg,         ORDER,   ORDERS_RMW,      \
      ORDER_ARG, "Atomically flip every bit of the value.")                    \
    X(bin_fetch_or,   fetch_or,       operand_fetch, VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Like bin_or, but return the old value.")           \
    X(bin_fetch_xor,  fetch_xor,      operand_fetch, VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Like bin_xor, but return the old value.")          \
    X(bin_fetch_and,  fetch_and,      operand_fetch, VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Like bin_and, but return the old value.")          \
    X(bin_fetch_not,  fetch_not,      noarg_fetch,   ORDER,   ORDERS_RMW,      \
      ORDER_ARG, "Like bin_not, but return the old value.")                    \
    X(add,            add,            operand,       VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Atomically add `value` (wrapping around).")        \
    X(sub,            sub,            operand,       VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Atomically subtract `value` (wrapping around).")   \
    X(inc,            inc,            noarg,         ORDER,   ORDERS_RMW,      \
      ORDER_ARG, "Atomically add one (wrapping around).")                      \
    X(dec,            dec,            noarg,         ORDER,   ORDERS_RMW,      \
      ORDER_ARG, "Atomically subtract one (wrapping around).")                 \
    X(neg,            neg,            noarg,         ORDER,   ORDERS_RMW,      \
      ORDER_ARG, "Atomically negate the value (two's complement).")            \
    X(fetch_add,      fetch_add,      operand_fetch, VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Like add, but return the old value.")              \
    X(fetch_sub,      fetch_sub,      operand_fetch, VALUE,   ORDERS_RMW,      \
      "value, " ORDER_ARG, "Like sub, but return the old value.")              \
    X(fetch_inc,      fetch_inc,      noarg_fetch,   ORDER,   ORDERS_RMW,      \
      ORDER_ARG, "Like inc, but return the old value.")                        \
    X(fetch_dec,      fetch_dec,      noarg_fetch,   ORDER,   ORDERS_RMW,      \
      ORDER_ARG, "Like dec, but return the old value.")                        \
    X(fetch_neg,      fetch_neg,      noarg_fetch,   ORDER,   ORDERS_RMW,      \
      ORDER_ARG, "Like neg, but return the old value.")

/* cmpxchg: the same op under the two families' keyword names, and each also
 * as an `_old` twin for PyPy (atomics/_jit.py), which returns only the value
 * the atomic held and always runs the strong op (so success is exactly
 * "that value equals expected"; a weak op may fail spuriously, not must).
 * X(py name, op, family, params, order names, note) */
#define CMPXCHG_NOTE_WEAK " May fail spuriously: use it in a loop."
#define ATOMICS_CMPXCHG_OPERATIONS(X)                                          \
    X(cmpxchg_weak,   cmpxchg_weak,   int,   CMPXCHG_INT,   "success",         \
      "failure", CMPXCHG_NOTE_WEAK)                                            \
    X(cmpxchg_strong, cmpxchg_strong, int,   CMPXCHG_INT,   "success",         \
      "failure", "")                                                           \
    X(cmpxchg_weak,   cmpxchg_weak,   bytes, CMPXCHG_BYTES, "succ", "fail",    \
      CMPXCHG_NOTE_WEAK)                                                       \
    X(cmpxchg_strong, cmpxchg_strong, bytes, CMPXCHG_BYTES, "succ", "fail", "")

#define CMPXCHG_ARGS(SUCC, FAIL)                                               \
    "expected, desired, " SUCC "=" SEQ_CST ", " FAIL "=" SEQ_CST
#define CMPXCHG_DESC(NOTE)                                                     \
    "If the value equals `expected`, replace it with `desired`. Returns "      \
    "CmpxchgResult(success, expected): whether it was replaced, and the "      \
    "value the atomic held." NOTE

/* ---- single atomics and array elements --------------------------------- */

/* A method's C function: the common call runs the shape inlined with `fast`
 * set; anything else goes to a separate copy, so that its code does not
 * weigh on the fast path. OP names the operation (in errors), FP the ops
 * table entry that runs it (the same, but for the cmpxchg `_old` twins).
 * ELEMENT##_ADDRESS finds the address to work on (for arrays, the selected
 * element's, consuming the index argument) or returns the error. */
#define DEFINE_METHOD(SYM, PYNAME, OP, FP, SHAPE, PID, RULE, DOC, ELEMENT)    \
    HPyDef_METH(SYM, PYNAME, HPyFunc_KEYWORDS, .doc = DOC)                    \
    __attribute__((noinline)) static HPy SYM##_general(                       \
        HPyContext *ctx, AtomicObject *self, char *addr, const HPy *args,     \
        size_t nargs, HPy kwnames)                                            \
    {                                                                         \
        return shape_##SHAPE(ctx, self, addr, patomic_op_##OP, RULE,          \
                             ATOMICS_PARAMS_##PID, PYNAME, args, nargs,       \
                             kwnames, 0, self->ops->fp_##FP);                 \
    }                                                                         \
    static HPy SYM##_impl(HPyContext *ctx, HPy h_self, const HPy *args,       \
                          size_t nargs, HPy kwnames)                          \
    {                                                                         \
        AtomicObject *self = AtomicObject_AsStruct(ctx, h_self);              \
        char *addr;                                                           \
        ELEMENT##_ADDRESS(self, addr);                                        \
        if (nargs == NPOS_##SHAPE && HPy_IsNull(kwnames) && addr != NULL &&   \
            self->ops->fp_##FP != NULL)                                       \
            return shape_##SHAPE(ctx, self, addr, patomic_op_##OP, RULE,      \
                                 ATOMICS_PARAMS_##PID, PYNAME, args, nargs,   \
                                 kwnames, 1, self->ops->fp_##FP);             \
        return SYM##_general(ctx, self, addr, args, nargs, kwnames);          \
    }

/* A single atomic works on its own memory (NULL once released: the general
 * path reports that). */
#define SCALAR_ADDRESS(self, addr) addr = self->addr

/* An array works on element i, its first argument, which is consumed. */
#define ELEMENT_ADDRESS(self, addr)                                           \
    addr = atomics_element_address(ctx, self, args, nargs);                   \
    if (addr == NULL)                                                         \
        return HPy_NULL;                                                      \
    ++args;                                                                   \
    --nargs

#define SCALAR_METHOD(NAME, OP, SHAPE, PID, RULE, ARGS, DESC)                 \
    DEFINE_METHOD(Atomic_##NAME, #NAME, OP, OP, SHAPE, PID, RULE,             \
                  #NAME "($self, " ARGS ")\n--\n\n" DESC, SCALAR)
#define ARRAY_METHOD(NAME, OP, SHAPE, PID, RULE, ARGS, DESC)                  \
    DEFINE_METHOD(Array_##NAME, #NAME, OP, OP, SHAPE, PID, RULE,              \
                  #NAME "($self, i, /, " ARGS ")\n--\n\n" DESC                \
                  " (On element i.)", ELEMENT)

#define CMPXCHG_METHODS(KIND, PREFIX, I, NAME, OP, FAMILY, PID, SUCC, FAIL,   \
                        NOTE)                                                 \
    DEFINE_METHOD(PREFIX##_##NAME##_##FAMILY, #NAME, OP, OP, cmpxchg, PID,    \
                  ORDERS_RMW, #NAME "($self, " I CMPXCHG_ARGS(SUCC, FAIL)     \
                  ")\n--\n\n" CMPXCHG_DESC(NOTE), KIND)                       \
    DEFINE_METHOD(PREFIX##_##NAME##_old_##FAMILY, "_" #NAME "_old", OP,       \
                  cmpxchg_strong, cmpxchg_old, PID, ORDERS_RMW,               \
                  "_" #NAME "_old($self, " I CMPXCHG_ARGS(SUCC, FAIL)         \
                  ")\n--\n\nLike " #NAME ", returning only the value the "  \
                  "atomic held.", KIND)
#define SCALAR_CMPXCHG(...) CMPXCHG_METHODS(SCALAR, Atomic, "", __VA_ARGS__)
#define ARRAY_CMPXCHG(...)                                                    \
    CMPXCHG_METHODS(ELEMENT, Array, "i, /, ", __VA_ARGS__)

ATOMICS_OPERATIONS(SCALAR_METHOD)
ATOMICS_CMPXCHG_OPERATIONS(SCALAR_CMPXCHG)

/* ---- atomic arrays ----------------------------------------------------- */

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

ATOMICS_OPERATIONS(ARRAY_METHOD)
ATOMICS_CMPXCHG_OPERATIONS(ARRAY_CMPXCHG)

/* ---- special methods of single atomics ---------------------------------- */

/* int(atomic): a SEQ_CST load. There is deliberately no __index__. */
HPyDef_SLOT(Atomic_int, HPy_nb_int)
static HPy Atomic_int_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self = AtomicObject_AsStruct(ctx, h_self);
    return shape_load(ctx, self, self->addr, patomic_op_load, ORDERS_LOAD,
                      ATOMICS_PARAMS_ORDER, "__int__", NULL, 0, HPy_NULL, 0,
                      self->ops->fp_load);
}

HPyDef_METH(Atomic_bytes, "__bytes__", HPyFunc_NOARGS,
            .doc = "bytes(atomic): a SEQ_CST load.")
static HPy Atomic_bytes_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self = AtomicObject_AsStruct(ctx, h_self);
    return shape_load(ctx, self, self->addr, patomic_op_load, ORDERS_LOAD,
                      ATOMICS_PARAMS_ORDER, "__bytes__", NULL, 0, HPy_NULL, 0,
                      self->ops->fp_load);
}

/* len(array) */
HPyDef_SLOT(Array_len, HPy_mp_length)
static HPy_ssize_t Array_len_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self = AtomicObject_AsStruct(ctx, h_self);
    if (!atomics_check_live(ctx, self))
        return -1;
    return (HPy_ssize_t)self->length;
}
