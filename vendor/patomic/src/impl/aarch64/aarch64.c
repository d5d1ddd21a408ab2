/* SPDX-License-Identifier: MIT */
/*
 * Backend "aarch64": 16-byte atomics on 64-bit Arm (little-endian, Linux).
 *
 * Why not `__atomic` builtins: gcc compiles 16-byte `__atomic_*` to calls
 * into libatomic on aarch64 (as on x86_64), whose fallback is a lock table
 * private to each process: not address-free, so wrong for shared memory.
 * This backend uses the instructions directly, through inline asm:
 *
 *  - compare-exchange: `caspal` (FEAT_LSE, Armv8.1) where the kernel reports
 *    it (getauxval(AT_HWCAP) & HWCAP_ATOMICS); otherwise a `ldaxp`/`stlxp`
 *    exclusive pair loop, which every Armv8.0 core has. Both are lock-free
 *    and address-free: the exclusive monitor and `casp` work on the
 *    physical memory, whatever process or mapping the access comes from.
 *    The loop writes the value it read back when the comparison fails,
 *    because `ldaxp` alone is not single-copy atomic: only a successful
 *    `stlxp` proves the two halves were read together.
 *  - load: with FEAT_LSE2 (Armv8.4; HWCAP_USCAT) an aligned `ldp` is
 *    single-copy atomic, and it never writes, so read-only objects get
 *    ops as well. Without LSE2 a load is a compare-exchange (which writes),
 *    and read-only objects get no ops at all.
 *  - everything else: compare-exchange loops (cmpxchg.h, derived.h).
 *
 * Orders: `caspal` and `ldaxp`/`stlxp` are acquire-release, the strongest
 * form (gcc emits them for SEQ_CST), at least as strong as any order asked
 * for. The `ldp` load adds the barriers its order needs.
 *
 * The object must be 16-byte aligned (an unaligned exclusive access faults,
 * and `ldp` is atomic only when aligned). The two halves are handled as the
 * 8-byte words at obj and obj + 8; only little-endian is built, where that
 * is also how `casp` pairs its registers.
 *
 * Reference: Arm ARM (DDI 0487) on CASP, LDAXP/STLXP, B2.2.1 single-copy
 * atomicity (LSE2); Linux Documentation/arch/arm64/elf_hwcaps.rst.
 */

#include "../register.h"

#if defined(__aarch64__) && defined(__AARCH64EL__) && defined(__linux__) && \
    (defined(__GNUC__) || defined(__clang__))

#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

#include <patomic/wrapped/cmpxchg.h>
#include <patomic/wrapped/derived.h>

#ifndef HWCAP_ATOMICS
#define HWCAP_ATOMICS (1UL << 8) /* FEAT_LSE: casp and friends */
#endif
#ifndef HWCAP_USCAT
#define HWCAP_USCAT (1UL << 25) /* FEAT_LSE2: atomic aligned ldp/stp */
#endif

__extension__ typedef unsigned __int128 patomic_u128;

/* Whether the CPU has FEAT_LSE2: a fact about the machine, written (always
 * with the same value) by `patomic_impl_create_aarch64` before any op of
 * this backend can be obtained, and read by the load ops; accessed
 * atomically so that concurrent table creation is not a data race. */
static int a64_has_lse2;

/* ---- the primitives ------------------------------------------------------ */

/* Each compare-exchange compares the 16 bytes at obj with exp[0..1] (the
 * words at obj and obj + 8); on a match it stores des[0..1]. Either way
 * old[0..1] receive the value found, read atomically. Returns 1 on a
 * match. */

static int a64_cas_llsc(volatile void *obj, const uint64_t exp[2],
                        const uint64_t des[2], uint64_t old[2])
{
    uint64_t lo, hi;
    uint32_t failed;
    __asm__ __volatile__(
        "1:\n\t"
        "ldaxp  %[lo], %[hi], [%[p]]\n\t"
        "cmp    %[lo], %[elo]\n\t"
        "ccmp   %[hi], %[ehi], #0, eq\n\t"
        "b.ne   2f\n\t"
        "stlxp  %w[failed], %[dlo], %[dhi], [%[p]]\n\t"
        "cbnz   %w[failed], 1b\n\t"
        "b      3f\n"
        "2:\n\t"
        /* no match: write back what was read, to know it was read whole */
        "stlxp  %w[failed], %[lo], %[hi], [%[p]]\n\t"
        "cbnz   %w[failed], 1b\n"
        "3:"
        : [lo] "=&r"(lo), [hi] "=&r"(hi), [failed] "=&r"(failed)
        : [p] "r"(obj), [elo] "r"(exp[0]), [ehi] "r"(exp[1]),
          [dlo] "r"(des[0]), [dhi] "r"(des[1])
        : "cc", "memory");
    old[0] = lo;
    old[1] = hi;
    return lo == exp[0] && hi == exp[1];
}

static int a64_cas_lse(volatile void *obj, const uint64_t exp[2],
                       const uint64_t des[2], uint64_t old[2])
{
    /* casp needs each pair in an even-numbered register and the next */
    register uint64_t x0 __asm__("x0") = exp[0];
    register uint64_t x1 __asm__("x1") = exp[1];
    register uint64_t x2 __asm__("x2") = des[0];
    register uint64_t x3 __asm__("x3") = des[1];
    __asm__ __volatile__(
        ".arch_extension lse\n\t"
        "caspal %[lo], %[hi], %[dlo], %[dhi], [%[p]]"
        : [lo] "+r"(x0), [hi] "+r"(x1)
        : [dlo] "r"(x2), [dhi] "r"(x3), [p] "r"(obj)
        : "memory");
    old[0] = x0;
    old[1] = x1;
    return old[0] == exp[0] && old[1] == exp[1];
}

/* A load that never writes; atomic only with FEAT_LSE2 (the caller checks).
 * Acquire: later accesses wait for it (dmb ishld). SEQ_CST: also after every
 * earlier access (dmb ish), so that it is ordered after an earlier
 * store-release, as `ldar` would be. */
static void a64_load_ldp(const volatile void *obj, int order, uint64_t out[2])
{
    uint64_t lo, hi;
    switch (order) {
    case patomic_RELAXED:
        __asm__ __volatile__("ldp %[lo], %[hi], [%[p]]"
                             : [lo] "=r"(lo), [hi] "=r"(hi)
                             : [p] "r"(obj)
                             : "memory");
        break;
    case patomic_CONSUME:
    case patomic_ACQUIRE:
        __asm__ __volatile__("ldp %[lo], %[hi], [%[p]]\n\t"
                             "dmb ishld"
                             : [lo] "=r"(lo), [hi] "=r"(hi)
                             : [p] "r"(obj)
                             : "memory");
        break;
    default:
        __asm__ __volatile__("dmb ish\n\t"
                             "ldp %[lo], %[hi], [%[p]]\n\t"
                             "dmb ishld"
                             : [lo] "=r"(lo), [hi] "=r"(hi)
                             : [p] "r"(obj)
                             : "memory");
        break;
    }
    out[0] = lo;
    out[1] = hi;
}

/* ---- the ops, once per compare-exchange primitive ------------------------ */

/* The ops of suffix S built on primitive CAS: cmpxchg (weak and strong are
 * the same, never failing spuriously), load (ldp with LSE2, else a
 * compare-exchange of zero with zero, which changes nothing), and the rest
 * from compare-exchange loops. */
#define A64_DEFINE_OPS(S, CAS)                                              \
    static int patomic_opimpl_cmpxchg_strong_##S(volatile void *obj,        \
                                                 void *expected,            \
                                                 const void *desired,       \
                                                 int succ, int fail)        \
    {                                                                       \
        uint64_t exp[2], des[2], old[2];                                    \
        (void)succ;                                                         \
        (void)fail;                                                         \
        memcpy(exp, expected, sizeof exp);                                  \
        memcpy(des, desired, sizeof des);                                   \
        if (CAS(obj, exp, des, old))                                        \
            return 1;                                                       \
        memcpy(expected, old, sizeof old);                                  \
        return 0;                                                           \
    }                                                                       \
    static int patomic_opimpl_cmpxchg_weak_##S(volatile void *obj,          \
                                               void *expected,              \
                                               const void *desired,         \
                                               int succ, int fail)          \
    {                                                                       \
        return patomic_opimpl_cmpxchg_strong_##S(obj, expected, desired,    \
                                                 succ, fail);               \
    }                                                                       \
    static void patomic_opimpl_load_##S(const volatile void *obj,           \
                                        int order, void *ret)               \
    {                                                                       \
        uint64_t val[2];                                                    \
        if (__atomic_load_n(&a64_has_lse2, __ATOMIC_RELAXED)) {             \
            a64_load_ldp(obj, order, val);                                  \
        } else {                                                            \
            /* only ever installed for writable objects without LSE2 */     \
            const uint64_t zero[2] = {0, 0};                                \
            CAS((volatile void *)(uintptr_t)obj, zero, zero, val);          \
        }                                                                   \
        memcpy(ret, val, sizeof val);                                       \
    }                                                                       \
    PATOMIC_DEFINE_CAS_LOOP_CORE(S, patomic_u128)                           \
    PATOMIC_DEFINE_DERIVED_OPS(S, patomic_u128)                             \
    PATOMIC_DEFINE_FILL_OPS(S)

A64_DEFINE_OPS(a64llsc, a64_cas_llsc)
A64_DEFINE_OPS(a64lse, a64_cas_lse)

void patomic_impl_create_aarch64(size_t width, unsigned options,
                                 patomic_ops_t *ops)
{
    unsigned long hwcap;
    int lse2;
    if (width != 16)
        return;
    hwcap = getauxval(AT_HWCAP);
    lse2 = (hwcap & HWCAP_USCAT) != 0;
    __atomic_store_n(&a64_has_lse2, lse2, __ATOMIC_RELAXED);
    if ((options & patomic_OPTION_READONLY) && !lse2)
        return;
    if (hwcap & HWCAP_ATOMICS)
        patomic_fill_ops_a64lse(ops, options);
    else
        patomic_fill_ops_a64llsc(ops, options);
}

#else /* not little-endian aarch64 Linux with gcc/clang */

void patomic_impl_create_aarch64(size_t width, unsigned options,
                                 patomic_ops_t *ops)
{
    (void)width;
    (void)options;
    (void)ops;
}

#endif
