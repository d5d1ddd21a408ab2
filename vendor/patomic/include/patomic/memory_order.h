/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_MEMORY_ORDER_H
#define PATOMIC_MEMORY_ORDER_H

/**
 * @file memory_order.h
 * @brief C11/C++11 memory orders and the rules for which order an operation
 *        accepts.
 *
 * The numeric values are part of the contract: the Python binding's
 * `MemoryOrder` enum uses the same numbers, so an order crosses the boundary
 * as a plain int.
 *
 * The ops never validate their order (they only map it to the nearest
 * supported one); callers validate with the helpers below first.
 */

/** @brief Memory orders, numbered as in C11's `memory_order`. */
typedef enum {
    patomic_RELAXED = 0,
    patomic_CONSUME = 1, /**< treated as ACQUIRE, as every compiler does */
    patomic_ACQUIRE = 2,
    patomic_RELEASE = 3,
    patomic_ACQ_REL = 4,
    patomic_SEQ_CST = 5
} patomic_memory_order_t;

/** @brief Non-zero if @p order is one of the six memory orders. */
static inline int patomic_is_valid_order(int order)
{
    return order >= patomic_RELAXED && order <= patomic_SEQ_CST;
}

/** @brief Non-zero if @p order may be used for a store. */
static inline int patomic_is_valid_store_order(int order)
{
    return order == patomic_RELAXED || order == patomic_RELEASE ||
           order == patomic_SEQ_CST;
}

/** @brief Non-zero if @p order may be used for a load (or bit test). */
static inline int patomic_is_valid_load_order(int order)
{
    return order == patomic_RELAXED || order == patomic_CONSUME ||
           order == patomic_ACQUIRE || order == patomic_SEQ_CST;
}

/**
 * @brief Non-zero if @p fail may be the failure order of a compare-exchange
 *        whose success order is @p succ.
 *
 * The failure path is a load, so it needs a load order, and it may not be
 * stronger than the success order (the C11 rule that gcc also enforces).
 */
static inline int patomic_is_valid_fail_order(int succ, int fail)
{
    return patomic_is_valid_order(succ) && patomic_is_valid_load_order(fail) &&
           fail <= succ;
}

#endif /* PATOMIC_MEMORY_ORDER_H */
