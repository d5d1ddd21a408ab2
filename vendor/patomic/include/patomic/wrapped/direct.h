/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_WRAPPED_DIRECT_H
#define PATOMIC_WRAPPED_DIRECT_H

/**
 * @file direct.h
 * @brief Templates that wrap a backend's primitives (which need constant
 *        memory orders) into ops with the table's signatures.
 *
 * Each template defines `static inline` `patomic_opimpl_<op>_<S>` for
 * the value type @p T (an unsigned integer type of the op's width). It copies
 * operands in and results out with memcpy, because callers' buffers carry no
 * alignment guarantee, and switches on the runtime order (see order.h).
 *
 * Primitive contracts (`p` is a `volatile T *`, `ORD`/`SUCC`/`FAIL` are
 * constant `patomic_memory_order_t` values):
 *  - `do_store(p, val, ORD)`              stores `val`
 *  - `do_load(p, res, ORD)`               assigns the value to `res`
 *  - `do_exchange(p, val, res, ORD)`      stores `val`, old value to `res`
 *  - `do_cmpxchg(p, exp, des, weak, ok, SUCC, FAIL)` compares with lvalue
 *    `exp`, stores `des` on a match; sets `ok`, and on a mismatch writes the
 *    current value to `exp`
 *  - `do_fetch(p, val, res, ORD)`         applies the op, old value to `res`
 */

#include <string.h>

#include "order.h"

/** @brief Define `patomic_opimpl_store_<S>`. */
#define PATOMIC_DEFINE_DIRECT_STORE(S, T, do_store)                         \
    static inline void                                                      \
    patomic_opimpl_store_##S(volatile void *obj, const void *desired,       \
                             int order)                                     \
    {                                                                       \
        volatile T *p = (volatile T *)obj;                                  \
        T val;                                                              \
        memcpy(&val, desired, sizeof val);                                  \
        PATOMIC_SWITCH_STORE_ORDER(order, do_store, p, val)                 \
    }

/** @brief Define `patomic_opimpl_load_<S>`. */
#define PATOMIC_DEFINE_DIRECT_LOAD(S, T, do_load)                           \
    static inline void                                                      \
    patomic_opimpl_load_##S(const volatile void *obj, int order, void *ret) \
    {                                                                       \
        const volatile T *p = (const volatile T *)obj;                      \
        T res;                                                              \
        PATOMIC_SWITCH_LOAD_ORDER(order, do_load, p, res)                   \
        memcpy(ret, &res, sizeof res);                                      \
    }

/** @brief Define `patomic_opimpl_exchange_<S>`. */
#define PATOMIC_DEFINE_DIRECT_EXCHANGE(S, T, do_exchange)                   \
    static inline void                                                      \
    patomic_opimpl_exchange_##S(volatile void *obj, const void *desired,    \
                                int order, void *ret)                       \
    {                                                                       \
        volatile T *p = (volatile T *)obj;                                  \
        T val, res;                                                         \
        memcpy(&val, desired, sizeof val);                                  \
        PATOMIC_SWITCH_RMW_ORDER(order, do_exchange, p, val, res)           \
        memcpy(ret, &res, sizeof res);                                      \
    }

/** @brief Define `patomic_opimpl_<name>_<S>`, a weak or strong cmpxchg. */
#define PATOMIC_DEFINE_DIRECT_CMPXCHG(S, T, name, weak, do_cmpxchg)         \
    static inline int                                                       \
    patomic_opimpl_##name##_##S(volatile void *obj, void *expected,         \
                                const void *desired, int succ, int fail)    \
    {                                                                       \
        volatile T *p = (volatile T *)obj;                                  \
        T exp, des;                                                         \
        int ok = 0;                                                         \
        memcpy(&exp, expected, sizeof exp);                                 \
        memcpy(&des, desired, sizeof des);                                  \
        PATOMIC_SWITCH_CMPXCHG_ORDER(succ, fail, do_cmpxchg,                \
                                     p, exp, des, weak, ok)                 \
        if (!ok)                                                            \
            memcpy(expected, &exp, sizeof exp);                             \
        return ok;                                                          \
    }

/** @brief Define `patomic_opimpl_<name>_<S>`, a fetch-and-op. */
#define PATOMIC_DEFINE_DIRECT_FETCH(S, T, name, do_fetch)                   \
    static inline void                                                      \
    patomic_opimpl_##name##_##S(volatile void *obj, const void *arg,        \
                                int order, void *ret)                       \
    {                                                                       \
        volatile T *p = (volatile T *)obj;                                  \
        T val, res;                                                         \
        memcpy(&val, arg, sizeof val);                                      \
        PATOMIC_SWITCH_RMW_ORDER(order, do_fetch, p, val, res)              \
        memcpy(ret, &res, sizeof res);                                      \
    }

#endif /* PATOMIC_WRAPPED_DIRECT_H */
