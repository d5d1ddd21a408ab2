/* SPDX-License-Identifier: MIT */
/*
 * Backend "cx16": 16-byte atomics on x86_64 with `lock cmpxchg16b`.
 *
 * Why not `__atomic` builtins: gcc compiles 16-byte `__atomic_*` to calls
 * into libatomic even with -mcx16, and libatomic falls back to a lock table
 * that is private to each process, so it is not address-free and breaks on
 * shared memory. Instead this backend uses `__sync_val_compare_and_swap` on
 * `unsigned __int128` inside functions compiled for the cx16 target, which
 * gcc and clang emit as an inline `lock cmpxchg16b`.
 *
 * Relies on: CPUID (leaf 1, ECX bit 13) saying the CPU has cmpxchg16b,
 * checked at run time (once: see cx16_cpu); without it the backend
 * supports nothing. The object
 * must be 16-byte aligned (cmpxchg16b faults otherwise).
 *
 * Native: cmpxchg (weak and strong are the same instruction, which never
 * fails spuriously). Every other read-modify-write is a compare-exchange loop
 * (cmpxchg.h, derived.h). All of them are full barriers (SEQ_CST), at least
 * as strong as any order asked for.
 *
 * Load: a compare-exchange writes, so it faults on read-only memory. Intel
 * and AMD document aligned 16-byte SSE/AVX loads as atomic on CPUs with AVX
 * (see gcc PR104688), so with AVX (and the OS saving AVX state) a load is one
 * `vmovdqa` through inline asm, which the compiler cannot split. Without AVX,
 * loads use compare-exchange, and read-only objects get no ops at all.
 */

#include "../register.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <cpuid.h>
#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

#include <patomic/wrapped/cmpxchg.h>
#include <patomic/wrapped/derived.h>

__extension__ typedef unsigned __int128 patomic_u128;

/* What the CPU offers this backend, found once by `cx16_cpu_features`:
 * CPUID and XGETBV are serializing instructions, and in a virtual machine
 * they trap to the hypervisor, which costs microseconds per table made.
 * 0 until found; racing first callers write the same value, and the
 * accesses are atomic so that they are no data race. The load op reads
 * CX16_CPU_AVX, which is found before any op of the backend can be
 * obtained. */
enum { CX16_CPU_KNOWN = 1, CX16_CPU_CX16 = 2, CX16_CPU_AVX = 4 };
static int cx16_cpu;

__attribute__((target("cx16"))) static int
patomic_opimpl_cmpxchg_strong_cx16(volatile void *obj, void *expected,
                                   const void *desired, int succ, int fail)
{
    patomic_u128 exp, des, old;
    (void)succ;
    (void)fail;
    memcpy(&exp, expected, sizeof exp);
    memcpy(&des, desired, sizeof des);
    old = __sync_val_compare_and_swap((volatile patomic_u128 *)obj, exp, des);
    if (old == exp)
        return 1;
    memcpy(expected, &old, sizeof old);
    return 0;
}

static int patomic_opimpl_cmpxchg_weak_cx16(volatile void *obj, void *expected,
                                            const void *desired, int succ,
                                            int fail)
{
    return patomic_opimpl_cmpxchg_strong_cx16(obj, expected, desired, succ,
                                              fail);
}

__attribute__((target("avx"))) static void
cx16_vector_load(const volatile void *obj, void *ret)
{
    __m128i val;
    /* asm (not an intrinsic) so the load cannot be split or elided */
    __asm__ __volatile__("vmovdqa %1, %0"
                         : "=x"(val)
                         : "m"(*(const volatile __m128i *)obj)
                         : "memory");
    memcpy(ret, &val, sizeof val);
}

static void patomic_opimpl_load_cx16(const volatile void *obj, int order,
                                     void *ret)
{
    if (__atomic_load_n(&cx16_cpu, __ATOMIC_RELAXED) & CX16_CPU_AVX) {
        cx16_vector_load(obj, ret);
    } else {
        /* Comparing with zero and "replacing" zero by zero returns the value
         * and changes nothing; only ever installed for writable objects. */
        patomic_u128 zero = 0;
        memcpy(ret, &zero, sizeof zero);
        patomic_opimpl_cmpxchg_strong_cx16((volatile void *)(uintptr_t)obj,
                                           ret, &zero, order,
                                           patomic_rmw_fail_order(order));
    }
}

PATOMIC_DEFINE_CAS_LOOP_CORE(cx16, patomic_u128)
PATOMIC_DEFINE_DERIVED_OPS(cx16, patomic_u128)
PATOMIC_DEFINE_FILL_OPS(cx16)

static unsigned long long cx16_xgetbv0(void)
{
    unsigned int lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static int cx16_cpu_features(void)
{
    int features = __atomic_load_n(&cx16_cpu, __ATOMIC_RELAXED);
    unsigned int eax, ebx, ecx, edx;
    if (features != 0)
        return features;
    features = CX16_CPU_KNOWN;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_CMPXCHG16B)) {
        features |= CX16_CPU_CX16;
        /* AVX usable = CPU has it, and the OS enabled XSAVE with SSE and
         * AVX state (XCR0 bits 1 and 2). */
        if ((ecx & bit_AVX) && (ecx & bit_OSXSAVE) &&
            (cx16_xgetbv0() & 6) == 6)
            features |= CX16_CPU_AVX;
    }
    __atomic_store_n(&cx16_cpu, features, __ATOMIC_RELAXED);
    return features;
}

void patomic_impl_create_cx16(size_t width, unsigned options,
                              patomic_ops_t *ops)
{
    int features;
    if (width != 16)
        return;
    features = cx16_cpu_features();
    if (!(features & CX16_CPU_CX16))
        return;
    if ((options & patomic_OPTION_READONLY) && !(features & CX16_CPU_AVX))
        return;
    patomic_fill_ops_cx16(ops, options);
}

#else /* not x86_64 with gcc/clang */

void patomic_impl_create_cx16(size_t width, unsigned options,
                              patomic_ops_t *ops)
{
    (void)width;
    (void)options;
    (void)ops;
}

#endif
