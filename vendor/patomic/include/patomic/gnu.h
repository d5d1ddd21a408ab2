/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_GNU_H
#define PATOMIC_GNU_H

/**
 * @file gnu.h
 * @brief Backend "gnu": gcc/clang `__atomic` builtins on 1, 2, 4 and 8 byte
 *        unsigned integers, as `static inline` ops and a constant table of
 *        them per width.
 *
 * The library's own tables (patomic_create_ops) hold these ops for every
 * width this backend serves (src/impl/gnu/gnu.c). This header exists for
 * callers that run many ops on objects of a handful of widths: a call
 * through a table's function pointer cannot be inlined, one through
 * `patomic_gnu_ops_<W>` (a constant, so the compiler reads the pointer at
 * compile time) can, and with a constant memory order it becomes the bare
 * instruction. Such a caller must still ask the library which widths use
 * this backend (`patomic_create_ops_from(patomic_BACKEND_GNU, ...)`): the
 * header defines the table of every width, empty where the builtins are
 * not lock-free.
 *
 * Relies on: the `__atomic_*` builtins and the `__GCC_ATOMIC_*_LOCK_FREE`
 * macros (both gcc >= 4.7 and clang define them).
 *
 * Widths: only those whose builtins are *always* lock-free (macro value 2).
 * For any other width the builtins would compile to calls into libatomic,
 * whose fallback is a lock table private to each process: not address-free,
 * so wrong for shared memory. Such widths are left out entirely, which also
 * keeps libatomic symbols out of the library (a ctest checks this).
 *
 * Native: store, load, exchange, cmpxchg weak/strong and fetch
 * add/sub/and/or/xor. Derived: neg from a compare-exchange loop (no
 * instruction exists), everything else from the fetch ops (derived.h).
 *
 * Reference: https://gcc.gnu.org/onlinedocs/gcc/_005f_005fatomic-Builtins.html
 */

#include <stdint.h>

#include <patomic/patomic.h>
#include <patomic/wrapped/cmpxchg.h>
#include <patomic/wrapped/derived.h>
#include <patomic/wrapped/direct.h>

/* The order switch passes patomic's constants straight to the builtins. */
_Static_assert(patomic_RELAXED == __ATOMIC_RELAXED &&
               patomic_CONSUME == __ATOMIC_CONSUME &&
               patomic_ACQUIRE == __ATOMIC_ACQUIRE &&
               patomic_RELEASE == __ATOMIC_RELEASE &&
               patomic_ACQ_REL == __ATOMIC_ACQ_REL &&
               patomic_SEQ_CST == __ATOMIC_SEQ_CST,
               "patomic's memory orders must match gcc's __ATOMIC_* values");

/* Each width below is gated on the lock-free macro of the C type that has
 * that size, so check the sizes are what the gates assume. */
_Static_assert(sizeof(short) == 2 && sizeof(int) == 4 &&
               sizeof(long long) == 8,
               "the width gates below assume 2-byte short, 4-byte int and "
               "8-byte long long");

#define PATOMIC_GNU_HAS_1 (__GCC_ATOMIC_CHAR_LOCK_FREE == 2)
#define PATOMIC_GNU_HAS_2 (__GCC_ATOMIC_SHORT_LOCK_FREE == 2)
#define PATOMIC_GNU_HAS_4 (__GCC_ATOMIC_INT_LOCK_FREE == 2)
#define PATOMIC_GNU_HAS_8 (__GCC_ATOMIC_LLONG_LOCK_FREE == 2)

#define PATOMIC_GNU_DO_STORE(p, val, ORD)  __atomic_store_n(p, val, ORD)
#define PATOMIC_GNU_DO_LOAD(p, res, ORD)   res = __atomic_load_n(p, ORD)
#define PATOMIC_GNU_DO_EXCHANGE(p, val, res, ORD)                           \
    res = __atomic_exchange_n(p, val, ORD)
#define PATOMIC_GNU_DO_CMPXCHG(p, exp, des, weak, ok, SUCC, FAIL)           \
    ok = __atomic_compare_exchange_n(p, &exp, des, weak, SUCC, FAIL)
#define PATOMIC_GNU_DO_FETCH_ADD(p, val, res, ORD)                          \
    res = __atomic_fetch_add(p, val, ORD)
#define PATOMIC_GNU_DO_FETCH_SUB(p, val, res, ORD)                          \
    res = __atomic_fetch_sub(p, val, ORD)
#define PATOMIC_GNU_DO_FETCH_AND(p, val, res, ORD)                          \
    res = __atomic_fetch_and(p, val, ORD)
#define PATOMIC_GNU_DO_FETCH_OR(p, val, res, ORD)                           \
    res = __atomic_fetch_or(p, val, ORD)
#define PATOMIC_GNU_DO_FETCH_XOR(p, val, res, ORD)                          \
    res = __atomic_fetch_xor(p, val, ORD)

#define PATOMIC_GNU_OP_ADDRESS(S, id, name, sig)                            \
    .fp_##name = patomic_opimpl_##name##_##S,

/** @brief Every op for suffix @p S and unsigned type @p T, and the table
 *         of them, `patomic_<S>_ops`. */
#define PATOMIC_GNU_DEFINE_OPS(S, T)                                        \
    PATOMIC_DEFINE_DIRECT_STORE(S, T, PATOMIC_GNU_DO_STORE)                 \
    PATOMIC_DEFINE_DIRECT_LOAD(S, T, PATOMIC_GNU_DO_LOAD)                   \
    PATOMIC_DEFINE_DIRECT_EXCHANGE(S, T, PATOMIC_GNU_DO_EXCHANGE)           \
    PATOMIC_DEFINE_DIRECT_CMPXCHG(S, T, cmpxchg_weak, 1,                    \
                                  PATOMIC_GNU_DO_CMPXCHG)                   \
    PATOMIC_DEFINE_DIRECT_CMPXCHG(S, T, cmpxchg_strong, 0,                  \
                                  PATOMIC_GNU_DO_CMPXCHG)                   \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_add, PATOMIC_GNU_DO_FETCH_ADD)  \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_sub, PATOMIC_GNU_DO_FETCH_SUB)  \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_and, PATOMIC_GNU_DO_FETCH_AND)  \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_or, PATOMIC_GNU_DO_FETCH_OR)    \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_xor, PATOMIC_GNU_DO_FETCH_XOR)  \
    PATOMIC_DEFINE_CAS_LOOP_FETCH_NEG(S, T)                                 \
    PATOMIC_DEFINE_DERIVED_OPS(S, T)                                        \
    static const patomic_ops_t patomic_##S##_ops = {                        \
        PATOMIC_FOR_EACH_OP(PATOMIC_GNU_OP_ADDRESS, S)};

/* (an empty table where a width is not lock-free: no op to inline) */
#define PATOMIC_GNU_NO_OPS(S) static const patomic_ops_t patomic_##S##_ops;

#if PATOMIC_GNU_HAS_1
PATOMIC_GNU_DEFINE_OPS(gnu_1, uint8_t)
#else
PATOMIC_GNU_NO_OPS(gnu_1)
#endif
#if PATOMIC_GNU_HAS_2
PATOMIC_GNU_DEFINE_OPS(gnu_2, uint16_t)
#else
PATOMIC_GNU_NO_OPS(gnu_2)
#endif
#if PATOMIC_GNU_HAS_4
PATOMIC_GNU_DEFINE_OPS(gnu_4, uint32_t)
#else
PATOMIC_GNU_NO_OPS(gnu_4)
#endif
#if PATOMIC_GNU_HAS_8
PATOMIC_GNU_DEFINE_OPS(gnu_8, uint64_t)
#else
PATOMIC_GNU_NO_OPS(gnu_8)
#endif

#endif /* PATOMIC_GNU_H */
