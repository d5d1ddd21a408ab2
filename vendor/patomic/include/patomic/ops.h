/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_OPS_H
#define PATOMIC_OPS_H

/**
 * @file ops.h
 * @brief Signatures of the atomic operations and the per-width ops table.
 *
 * Every op works on an object of the table's width at @p obj and takes its
 * operands and results as untyped pointers to objects of the same width in
 * native byte order (so one signature serves every width). Arguments come in
 * the order: object, operands, memory order(s), result. Arithmetic wraps
 * around (two's complement), which makes one set of ops serve signed and
 * unsigned integers alike.
 *
 * Preconditions (the ops check none of them, to stay one instruction away
 * from the hardware): @p obj meets the width's alignment, the memory orders
 * are valid for the op (see memory_order.h), and bit offsets are below
 * 8 * width.
 */

/** @brief `*obj = *desired` */
typedef void (*patomic_opsig_store_t)(volatile void *obj, const void *desired,
                                      int order);
/** @brief `*ret = *obj`; never writes to @p obj. */
typedef void (*patomic_opsig_load_t)(const volatile void *obj, int order,
                                     void *ret);
/** @brief `*ret = *obj; *obj = *desired` as one step. */
typedef void (*patomic_opsig_exchange_t)(volatile void *obj,
                                         const void *desired, int order,
                                         void *ret);
/**
 * @brief If `*obj == *expected`, `*obj = *desired` and return 1; otherwise
 *        `*expected = *obj` and return 0. The weak form may fail spuriously.
 */
typedef int (*patomic_opsig_cmpxchg_t)(volatile void *obj, void *expected,
                                       const void *desired, int succ,
                                       int fail);
/** @brief Return bit @p offset of `*obj`; never writes to @p obj. */
typedef int (*patomic_opsig_test_t)(const volatile void *obj, int offset,
                                    int order);
/** @brief Return bit @p offset of `*obj`, then flip/set/reset it. */
typedef int (*patomic_opsig_test_modify_t)(volatile void *obj, int offset,
                                           int order);
/** @brief `*obj = *obj OP *arg`. */
typedef void (*patomic_opsig_void_t)(volatile void *obj, const void *arg,
                                     int order);
/** @brief `*obj = OP *obj`. */
typedef void (*patomic_opsig_void_noarg_t)(volatile void *obj, int order);
/** @brief `*ret = *obj; *obj = *obj OP *arg` as one step. */
typedef void (*patomic_opsig_fetch_t)(volatile void *obj, const void *arg,
                                      int order, void *ret);
/** @brief `*ret = *obj; *obj = OP *obj` as one step. */
typedef void (*patomic_opsig_fetch_noarg_t)(volatile void *obj, int order,
                                            void *ret);

/**
 * @brief Every op, once: X(A, id, name, signature), A passed through.
 *
 * The ids are the values of the Python binding's `OpType` enum. Expanding
 * this list (rather than writing the ops out by hand in several places) keeps
 * the table, the id enum and the support mask in step.
 */
#define PATOMIC_FOR_EACH_OP(X, A)                   \
    X(A,  1, store,          store)                 \
    X(A,  2, load,           load)                  \
    X(A,  3, exchange,       exchange)              \
    X(A,  4, cmpxchg_weak,   cmpxchg)               \
    X(A,  5, cmpxchg_strong, cmpxchg)               \
    X(A,  6, bit_test,       test)                  \
    X(A,  7, bit_test_compl, test_modify)           \
    X(A,  8, bit_test_set,   test_modify)           \
    X(A,  9, bit_test_reset, test_modify)           \
    X(A, 10, or,             void)                  \
    X(A, 11, xor,            void)                  \
    X(A, 12, and,            void)                  \
    X(A, 13, not,            void_noarg)            \
    X(A, 14, fetch_or,       fetch)                 \
    X(A, 15, fetch_xor,      fetch)                 \
    X(A, 16, fetch_and,      fetch)                 \
    X(A, 17, fetch_not,      fetch_noarg)           \
    X(A, 18, add,            void)                  \
    X(A, 19, sub,            void)                  \
    X(A, 20, inc,            void_noarg)            \
    X(A, 21, dec,            void_noarg)            \
    X(A, 22, neg,            void_noarg)            \
    X(A, 23, fetch_add,      fetch)                 \
    X(A, 24, fetch_sub,      fetch)                 \
    X(A, 25, fetch_inc,      fetch_noarg)           \
    X(A, 26, fetch_dec,      fetch_noarg)           \
    X(A, 27, fetch_neg,      fetch_noarg)

/** @brief Op ids: `patomic_op_<name>`. */
typedef enum {
#define PATOMIC_DECLARE_OP_ID(_, id, name, sig) patomic_op_##name = id,
    PATOMIC_FOR_EACH_OP(PATOMIC_DECLARE_OP_ID, _)
#undef PATOMIC_DECLARE_OP_ID
    patomic_op_LAST = 27
} patomic_op_id_t;

/**
 * @brief One width's ops: a field `fp_<name>` per op. NULL means the op is
 *        not available lock-free for this width on this machine.
 */
typedef struct {
#define PATOMIC_DECLARE_OP_FIELD(_, id, name, sig) patomic_opsig_##sig##_t fp_##name;
    PATOMIC_FOR_EACH_OP(PATOMIC_DECLARE_OP_FIELD, _)
#undef PATOMIC_DECLARE_OP_FIELD
} patomic_ops_t;

#endif /* PATOMIC_OPS_H */
