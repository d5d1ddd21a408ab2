/* SPDX-License-Identifier: MIT */
/*
 * Backend "s390x": 16-byte atomics on IBM Z (64-bit, big-endian).
 *
 * Why not `__atomic` builtins: gcc 12 compiles 16-byte `__atomic_*` (and
 * even `__sync_*`) on s390x to calls into libatomic, since the ABI aligns
 * `__int128` to only 8 bytes; libatomic's fallback is a lock table private
 * to each process, so not address-free. This backend uses the instructions
 * of the base z/Architecture directly, through inline asm (as the Linux
 * kernel does for its own 128-bit cmpxchg):
 *
 *  - compare-exchange: `cdsg` (COMPARE DOUBLE AND SWAP, 64-bit operands):
 *    lock-free and address-free; it serializes before and after, so it is
 *    a full barrier, at least as strong as any order asked for.
 *  - load: `lpq` (LOAD PAIR FROM QUADWORD), a single-copy atomic 16-byte
 *    load that never writes, so read-only objects get ops as well. z's
 *    memory model orders loads like x86's (only a store may pass a later
 *    load, and every store here or in the gnu backend's SEQ_CST stores
 *    serializes), so a plain load serves every load order, as it does for
 *    gcc's own 8-byte loads.
 *  - everything else: compare-exchange loops (cmpxchg.h, derived.h).
 *
 * Both instructions need a 16-byte aligned operand (a specification
 * exception otherwise). A 16-byte value sits in an even/odd register pair
 * with the most significant half (the lower address, big-endian) in the
 * even register, which is how gcc keeps an `__int128` in registers.
 *
 * Reference: z/Architecture Principles of Operation (SA22-7832), CDSG, LPQ,
 * and "Serialization"; Linux arch/s390/include/asm/cmpxchg.h.
 */

#include "../register.h"

#if defined(__s390x__) && (defined(__GNUC__) || defined(__clang__))

#include <stdint.h>
#include <string.h>

#include <patomic/wrapped/cmpxchg.h>
#include <patomic/wrapped/derived.h>

__extension__ typedef unsigned __int128 patomic_u128;

static int patomic_opimpl_cmpxchg_strong_s390x(volatile void *obj,
                                               void *expected,
                                               const void *desired, int succ,
                                               int fail)
{
    patomic_u128 exp, des, old;
    (void)succ;
    (void)fail;
    memcpy(&exp, expected, sizeof exp);
    memcpy(&des, desired, sizeof des);
    old = exp;
    /* "d": a general register (pair, for 16 bytes); "a": an address
     * register, i.e. any but r0 */
    __asm__ __volatile__("cdsg %[old], %[des], 0(%[p])"
                         : [old] "+d"(old)
                         : [des] "d"(des), [p] "a"(obj)
                         : "cc", "memory");
    if (old == exp)
        return 1;
    memcpy(expected, &old, sizeof old);
    return 0;
}

static int patomic_opimpl_cmpxchg_weak_s390x(volatile void *obj,
                                             void *expected,
                                             const void *desired, int succ,
                                             int fail)
{
    /* cdsg never fails spuriously: the strong form is a valid weak one */
    return patomic_opimpl_cmpxchg_strong_s390x(obj, expected, desired, succ,
                                               fail);
}

static void patomic_opimpl_load_s390x(const volatile void *obj, int order,
                                      void *ret)
{
    patomic_u128 val;
    (void)order; /* see the header comment */
    __asm__ __volatile__("lpq %[val], 0(%[p])"
                         : [val] "=d"(val)
                         : [p] "a"(obj)
                         : "memory");
    memcpy(ret, &val, sizeof val);
}

PATOMIC_DEFINE_CAS_LOOP_CORE(s390x, patomic_u128)
PATOMIC_DEFINE_DERIVED_OPS(s390x, patomic_u128)
PATOMIC_DEFINE_FILL_OPS(s390x)

void patomic_impl_create_s390x(size_t width, unsigned options,
                               patomic_ops_t *ops)
{
    if (width == 16)
        patomic_fill_ops_s390x(ops, options);
}

#else /* not s390x with gcc/clang */

void patomic_impl_create_s390x(size_t width, unsigned options,
                               patomic_ops_t *ops)
{
    (void)width;
    (void)options;
    (void)ops;
}

#endif
