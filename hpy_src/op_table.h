/* SPDX-License-Identifier: MIT */
#ifndef ATOMICS_OP_TABLE_H
#define ATOMICS_OP_TABLE_H

/*
 * Every operation of the atomic classes, once. Everything else is derived
 * from this table: the methods and their docstrings (atomic_ops.c), which
 * class lists which method (atomic_type.c, through atomics_list_methods),
 * the ops each kind of object offers (its ops mask), and
 * `native.op_table()`, from which the package builds its PyPy/GraalPy
 * front-ends and the tests their lists of operations.
 *
 *   X(name, op, signature, family, kinds, params, twin, doc)
 *
 *   name       the Python method
 *   op         patomic's op (include/patomic/ops.h): the table slot
 *              fp_<op> that runs it, and its id, which is the OpType
 *   signature  patomic's signature of that slot, patomic_opsig_<signature>_t:
 *              it decides the operands, the result and the valid orders
 *   family     COMMON, BITWISE, ARITHMETIC or CMPXCHG
 *   kinds      which objects have the method: ALL, INTEGRAL or BYTES
 *   params     its Python parameters: ATOMICS_PARAM_NAMES_<params> below
 *   twin       OLD: it also has `_<name>_old`, the same op returning only
 *              the value the atomic held, for atomics/_jit.py; or NONE
 *   doc        its docstring, after the signature line
 *
 * The methods' C names are Atomic_<name>_<kinds> and Array_<name>_<kinds>:
 * cmpxchg has a row per kind, because their order keywords differ (as in
 * atomics 1.0.2).
 */

#define ATOMICS_CMPXCHG_DOC(NOTE)                                           \
    "If the value equals `expected`, replace it with `desired`. Returns "   \
    "CmpxchgResult(success, expected): whether it was replaced, and the "   \
    "value the atomic held." NOTE
#define ATOMICS_WEAK_NOTE " May fail spuriously: use it in a loop."

#define ATOMICS_FOR_EACH_METHOD(X)                                          \
/*  name            op              signature    family      kinds     */   \
/*  params          twin */                                                 \
  X(store,          store,          store,       COMMON,     ALL,           \
    DESIRED,        NONE, "Atomically replace the value with `desired`.")   \
  X(load,           load,           load,        COMMON,     ALL,           \
    ORDER,          NONE, "Atomically read the value.")                     \
  X(exchange,       exchange,       exchange,    COMMON,     ALL,           \
    DESIRED,        NONE,                                                   \
    "Atomically replace the value with `desired`; return the old value.")  \
  X(cmpxchg_weak,   cmpxchg_weak,   cmpxchg,     CMPXCHG,    INTEGRAL,      \
    CMPXCHG_INT,    OLD,  ATOMICS_CMPXCHG_DOC(ATOMICS_WEAK_NOTE))           \
  X(cmpxchg_strong, cmpxchg_strong, cmpxchg,     CMPXCHG,    INTEGRAL,      \
    CMPXCHG_INT,    OLD,  ATOMICS_CMPXCHG_DOC(""))                          \
  X(cmpxchg_weak,   cmpxchg_weak,   cmpxchg,     CMPXCHG,    BYTES,         \
    CMPXCHG_BYTES,  OLD,  ATOMICS_CMPXCHG_DOC(ATOMICS_WEAK_NOTE))           \
  X(cmpxchg_strong, cmpxchg_strong, cmpxchg,     CMPXCHG,    BYTES,         \
    CMPXCHG_BYTES,  OLD,  ATOMICS_CMPXCHG_DOC(""))                          \
  X(bit_test,       bit_test,       test,        BITWISE,    ALL,           \
    INDEX,          NONE,                                                   \
    "Return bit `index` of the value (bit 0 is the least significant).")   \
  X(bit_test_compl, bit_test_compl, test_modify, BITWISE,    ALL,           \
    INDEX,          NONE,                                                   \
    "Atomically flip bit `index`; return its old value.")                  \
  X(bit_test_set,   bit_test_set,   test_modify, BITWISE,    ALL,           \
    INDEX,          NONE,                                                   \
    "Atomically set bit `index` to 1; return its old value.")              \
  X(bit_test_reset, bit_test_reset, test_modify, BITWISE,    ALL,           \
    INDEX,          NONE,                                                   \
    "Atomically set bit `index` to 0; return its old value.")              \
  X(bin_or,         or,             void,        BITWISE,    ALL,           \
    VALUE,          NONE, "Atomically replace the value with `value | it`.")\
  X(bin_xor,        xor,            void,        BITWISE,    ALL,           \
    VALUE,          NONE, "Atomically replace the value with `value ^ it`.")\
  X(bin_and,        and,            void,        BITWISE,    ALL,           \
    VALUE,          NONE, "Atomically replace the value with `value & it`.")\
  X(bin_not,        not,            void_noarg,  BITWISE,    ALL,           \
    ORDER,          NONE, "Atomically flip every bit of the value.")        \
  X(bin_fetch_or,   fetch_or,       fetch,       BITWISE,    ALL,           \
    VALUE,          NONE, "Like bin_or, but return the old value.")         \
  X(bin_fetch_xor,  fetch_xor,      fetch,       BITWISE,    ALL,           \
    VALUE,          NONE, "Like bin_xor, but return the old value.")        \
  X(bin_fetch_and,  fetch_and,      fetch,       BITWISE,    ALL,           \
    VALUE,          NONE, "Like bin_and, but return the old value.")        \
  X(bin_fetch_not,  fetch_not,      fetch_noarg, BITWISE,    ALL,           \
    ORDER,          NONE, "Like bin_not, but return the old value.")        \
  X(add,            add,            void,        ARITHMETIC, INTEGRAL,      \
    VALUE,          NONE, "Atomically add `value` (wrapping around).")      \
  X(sub,            sub,            void,        ARITHMETIC, INTEGRAL,      \
    VALUE,          NONE, "Atomically subtract `value` (wrapping around).") \
  X(inc,            inc,            void_noarg,  ARITHMETIC, INTEGRAL,      \
    ORDER,          NONE, "Atomically add one (wrapping around).")          \
  X(dec,            dec,            void_noarg,  ARITHMETIC, INTEGRAL,      \
    ORDER,          NONE, "Atomically subtract one (wrapping around).")     \
  X(neg,            neg,            void_noarg,  ARITHMETIC, INTEGRAL,      \
    ORDER,          NONE, "Atomically negate the value (two's complement).")\
  X(fetch_add,      fetch_add,      fetch,       ARITHMETIC, INTEGRAL,      \
    VALUE,          NONE, "Like add, but return the old value.")            \
  X(fetch_sub,      fetch_sub,      fetch,       ARITHMETIC, INTEGRAL,      \
    VALUE,          NONE, "Like sub, but return the old value.")            \
  X(fetch_inc,      fetch_inc,      fetch_noarg, ARITHMETIC, INTEGRAL,      \
    ORDER,          NONE, "Like inc, but return the old value.")            \
  X(fetch_dec,      fetch_dec,      fetch_noarg, ARITHMETIC, INTEGRAL,      \
    ORDER,          NONE, "Like dec, but return the old value.")            \
  X(fetch_neg,      fetch_neg,      fetch_noarg, ARITHMETIC, INTEGRAL,      \
    ORDER,          NONE, "Like neg, but return the old value.")

/*
 * The parameter lists, each once: how many operands, then the names
 * (operands first, memory orders after them, each defaulting to SEQ_CST).
 * Both the methods' argument parsing and their docstrings' signature lines
 * are made from these.
 */
#define ATOMICS_PARAM_NAMES_ORDER         0, "order"
#define ATOMICS_PARAM_NAMES_DESIRED       1, "desired", "order"
#define ATOMICS_PARAM_NAMES_VALUE         1, "value", "order"
#define ATOMICS_PARAM_NAMES_INDEX         1, "index", "order"
#define ATOMICS_PARAM_NAMES_CMPXCHG_INT                                     \
    2, "expected", "desired", "success", "failure"
#define ATOMICS_PARAM_NAMES_CMPXCHG_BYTES                                   \
    2, "expected", "desired", "succ", "fail"

#define ATOMICS_FOR_EACH_PARAMS(X)                                          \
    X(ORDER) X(DESIRED) X(VALUE) X(INDEX) X(CMPXCHG_INT) X(CMPXCHG_BYTES)

#endif /* ATOMICS_OP_TABLE_H */
