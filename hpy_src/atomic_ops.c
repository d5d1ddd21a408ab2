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

#include <string.h>

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
        AtomicObject *self;                                                   \
        char *addr;                                                           \
        if (atomics_away())                                                   \
            return atomics_away_reply(ctx);                                   \
        self = AtomicObject_AsStruct(ctx, h_self);                            \
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
    AtomicObject *self;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    return shape_load(ctx, self, self->addr, patomic_op_load, ORDERS_LOAD,
                      ATOMICS_PARAMS_ORDER, "__int__", NULL, 0, HPy_NULL, 0,
                      self->ops->fp_load);
}

HPyDef_METH(Atomic_bytes, "__bytes__", HPyFunc_NOARGS,
            .doc = "bytes(atomic): a SEQ_CST load.")
static HPy Atomic_bytes_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    return shape_load(ctx, self, self->addr, patomic_op_load, ORDERS_LOAD,
                      ATOMICS_PARAMS_ORDER, "__bytes__", NULL, 0, HPy_NULL, 0,
                      self->ops->fp_load);
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

/* ---- calls from other threads on GraalPy (see atomic.h) ---------------- */

int atomics_home_only;
pthread_t atomics_home;

/* Whether this interpreter's handles are laid out as below (checked by
 * atomics_set_home on the home thread). */
int atomics_away_ok;

/*
 * GraalPy 24 passes a small int as a handle holding INT_TAG plus its 32
 * bits, and a float as its IEEE bits plus DOUBLE_BASE, and reads handles it
 * gets back the same way; any other handle is an index into a table that
 * only a call back into the interpreter can read. `_away` takes and returns
 * only such numbers, read and made here without calling anything.
 */
#define AWAY_INT_TAG 0x0001000000000000ull
#define AWAY_TAG_MASK 0xFFFF000000000000ull
#define AWAY_DOUBLE_BASE 0x0007000000000000ull

static uint64_t away_bits(HPy h) { return (uint64_t)h._i; }

/* The number a boxed int or float handle holds; -1 if it holds neither. */
static int away_number(HPy h, double *out)
{
    uint64_t bits = away_bits(h);
    if ((bits & AWAY_TAG_MASK) == AWAY_INT_TAG) {
        *out = (double)(int32_t)(uint32_t)bits;
        return 0;
    }
    if (bits >= AWAY_DOUBLE_BASE) {
        bits -= AWAY_DOUBLE_BASE;
        memcpy(out, &bits, sizeof *out);
        return 0;
    }
    return -1;
}

static HPy away_int(int32_t value)
{
    return (HPy){(HPy_ssize_t)(AWAY_INT_TAG + (uint32_t)value)};
}

/* (finite values only) */
static HPy away_float(double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return (HPy){(HPy_ssize_t)(bits + AWAY_DOUBLE_BASE)};
}

int atomics_set_home(HPyContext *ctx, HPy probe)
{
    /* probe is (7, -7, 2.5, 2**40): two boxed ints, a boxed float and an
     * int too big to box */
    static const double expected[3] = {7, -7, 2.5};
    HPy items[4], made;
    double number;
    int i, ok = 1;
    for (i = 0; i < 4; ++i) {
        items[i] = HPy_GetItem_i(ctx, probe, i);
        if (HPy_IsNull(items[i])) {
            while (i--)
                HPy_Close(ctx, items[i]);
            return -1;
        }
    }
    for (i = 0; i < 3; ++i)
        ok &= away_number(items[i], &number) == 0 && number == expected[i];
    ok &= away_number(items[3], &number) < 0;
    for (i = 0; i < 4; ++i)
        HPy_Close(ctx, items[i]);
    /* what `_away` returns must read back as what GraalPy makes itself */
    made = HPyLong_FromInt32_t(ctx, -7);
    ok &= away_bits(made) == away_bits(away_int(-7));
    HPy_Close(ctx, made);
    made = HPyFloat_FromDouble(ctx, 2.5);
    ok &= away_bits(made) == away_bits(away_float(2.5));
    HPy_Close(ctx, made);
    made = HPy_Dup(ctx, ctx->h_NotImplemented);
    ok &= away_bits(made) == away_bits(ctx->h_NotImplemented);
    HPy_Close(ctx, made);
    atomics_home = pthread_self();
    atomics_away_ok = ok;
    atomics_home_only = 1;
    return 0;
}

HPy atomics_away_reply(HPyContext *ctx)
{
    return atomics_away_ok ? HPy_Dup(ctx, ctx->h_NotImplemented) : HPy_NULL;
}

/* `_away`'s answers besides a float: 0 means "the value is too wide for a
 * float: read its three parts with op -2"; the others name the error that
 * the regular call would raise (atomics/_jit.py raises it). */
enum {
    AWAY_SPILLED = 0,
    AWAY_RELEASED,
    AWAY_NO_OP,
    AWAY_ORDER_TYPE,
    AWAY_ORDER,
    AWAY_FAIL_ORDER_TYPE,
    AWAY_FAIL_ORDER,
    AWAY_OPERAND_TYPE, /* spill[0]: which operand (0 or 1) */
    AWAY_NEGATIVE,
    AWAY_TOO_BIG,
    AWAY_BIT_INDEX_TYPE,
    AWAY_BIT_INDEX,
    AWAY_INDEX_TYPE,
    AWAY_INDEX,
    AWAY_BAD_CALL
};

/* _away(op, order, fail, index, operand a, operand b): each int as three
 * numbers (see away_int_t) */
#define AWAY_NARGS 12

static _Thread_local double away_spill[3];

__extension__ typedef unsigned __int128 away_u128;
__extension__ typedef __int128 away_s128;

/* An int as Python passes it: top * 2**96 + mid * 2**48 + low, with low and
 * mid in [0, 2**48) and top clamped to [-2**33, 2**33] (so it says whether
 * the int is beyond every width); top NaN: the argument is not an int. */
typedef struct {
    away_u128 u; /* the low 128 bits, two's complement */
    int64_t top;
} away_wide_t;

static int away_wide(const double *parts, away_wide_t *out)
{
    const double limit = (double)((int64_t)1 << 48);
    if (parts[2] != parts[2])
        return -1;
    /* (anything else is not what atomics/_jit.py passes) */
    if (!(parts[0] >= 0 && parts[0] < limit && parts[1] >= 0 &&
          parts[1] < limit && parts[2] >= -2 * (limit / 65536) &&
          parts[2] <= 2 * (limit / 65536)))
        return -2;
    out->top = (int64_t)parts[2];
    out->u = ((away_u128)(uint64_t)out->top << 96) |
             ((away_u128)(uint64_t)parts[1] << 48) | (uint64_t)parts[0];
    return 0;
}

/* The value as the atomic's native bytes, or the range error's code. */
static int away_to_value(const AtomicObject *self, const away_wide_t *v,
                         atomics_value_t *out)
{
    int bits = 8 * self->width;
    if (!self->is_signed) {
        if (v->top < 0)
            return AWAY_NEGATIVE;
        if (bits == 128 ? v->top >= (int64_t)1 << 32
                        : v->top != 0 || (v->u >> bits) != 0)
            return AWAY_TOO_BIG;
    } else {
        away_s128 s = (away_s128)v->u;
        if (v->top < -((int64_t)1 << 31) || v->top >= (int64_t)1 << 31)
            return AWAY_TOO_BIG;
        if (bits < 128 && (s < -((away_s128)1 << (bits - 1)) ||
                           s >= (away_s128)1 << (bits - 1)))
            return AWAY_TOO_BIG;
    }
    switch (self->width) {
#define AWAY_STORE_AS(T)                                                    \
    {                                                                       \
        T narrow = (T)v->u;                                                 \
        memcpy(out->bytes, &narrow, sizeof narrow);                         \
        return 0;                                                           \
    }
    case 1: AWAY_STORE_AS(uint8_t)
    case 2: AWAY_STORE_AS(uint16_t)
    case 4: AWAY_STORE_AS(uint32_t)
    case 8: AWAY_STORE_AS(uint64_t)
    default: AWAY_STORE_AS(away_u128)
#undef AWAY_STORE_AS
    }
}

/* The value in the atomic's native bytes, as a float if that is exact, else
 * spilled in three parts. */
static HPy away_result(const AtomicObject *self, const atomics_value_t *in)
{
    const away_s128 exact = (away_s128)1 << 53;
    away_s128 s = 0;
    away_u128 u = 0;
    int wide_unsigned = 0;
    switch (self->width) {
#define AWAY_LOAD_AS(S, U)                                                  \
    if (self->is_signed) {                                                  \
        S narrow;                                                           \
        memcpy(&narrow, in->bytes, sizeof narrow);                          \
        s = narrow;                                                         \
    } else {                                                                \
        U narrow;                                                           \
        memcpy(&narrow, in->bytes, sizeof narrow);                          \
        s = (away_s128)narrow;                                              \
        wide_unsigned = sizeof(U) == 16 && (narrow >> 127) != 0;            \
    }                                                                       \
    break;
    case 1: AWAY_LOAD_AS(int8_t, uint8_t)
    case 2: AWAY_LOAD_AS(int16_t, uint16_t)
    case 4: AWAY_LOAD_AS(int32_t, uint32_t)
    case 8: AWAY_LOAD_AS(int64_t, uint64_t)
    default: AWAY_LOAD_AS(away_s128, away_u128)
#undef AWAY_LOAD_AS
    }
    if (!wide_unsigned && s > -exact && s < exact)
        return away_float((double)(int64_t)s);
    u = (away_u128)s;
    away_spill[0] = (double)(uint64_t)(u & 0xFFFFFFFFFFFFull);
    away_spill[1] = (double)(uint64_t)((u >> 48) & 0xFFFFFFFFFFFFull);
    away_spill[2] = wide_unsigned ? (double)(uint64_t)(u >> 96)
                                  : (double)(int64_t)(s >> 96);
    return away_int(AWAY_SPILLED);
}

/* a[1] as a memory order valid under @p rule, or an error code */
static int away_order(const double *a, order_rule_t rule, int *order)
{
    if (a[1] == -1)
        return AWAY_ORDER_TYPE;
    if (!(a[1] >= 0 && a[1] <= patomic_SEQ_CST))
        return AWAY_BAD_CALL;
    *order = (int)a[1];
    if ((rule == ORDERS_STORE && !patomic_is_valid_store_order(*order)) ||
        (rule == ORDERS_LOAD && !patomic_is_valid_load_order(*order)))
        return AWAY_ORDER;
    return 0;
}

/* operand @p which (a[6..8] or a[9..11]) as native bytes, or an error code */
static int away_value_arg(const AtomicObject *self, const double *a,
                          int which, atomics_value_t *out)
{
    away_wide_t v;
    int rc = away_wide(a + 6 + 3 * which, &v);
    if (rc == -1) {
        away_spill[0] = which;
        return AWAY_OPERAND_TYPE;
    }
    return rc < 0 ? AWAY_BAD_CALL : away_to_value(self, &v, out);
}

/* a[6..8] as a bit index of the atomic, or an error code (as negative) */
static int away_bit_index(const AtomicObject *self, const double *a)
{
    away_wide_t v;
    int rc = away_wide(a + 6, &v);
    if (rc < 0)
        return rc == -1 ? -AWAY_BIT_INDEX_TYPE : -AWAY_BAD_CALL;
    if (v.top != 0 || v.u >= (away_u128)(8 * self->width))
        return -AWAY_BIT_INDEX;
    return (int)v.u;
}

#define AWAY_ARGS const AtomicObject *self, char *addr, order_rule_t rule,  \
                  const double *a
/* the checks every shape starts with, in the regular calls' order */
#define AWAY_PREPARE(order)                                                 \
    int order, err_;                                                        \
    if (fp == NULL)                                                         \
        return away_int(AWAY_NO_OP);                                        \
    if ((err_ = away_order(a, rule, &order)) != 0)                          \
        return away_int(err_)

static HPy away_load(AWAY_ARGS, patomic_opsig_load_t fp)
{
    atomics_value_t result;
    AWAY_PREPARE(order);
    fp(addr, order, &result);
    return away_result(self, &result);
}

static HPy away_operand_fetch(AWAY_ARGS, patomic_opsig_fetch_t fp)
{
    atomics_value_t operand, result;
    AWAY_PREPARE(order);
    if ((err_ = away_value_arg(self, a, 0, &operand)) != 0)
        return away_int(err_);
    fp(addr, &operand, order, &result);
    return away_result(self, &result);
}

static HPy away_operand(AWAY_ARGS, patomic_opsig_void_t fp)
{
    atomics_value_t operand;
    AWAY_PREPARE(order);
    if ((err_ = away_value_arg(self, a, 0, &operand)) != 0)
        return away_int(err_);
    fp(addr, &operand, order);
    return away_float(0);
}

static HPy away_noarg(AWAY_ARGS, patomic_opsig_void_noarg_t fp)
{
    AWAY_PREPARE(order);
    (void)self;
    fp(addr, order);
    return away_float(0);
}

static HPy away_noarg_fetch(AWAY_ARGS, patomic_opsig_fetch_noarg_t fp)
{
    atomics_value_t result;
    AWAY_PREPARE(order);
    fp(addr, order, &result);
    return away_result(self, &result);
}

static HPy away_test(AWAY_ARGS, patomic_opsig_test_t fp)
{
    int index;
    AWAY_PREPARE(order);
    if ((index = away_bit_index(self, a)) < 0)
        return away_int(-index);
    return away_float(fp(addr, index, order) != 0);
}

static HPy away_test_modify(AWAY_ARGS, patomic_opsig_test_modify_t fp)
{
    int index;
    AWAY_PREPARE(order);
    if ((index = away_bit_index(self, a)) < 0)
        return away_int(-index);
    return away_float(fp(addr, index, order) != 0);
}

/* cmpxchg_weak and _strong alike run the strong op, as the `_old` twins
 * do: Python tells success from the old value */
static HPy away_cmpxchg(AWAY_ARGS, patomic_opsig_cmpxchg_t fp)
{
    atomics_value_t expected, desired;
    int fail;
    AWAY_PREPARE(succ);
    if (a[2] == -1)
        return away_int(AWAY_FAIL_ORDER_TYPE);
    if (!(a[2] >= 0 && a[2] <= patomic_SEQ_CST))
        return away_int(AWAY_BAD_CALL);
    fail = (int)a[2];
    if (!patomic_is_valid_fail_order(succ, fail))
        return away_int(AWAY_FAIL_ORDER);
    if ((err_ = away_value_arg(self, a, 0, &expected)) != 0 ||
        (err_ = away_value_arg(self, a, 1, &desired)) != 0)
        return away_int(err_);
    fp(addr, &expected, &desired, succ, fail);
    return away_result(self, &expected);
}

/* The address of the element a[3..5] names, or NULL with *err set. */
static char *away_element(const AtomicObject *self, const double *a, int *err)
{
    away_wide_t v;
    away_s128 i;
    int rc = away_wide(a + 3, &v);
    if (rc < 0) {
        *err = rc == -1 ? AWAY_INDEX_TYPE : AWAY_BAD_CALL;
        return NULL;
    }
    i = (away_s128)v.u;
    if (v.top < -1 || v.top > 0)
        i = -((away_s128)1 << 100); /* out of range either way */
    if (i < 0)
        i += self->length;
    if (i < 0 || i >= self->length) {
        *err = AWAY_INDEX;
        return NULL;
    }
    return self->addr + (int64_t)i * self->width;
}

static HPy away_call(const AtomicObject *self, int is_array, const HPy *args,
                     size_t nargs)
{
    double a[AWAY_NARGS];
    char *addr;
    int err = 0;
    size_t i;
    if (nargs != AWAY_NARGS)
        return away_int(AWAY_BAD_CALL);
    for (i = 0; i < AWAY_NARGS; ++i)
        if (away_number(args[i], &a[i]) < 0)
            return away_int(AWAY_BAD_CALL);
    if (!(a[0] >= -3 && a[0] <= patomic_op_LAST))
        return away_int(AWAY_BAD_CALL);
    if (a[0] == -2) /* a part of a spilled value */
        return away_float(a[1] >= 0 && a[1] < 3 ? away_spill[(int)a[1]] : 0);
    if (self->addr == NULL)
        return away_int(AWAY_RELEASED);
    if (a[0] == -1) /* the properties: width, readonly, signed, ops mask */
        return away_float((double)((uint64_t)self->width |
                                   (uint64_t)self->readonly << 5 |
                                   (uint64_t)self->is_signed << 6 |
                                   (uint64_t)self->ops_mask << 7));
    if (a[0] == -3)
        return away_float((double)self->length);
    addr = self->addr;
    if (is_array && (addr = away_element(self, a, &err)) == NULL)
        return away_int(err);
    switch ((int)a[0]) {
#define AWAY_CASE(NAME, OP, SHAPE, PID, RULE, ARGS, DESC)                   \
    case patomic_op_##OP:                                                   \
        return away_##SHAPE(self, addr, RULE, a, self->ops->fp_##OP);
        ATOMICS_OPERATIONS(AWAY_CASE)
#undef AWAY_CASE
    case patomic_op_cmpxchg_weak:
    case patomic_op_cmpxchg_strong:
        return away_cmpxchg(self, addr, ORDERS_RMW, a,
                            self->ops->fp_cmpxchg_strong);
    default:
        return away_int(AWAY_BAD_CALL);
    }
}

#define AWAY_DOC(ARGS)                                                      \
    "_away($self, " ARGS ")\n--\n\n"                                        \
    "The operations for threads that GraalPy cannot call back from "        \
    "(internal: atomics/_jit.py)."

HPyDef_METH(Atomic_away, "_away", HPyFunc_VARARGS,
            .doc = AWAY_DOC("op, order, fail, *parts"))
static HPy Atomic_away_impl(HPyContext *ctx, HPy h_self, const HPy *args,
                            size_t nargs)
{
    if (!atomics_away_ok)
        return HPy_NULL; /* (even AsStruct might call back) */
    return away_call(AtomicObject_AsStruct(ctx, h_self), 0, args, nargs);
}

HPyDef_METH(Array_away, "_away", HPyFunc_VARARGS,
            .doc = AWAY_DOC("op, order, fail, *parts"))
static HPy Array_away_impl(HPyContext *ctx, HPy h_self, const HPy *args,
                           size_t nargs)
{
    if (!atomics_away_ok)
        return HPy_NULL;
    return away_call(AtomicObject_AsStruct(ctx, h_self), 1, args, nargs);
}
