/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_WRAPPED_CMPXCHG_H
#define PATOMIC_WRAPPED_CMPXCHG_H

/**
 * @file cmpxchg.h
 * @brief Templates that build read-modify-write ops out of a compare-exchange
 *        loop, for ops a backend has no instruction for.
 *
 * They need `patomic_opimpl_cmpxchg_weak_<S>` to exist. The loop starts from
 * a guess of zero instead of a load: a wrong guess costs one failed
 * compare-exchange, which also fetches the real value, and it keeps these ops
 * free of a separate load (which for some widths would itself be a
 * compare-exchange).
 *
 * @p T must be an unsigned integer type, so the arithmetic wraps without
 * undefined behaviour.
 */

#include <string.h>

#include "order.h"

/** @brief Retry `next = EXPR` until it is installed; old value in `old`. */
#define PATOMIC_CAS_LOOP(S, obj, order, T, old, next, EXPR)                 \
    do {                                                                    \
        (old) = 0;                                                          \
        do {                                                                \
            (next) = (T)(EXPR);                                             \
        } while (!patomic_opimpl_cmpxchg_weak_##S(                          \
            (obj), &(old), &(next), (order), patomic_rmw_fail_order(order)));\
    } while (0)

/**
 * @brief Define `patomic_opimpl_<name>_<S>` with the fetch signature:
 *        `*ret = old; *obj = EXPR`, where EXPR may use `old` and `val`.
 */
#define PATOMIC_DEFINE_CAS_LOOP_FETCH(S, T, name, EXPR)                     \
    static inline void                                                      \
    patomic_opimpl_##name##_##S(volatile void *obj, const void *arg,        \
                                int order, void *ret)                       \
    {                                                                       \
        T val, old, next;                                                   \
        memcpy(&val, arg, sizeof val);                                      \
        PATOMIC_CAS_LOOP(S, obj, order, T, old, next, EXPR);                \
        memcpy(ret, &old, sizeof old);                                      \
    }

/** @brief Define `patomic_opimpl_fetch_neg_<S>` (there is no instruction). */
#define PATOMIC_DEFINE_CAS_LOOP_FETCH_NEG(S, T)                             \
    static inline void                                                      \
    patomic_opimpl_fetch_neg_##S(volatile void *obj, int order, void *ret)  \
    {                                                                       \
        T old, next;                                                        \
        PATOMIC_CAS_LOOP(S, obj, order, T, old, next, (T)0 - old);          \
        memcpy(ret, &old, sizeof old);                                      \
    }

/** @brief Define `patomic_opimpl_store_<S>` as an exchange loop. */
#define PATOMIC_DEFINE_CAS_LOOP_STORE(S, T)                                 \
    static inline void                                                      \
    patomic_opimpl_store_##S(volatile void *obj, const void *desired,       \
                             int order)                                     \
    {                                                                       \
        T val, old, next;                                                   \
        memcpy(&val, desired, sizeof val);                                  \
        PATOMIC_CAS_LOOP(S, obj, order, T, old, next, val);                 \
    }

/**
 * @brief Define store, exchange and every fetch-op of `<S>` from its
 *        compare-exchange: everything `derived.h` needs except load.
 */
#define PATOMIC_DEFINE_CAS_LOOP_CORE(S, T)                                  \
    PATOMIC_DEFINE_CAS_LOOP_STORE(S, T)                                     \
    PATOMIC_DEFINE_CAS_LOOP_FETCH(S, T, exchange,  val)                     \
    PATOMIC_DEFINE_CAS_LOOP_FETCH(S, T, fetch_add, old + val)               \
    PATOMIC_DEFINE_CAS_LOOP_FETCH(S, T, fetch_sub, old - val)               \
    PATOMIC_DEFINE_CAS_LOOP_FETCH(S, T, fetch_and, old & val)               \
    PATOMIC_DEFINE_CAS_LOOP_FETCH(S, T, fetch_or,  old | val)               \
    PATOMIC_DEFINE_CAS_LOOP_FETCH(S, T, fetch_xor, old ^ val)               \
    PATOMIC_DEFINE_CAS_LOOP_FETCH_NEG(S, T)

#endif /* PATOMIC_WRAPPED_CMPXCHG_H */
