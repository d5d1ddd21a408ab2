/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_WRAPPED_ORDER_H
#define PATOMIC_WRAPPED_ORDER_H

/**
 * @file order.h
 * @brief Turn a runtime memory order into a compile-time one.
 *
 * Compiler builtins honour an order only when it is a constant (gcc silently
 * uses SEQ_CST for anything else), so each op switches on the order and
 * expands its primitive once per order the operation accepts. An order the
 * operation does not accept (the caller validates) maps to SEQ_CST, which is
 * always correct, only slower.
 *
 * Each macro expands `PRIM(args..., ORDER)` as one statement per case, with
 * ORDER a `patomic_memory_order_t` constant; for compare-exchange it is
 * `PRIM(args..., SUCC, FAIL)`.
 */

#include <patomic/memory_order.h>

/** @brief Dispatch over the orders a store accepts. */
#define PATOMIC_SWITCH_STORE_ORDER(order, PRIM, ...)                        \
    switch (order) {                                                        \
    case patomic_RELAXED: PRIM(__VA_ARGS__, patomic_RELAXED); break;        \
    case patomic_RELEASE: PRIM(__VA_ARGS__, patomic_RELEASE); break;        \
    default:              PRIM(__VA_ARGS__, patomic_SEQ_CST); break;        \
    }

/** @brief Dispatch over the orders a load accepts (CONSUME as ACQUIRE). */
#define PATOMIC_SWITCH_LOAD_ORDER(order, PRIM, ...)                         \
    switch (order) {                                                        \
    case patomic_RELAXED: PRIM(__VA_ARGS__, patomic_RELAXED); break;        \
    case patomic_CONSUME:                                                   \
    case patomic_ACQUIRE: PRIM(__VA_ARGS__, patomic_ACQUIRE); break;        \
    default:              PRIM(__VA_ARGS__, patomic_SEQ_CST); break;        \
    }

/** @brief Dispatch over the orders a read-modify-write accepts (all). */
#define PATOMIC_SWITCH_RMW_ORDER(order, PRIM, ...)                          \
    switch (order) {                                                        \
    case patomic_RELAXED: PRIM(__VA_ARGS__, patomic_RELAXED); break;        \
    case patomic_CONSUME:                                                   \
    case patomic_ACQUIRE: PRIM(__VA_ARGS__, patomic_ACQUIRE); break;        \
    case patomic_RELEASE: PRIM(__VA_ARGS__, patomic_RELEASE); break;        \
    case patomic_ACQ_REL: PRIM(__VA_ARGS__, patomic_ACQ_REL); break;        \
    default:              PRIM(__VA_ARGS__, patomic_SEQ_CST); break;        \
    }

/**
 * @brief Dispatch over the valid (success, failure) pairs of a
 *        compare-exchange: the failure order is a load order no stronger
 *        than the success order.
 */
#define PATOMIC_SWITCH_CMPXCHG_ORDER(succ, fail, PRIM, ...)                 \
    switch (succ) {                                                         \
    case patomic_RELAXED:                                                   \
        PRIM(__VA_ARGS__, patomic_RELAXED, patomic_RELAXED); break;         \
    case patomic_CONSUME:                                                   \
    case patomic_ACQUIRE:                                                   \
        if ((fail) == patomic_RELAXED)                                      \
            PRIM(__VA_ARGS__, patomic_ACQUIRE, patomic_RELAXED);            \
        else                                                                \
            PRIM(__VA_ARGS__, patomic_ACQUIRE, patomic_ACQUIRE);            \
        break;                                                              \
    case patomic_RELEASE:                                                   \
        if ((fail) == patomic_RELAXED)                                      \
            PRIM(__VA_ARGS__, patomic_RELEASE, patomic_RELAXED);            \
        else                                                                \
            PRIM(__VA_ARGS__, patomic_RELEASE, patomic_ACQUIRE);            \
        break;                                                              \
    case patomic_ACQ_REL:                                                   \
        if ((fail) == patomic_RELAXED)                                      \
            PRIM(__VA_ARGS__, patomic_ACQ_REL, patomic_RELAXED);            \
        else                                                                \
            PRIM(__VA_ARGS__, patomic_ACQ_REL, patomic_ACQUIRE);            \
        break;                                                              \
    default:                                                                \
        if ((fail) == patomic_RELAXED)                                      \
            PRIM(__VA_ARGS__, patomic_SEQ_CST, patomic_RELAXED);            \
        else if ((fail) == patomic_CONSUME || (fail) == patomic_ACQUIRE)    \
            PRIM(__VA_ARGS__, patomic_SEQ_CST, patomic_ACQUIRE);            \
        else                                                                \
            PRIM(__VA_ARGS__, patomic_SEQ_CST, patomic_SEQ_CST);            \
        break;                                                              \
    }

/**
 * @brief The failure order to pair with a read-modify-write's @p order when
 *        it is built from a compare-exchange loop: the strongest order that
 *        is valid for a failure path of that success order.
 */
static inline int patomic_rmw_fail_order(int order)
{
    switch (order) {
    case patomic_RELAXED:
    case patomic_RELEASE: return patomic_RELAXED;
    case patomic_CONSUME:
    case patomic_ACQUIRE:
    case patomic_ACQ_REL: return patomic_ACQUIRE;
    default:              return patomic_SEQ_CST;
    }
}

#endif /* PATOMIC_WRAPPED_ORDER_H */
