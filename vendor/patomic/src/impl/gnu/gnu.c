/* SPDX-License-Identifier: MIT */
/*
 * Backend "gnu": gcc/clang `__atomic` builtins on 1, 2, 4 and 8 byte
 * unsigned integers.
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

#include "../../wrapped/cmpxchg.h"
#include "../../wrapped/derived.h"
#include "../../wrapped/direct.h"
#include "../register.h"

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

#define GNU_DO_STORE(p, val, ORD)          __atomic_store_n(p, val, ORD)
#define GNU_DO_LOAD(p, res, ORD)           res = __atomic_load_n(p, ORD)
#define GNU_DO_EXCHANGE(p, val, res, ORD)  res = __atomic_exchange_n(p, val, ORD)
#define GNU_DO_CMPXCHG(p, exp, des, weak, ok, SUCC, FAIL) \
    ok = __atomic_compare_exchange_n(p, &exp, des, weak, SUCC, FAIL)
#define GNU_DO_FETCH_ADD(p, val, res, ORD) res = __atomic_fetch_add(p, val, ORD)
#define GNU_DO_FETCH_SUB(p, val, res, ORD) res = __atomic_fetch_sub(p, val, ORD)
#define GNU_DO_FETCH_AND(p, val, res, ORD) res = __atomic_fetch_and(p, val, ORD)
#define GNU_DO_FETCH_OR(p, val, res, ORD)  res = __atomic_fetch_or(p, val, ORD)
#define GNU_DO_FETCH_XOR(p, val, res, ORD) res = __atomic_fetch_xor(p, val, ORD)

/** @brief Every op for suffix @p S and unsigned type @p T. */
#define GNU_DEFINE_OPS(S, T)                                                   \
    PATOMIC_DEFINE_DIRECT_STORE(S, T, GNU_DO_STORE)                            \
    PATOMIC_DEFINE_DIRECT_LOAD(S, T, GNU_DO_LOAD)                              \
    PATOMIC_DEFINE_DIRECT_EXCHANGE(S, T, GNU_DO_EXCHANGE)                      \
    PATOMIC_DEFINE_DIRECT_CMPXCHG(S, T, cmpxchg_weak,   1, GNU_DO_CMPXCHG)     \
    PATOMIC_DEFINE_DIRECT_CMPXCHG(S, T, cmpxchg_strong, 0, GNU_DO_CMPXCHG)     \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_add, GNU_DO_FETCH_ADD)             \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_sub, GNU_DO_FETCH_SUB)             \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_and, GNU_DO_FETCH_AND)             \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_or,  GNU_DO_FETCH_OR)              \
    PATOMIC_DEFINE_DIRECT_FETCH(S, T, fetch_xor, GNU_DO_FETCH_XOR)             \
    PATOMIC_DEFINE_CAS_LOOP_FETCH_NEG(S, T)                                    \
    PATOMIC_DEFINE_DERIVED_OPS(S, T)                                           \
    PATOMIC_DEFINE_FILL_OPS(S)

#if __GCC_ATOMIC_CHAR_LOCK_FREE == 2
GNU_DEFINE_OPS(gnu_1, uint8_t)
#endif
#if __GCC_ATOMIC_SHORT_LOCK_FREE == 2
GNU_DEFINE_OPS(gnu_2, uint16_t)
#endif
#if __GCC_ATOMIC_INT_LOCK_FREE == 2
GNU_DEFINE_OPS(gnu_4, uint32_t)
#endif
#if __GCC_ATOMIC_LLONG_LOCK_FREE == 2
GNU_DEFINE_OPS(gnu_8, uint64_t)
#endif

void patomic_impl_create_gnu(size_t width, unsigned options,
                             patomic_ops_t *ops)
{
    (void)options; /* silences -Wunused-parameter where no width is built */
    (void)ops;
    switch (width) {
#if __GCC_ATOMIC_CHAR_LOCK_FREE == 2
    case 1: patomic_fill_ops_gnu_1(ops, options); break;
#endif
#if __GCC_ATOMIC_SHORT_LOCK_FREE == 2
    case 2: patomic_fill_ops_gnu_2(ops, options); break;
#endif
#if __GCC_ATOMIC_INT_LOCK_FREE == 2
    case 4: patomic_fill_ops_gnu_4(ops, options); break;
#endif
#if __GCC_ATOMIC_LLONG_LOCK_FREE == 2
    case 8: patomic_fill_ops_gnu_8(ops, options); break;
#endif
    default: break;
    }
}
