/* SPDX-License-Identifier: MIT */
#ifndef ATOMICS_DESCRIPTORS_H
#define ATOMICS_DESCRIPTORS_H

/*
 * The operations as constant descriptors: one per row of op_table.h, made
 * in atomic_ops.c, and what it takes to run one (the slot of patomic's ops
 * table, the memory orders it accepts). Shared by the methods
 * (atomic_ops.c) and the calls GraalPy makes from other threads (away.c),
 * so both run an op from the same description.
 */

#include "atomic.h"

/* patomic's signatures (include/patomic/ops.h). */
#define FOR_EACH_SIGNATURE(X)                                               \
    X(store) X(load) X(exchange) X(cmpxchg) X(test) X(test_modify) X(void)  \
    X(void_noarg) X(fetch) X(fetch_noarg)

typedef enum {
#define SIGNATURE_ID(SIG) SIG_##SIG,
    FOR_EACH_SIGNATURE(SIGNATURE_ID)
#undef SIGNATURE_ID
} signature_t;

typedef enum { COMMON, BITWISE, ARITHMETIC, CMPXCHG } family_t;

/* The kinds column: bit 1 << atomics_kind_t per kind that has the op. */
#define KINDS_INTEGRAL (1u << ATOMICS_KIND_INTEGRAL)
#define KINDS_BYTES (1u << ATOMICS_KIND_BYTES)
#define KINDS_ALL (KINDS_INTEGRAL | KINDS_BYTES)

/** One operation: a row of op_table.h. */
typedef struct {
    const char *name;     /* the Python method */
    const char *twin;     /* its `_old` twin's name, or NULL */
    const char *op_name;  /* patomic's name of the op */
    patomic_op_id_t op;   /* patomic's id of the op, = OpType */
    size_t slot;          /* offsetof(patomic_ops_t, fp_<op>) */
    signature_t sig;
    family_t family;
    unsigned kinds;       /* KINDS_* */
    const atomics_params_t *params;
} op_t;


/* What a method makes of the op's outcome: the documented result, or (the
 * `_old` twins of cmpxchg) only the value the atomic held, as a hardware
 * compare-exchange returns it. PyPy's front-end builds the CmpxchgResult
 * in Python from that (atomics/_jit.py): making one in C costs more than
 * the operation there. A twin runs the strong op, so that success is
 * exactly "the value equals `expected`" (a weak one may fail spuriously,
 * it need not). */
typedef enum { RESULT, OLD_VALUE } result_t;

/* Where the op's function pointer is in @p ops: a field of the type
 * patomic_opsig_<op->sig>_t. */
static inline const void *op_slot(const patomic_ops_t *ops, const op_t *op,
                               result_t result)
{
    size_t offset = result == OLD_VALUE
                        ? offsetof(patomic_ops_t, fp_cmpxchg_strong)
                        : op->slot;
    return (const char *)ops + offset;
}

#define FP(SIG, SLOT) (*(const patomic_opsig_##SIG##_t *)(SLOT))

/* Whether this object's ops table has the op. */
static inline int has_op(const patomic_ops_t *ops, const op_t *op,
                         result_t result)
{
    const void *p = op_slot(ops, op, result);
    switch (op->sig) {
#define HAS_OP(SIG)                                                         \
    case SIG_##SIG:                                                         \
        return FP(SIG, p) != NULL;
        FOR_EACH_SIGNATURE(HAS_OP)
#undef HAS_OP
    }
    return 0;
}

/* Whether the op takes @p order (cmpxchg's failure order aside). */
static inline int order_is_valid(signature_t sig, int order)
{
    switch (sig) {
    case SIG_store:
        return patomic_is_valid_store_order(order);
    case SIG_load:
    case SIG_test:
        return patomic_is_valid_load_order(order);
    default:
        return 1;
    }
}

/** The descriptor of @p op for atomics of @p kind (NULL: none has it). */
const op_t *atomics_op_descriptor(int op, atomics_kind_t kind);

#endif /* ATOMICS_DESCRIPTORS_H */
