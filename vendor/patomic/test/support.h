/* SPDX-License-Identifier: MIT */
/*
 * support.h: what the op tests share, so that each test is written once for
 * every width rather than once per width:
 *  - values of any width held as a 128-bit integer, converted to and from the
 *    native bytes the ops take; the reference results are then plain 128-bit
 *    arithmetic reduced modulo 2^(8*width);
 *  - the memory orders each kind of op accepts;
 *  - guarded buffers, so that an op writing one byte outside its width (or
 *    into an operand it should only read) is caught;
 *  - a driver for the read-modify-write ops that all share one shape.
 */
#ifndef PATOMIC_TEST_SUPPORT_H
#define PATOMIC_TEST_SUPPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <patomic/patomic.h>

#include "check.h"

typedef check_u128 tv_u128;

#if defined(__SANITIZE_THREAD__)
#define TV_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TV_TSAN 1
#endif
#endif
#ifndef TV_TSAN
#define TV_TSAN 0
#endif

/** @brief Loop @p w over the widths the ops are tested at. */
#define TV_FOR_EACH_WIDTH(w) for (size_t w = 1; w <= 16; w *= 2)

#define TV_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- values -------------------------------------------------------------- */

static inline tv_u128 tv_mask(size_t width)
{
    return width >= 16 ? ~(tv_u128)0 : ((tv_u128)1 << (8 * width)) - 1;
}

/** @brief The sign bit of a two's complement integer of @p width bytes. */
static inline tv_u128 tv_sign(size_t width)
{
    return (tv_u128)1 << (8 * width - 1);
}

static inline tv_u128 tv_u128_of(uint64_t hi, uint64_t lo)
{
    return ((tv_u128)hi << 64) | lo;
}

/* The low @p width bytes of the value are the object; where they sit in the
 * 16 bytes depends on byte order. */
static inline size_t tv_low_offset(size_t width)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return 16 - width;
#else
    (void)width;
    return 0;
#endif
}

static inline void tv_to_native(tv_u128 v, size_t width, void *dst)
{
    memcpy(dst, (unsigned char *)&v + tv_low_offset(width), width);
}

static inline tv_u128 tv_from_native(const void *src, size_t width)
{
    tv_u128 v = 0;
    memcpy((unsigned char *)&v + tv_low_offset(width), src, width);
    return v;
}

#define TV_MAX_VALUES 20

/**
 * @brief Operands for @p width: the edges of modular and two's complement
 *        arithmetic, patterns with a different value in every byte (a
 *        swapped or dropped byte shows) and a few fixed pseudo-random ones.
 */
static inline size_t tv_values(size_t width, tv_u128 *out)
{
    const tv_u128 m = tv_mask(width), s = tv_sign(width);
    const tv_u128 bytes = tv_u128_of(0x0123456789abcdefULL,
                                     0xfedcba9876543210ULL);
    const tv_u128 fixed[] = {
        0, 1, 2, 3, m, m - 1, s, s - 1, s + 1,
        tv_u128_of(0x5555555555555555ULL, 0x5555555555555555ULL),
        tv_u128_of(0xaaaaaaaaaaaaaaaaULL, 0xaaaaaaaaaaaaaaaaULL),
        tv_u128_of(0x8080808080808080ULL, 0x8080808080808080ULL),
        bytes, ~bytes,
    };
    uint64_t x = 0x9e3779b97f4a7c15ULL * width;
    size_t n = 0, i;
    for (i = 0; i < TV_COUNT(fixed); ++i)
        out[n++] = fixed[i] & m;
    for (i = 0; i < 4; ++i) {
        uint64_t hi, lo;
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        hi = x ^ (x >> 29);
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        lo = x ^ (x >> 31);
        out[n++] = tv_u128_of(hi, lo) & m;
    }
    return n;
}

/* ---- memory orders ------------------------------------------------------- */

typedef enum { TV_STORE, TV_LOAD, TV_RMW } tv_order_kind_t;

/** @brief The orders an op of @p kind accepts (memory_order.h). */
static inline size_t tv_orders(tv_order_kind_t kind, const int **orders)
{
    static const int store[] = {patomic_RELAXED, patomic_RELEASE,
                                patomic_SEQ_CST};
    static const int load[] = {patomic_RELAXED, patomic_CONSUME,
                               patomic_ACQUIRE, patomic_SEQ_CST};
    static const int rmw[] = {patomic_RELAXED, patomic_CONSUME,
                              patomic_ACQUIRE, patomic_RELEASE,
                              patomic_ACQ_REL, patomic_SEQ_CST};
    switch (kind) {
    case TV_STORE: *orders = store; return TV_COUNT(store);
    case TV_LOAD:  *orders = load;  return TV_COUNT(load);
    default:       *orders = rmw;   return TV_COUNT(rmw);
    }
}

static inline const char *tv_order_name(int order)
{
    static const char *const names[] = {"RELAXED", "CONSUME", "ACQUIRE",
                                        "RELEASE", "ACQ_REL", "SEQ_CST"};
    return order >= 0 && order < 6 ? names[order] : "?";
}

/* ---- the machine --------------------------------------------------------- */

/* Asked here independently of the library, to know what it must offer:
 * which backend serves width 16 on this architecture, whether this CPU has
 * it (tv_wide_supported), and whether it has a 16-byte load that does not
 * write (tv_wide_readonly_supported). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

static inline unsigned tv_cpuid1_ecx(void)
{
    unsigned eax, ebx, ecx = 0, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return 0;
    return ecx;
}

/** @brief The CPU has `cmpxchg16b`: 16-byte ops must exist. */
static inline int tv_cpu_has_cx16(void)
{
    return (tv_cpuid1_ecx() & bit_CMPXCHG16B) != 0;
}

/** @brief AVX is usable (CPU and OS): 16-byte read-only loads must exist. */
static inline int tv_cpu_has_avx(void)
{
    unsigned ecx = tv_cpuid1_ecx(), lo, hi;
    if (!(ecx & bit_AVX) || !(ecx & bit_OSXSAVE))
        return 0;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    return (lo & 6) == 6; /* the OS saves SSE and AVX state */
}
#define TV_WIDE_BACKEND patomic_BACKEND_CX16
static inline int tv_wide_supported(void) { return tv_cpu_has_cx16(); }
static inline int tv_wide_readonly_supported(void)
{
    return tv_cpu_has_cx16() && tv_cpu_has_avx();
}
static inline const char *tv_machine(void)
{
    static char text[64];
    snprintf(text, sizeof text, "x86_64: cx16 %s, usable AVX %s",
             tv_cpu_has_cx16() ? "yes" : "no",
             tv_cpu_has_avx() ? "yes" : "no");
    return text;
}

#elif defined(__aarch64__) && defined(__AARCH64EL__) && defined(__linux__)
#include <sys/auxv.h>

/* every Armv8.0 core has the ldaxp/stlxp pair (LSE's casp is faster);
 * only FEAT_LSE2 (HWCAP_USCAT, bit 25) makes a plain ldp atomic */
#define TV_WIDE_BACKEND patomic_BACKEND_AARCH64
static inline int tv_cpu_has_lse(void)
{
    return (getauxval(AT_HWCAP) & (1UL << 8)) != 0;
}
static inline int tv_cpu_has_lse2(void)
{
    return (getauxval(AT_HWCAP) & (1UL << 25)) != 0;
}
static inline int tv_wide_supported(void) { return 1; }
static inline int tv_wide_readonly_supported(void) { return tv_cpu_has_lse2(); }
static inline const char *tv_machine(void)
{
    static char text[64];
    snprintf(text, sizeof text, "aarch64: LSE (casp) %s, LSE2 (ldp) %s",
             tv_cpu_has_lse() ? "yes" : "no",
             tv_cpu_has_lse2() ? "yes" : "no");
    return text;
}

#elif defined(__s390x__)

/* cdsg and lpq are in every z/Architecture CPU */
#define TV_WIDE_BACKEND patomic_BACKEND_S390X
static inline int tv_wide_supported(void) { return 1; }
static inline int tv_wide_readonly_supported(void) { return 1; }
static inline const char *tv_machine(void) { return "s390x: cdsg, lpq"; }

#else

#define TV_WIDE_BACKEND patomic_BACKEND_NULL
static inline int tv_wide_supported(void) { return 0; }
static inline int tv_wide_readonly_supported(void) { return 0; }
static inline const char *tv_machine(void) { return "no 16-byte backend"; }

#endif

/** @brief Whether patomic must offer every op at @p width on this machine. */
static inline int tv_width_expected(size_t width)
{
    switch (width) {
    case 1: return __GCC_ATOMIC_CHAR_LOCK_FREE == 2;
    case 2: return __GCC_ATOMIC_SHORT_LOCK_FREE == 2;
    case 4: return __GCC_ATOMIC_INT_LOCK_FREE == 2;
    case 8: return __GCC_ATOMIC_LLONG_LOCK_FREE == 2;
    case 16: return tv_wide_supported();
    default: return 0;
    }
}

/** @brief Whether patomic must offer load and bit_test at @p width for
 *         read-only objects on this machine. */
static inline int tv_readonly_expected(size_t width)
{
    return tv_width_expected(width) &&
           (width != 16 || tv_wide_readonly_supported());
}

/* ---- tables -------------------------------------------------------------- */

/**
 * @brief The ops for @p width with @p options, or 0 with a printed note when
 *        this machine has none for it (test_ops_table checks which widths
 *        must have ops; here a width without them is simply not testable).
 */
static inline int tv_ops(size_t width, unsigned options, patomic_ops_t *ops)
{
    *ops = patomic_create_ops(width, options);
    if (patomic_ops_count(ops) > 0)
        return 1;
    printf("note: no %sops for width %zu on this machine; skipped\n",
           options & patomic_OPTION_READONLY ? "read-only " : "", width);
    return 0;
}

/* ---- guarded buffers ----------------------------------------------------- */

#define TV_GUARD 0xa5
#define TV_BUF_SIZE 48

/**
 * @brief @p width bytes at offset @p at of a guard-filled 16-aligned block.
 *        Objects use offset 16 (aligned for any width); operands use an odd
 *        offset, because the ops promise to accept unaligned operands.
 */
typedef struct {
    unsigned char *mem;
    size_t width, at;
} tv_buf_t;

static inline tv_buf_t tv_buf_new(size_t width, size_t at)
{
    tv_buf_t b;
    b.mem = aligned_alloc(16, TV_BUF_SIZE);
    if (!b.mem) {
        perror("aligned_alloc");
        exit(2);
    }
    b.width = width;
    b.at = at;
    memset(b.mem, TV_GUARD, TV_BUF_SIZE);
    return b;
}

static inline tv_buf_t tv_obj_new(size_t width) { return tv_buf_new(width, 16); }
static inline tv_buf_t tv_arg_new(size_t width) { return tv_buf_new(width, 17); }

static inline void tv_buf_free(tv_buf_t *b)
{
    free(b->mem);
    b->mem = NULL;
}

static inline void *tv_ptr(const tv_buf_t *b) { return b->mem + b->at; }

/** @brief Fill the guards and write @p v (non-atomically: one thread only). */
static inline void tv_set(tv_buf_t *b, tv_u128 v)
{
    memset(b->mem, TV_GUARD, TV_BUF_SIZE);
    tv_to_native(v, b->width, tv_ptr(b));
}

/** @brief Read the value (non-atomically), checking the guards held. */
static inline tv_u128 tv_get(const tv_buf_t *b)
{
    size_t i, bad = TV_BUF_SIZE;
    for (i = 0; i < TV_BUF_SIZE && bad == TV_BUF_SIZE; ++i)
        if ((i < b->at || i >= b->at + b->width) && b->mem[i] != TV_GUARD)
            bad = i;
    CHECK(bad == TV_BUF_SIZE && "a byte outside the value was written");
    return tv_from_native(tv_ptr(b), b->width);
}

/* ---- read-modify-write driver --------------------------------------------- */

typedef enum { TV_ARG, TV_FETCH_ARG, TV_NOARG, TV_FETCH_NOARG } tv_rmw_kind_t;

/** @brief One read-modify-write op and its reference model. */
typedef struct {
    const char *name;
    tv_rmw_kind_t kind;
    union {
        patomic_opsig_void_t arg;
        patomic_opsig_fetch_t fetch_arg;
        patomic_opsig_void_noarg_t noarg;
        patomic_opsig_fetch_noarg_t fetch_noarg;
    } fp;
    /** New value (before reduction modulo 2^(8*width)); arg 0 if none. */
    tv_u128 (*model)(tv_u128 old, tv_u128 arg);
} tv_rmw_t;

static inline int tv_rmw_present(const tv_rmw_t *op)
{
    switch (op->kind) {
    case TV_ARG:       return op->fp.arg != NULL;
    case TV_FETCH_ARG: return op->fp.fetch_arg != NULL;
    case TV_NOARG:     return op->fp.noarg != NULL;
    default:           return op->fp.fetch_noarg != NULL;
    }
}

/**
 * @brief Run @p op once on an object holding @p old (operand @p arg) with
 *        @p order; check the object then holds @p want, a fetch form returned
 *        @p old, and the operand was left alone.
 */
static inline void tv_rmw_once(const tv_rmw_t *op, size_t width, int order,
                               tv_u128 old, tv_u128 arg, tv_u128 want)
{
    char h1[35], h2[35];
    tv_buf_t obj = tv_obj_new(width), a = tv_arg_new(width),
             ret = tv_arg_new(width);
    /* ret starts as ~old: a fetch form must overwrite it, a void form
     * must leave it alone */
    tv_set(&obj, old);
    tv_set(&a, arg);
    tv_set(&ret, ~old);
    check_context("%s width %zu order %s old %s arg %s", op->name, width,
                  tv_order_name(order), check_hex(old, h1), check_hex(arg, h2));
    switch (op->kind) {
    case TV_ARG:
        op->fp.arg(tv_ptr(&obj), tv_ptr(&a), order);
        break;
    case TV_FETCH_ARG:
        op->fp.fetch_arg(tv_ptr(&obj), tv_ptr(&a), order, tv_ptr(&ret));
        break;
    case TV_NOARG:
        op->fp.noarg(tv_ptr(&obj), order);
        break;
    case TV_FETCH_NOARG:
        op->fp.fetch_noarg(tv_ptr(&obj), order, tv_ptr(&ret));
        break;
    }
    CHECK_EQ(tv_get(&obj), want & tv_mask(width));
    if (op->kind == TV_FETCH_ARG || op->kind == TV_FETCH_NOARG)
        CHECK_EQ(tv_get(&ret), old);
    else
        CHECK_EQ(tv_get(&ret), ~old & tv_mask(width));
    CHECK_EQ(tv_get(&a), arg);
    check_context("%s", "");
    tv_buf_free(&obj);
    tv_buf_free(&a);
    tv_buf_free(&ret);
}

/** @brief Check @p op against its model for every order and operand pair. */
static inline void tv_rmw_all(const tv_rmw_t *op, size_t width)
{
    tv_u128 vals[TV_MAX_VALUES];
    size_t nv = tv_values(width, vals), no, i, j, k;
    const int *orders;
    int has_arg = op->kind == TV_ARG || op->kind == TV_FETCH_ARG;
    check_context("%s width %zu", op->name, width);
    if (!CHECK(tv_rmw_present(op)))
        return;
    no = tv_orders(TV_RMW, &orders);
    for (k = 0; k < no; ++k)
        for (i = 0; i < nv; ++i)
            for (j = 0; j < (has_arg ? nv : 1); ++j) {
                tv_u128 arg = has_arg ? vals[j] : 0;
                tv_rmw_once(op, width, orders[k], vals[i], arg,
                            op->model(vals[i], arg));
            }
}

#endif /* PATOMIC_TEST_SUPPORT_H */
