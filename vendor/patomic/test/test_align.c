/* SPDX-License-Identifier: MIT */
/*
 * Proves patomic_alignment reports natural alignment (recommended = minimum
 * = width, no size_within) for exactly the widths that have ops, and all
 * zero for every other width; and that the two align_meets helpers accept
 * exactly the addresses their rules allow, including the size_within rule
 * (which no width uses on x86_64, so it is exercised with a hand-built
 * patomic_align_t).
 */

#include <stdint.h>

#include <patomic/patomic.h>

#include "support.h"

static int is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

static void test_widths(void)
{
    static const size_t unsupported[] = {0, 3, 5, 6, 7, 9, 10, 12, 15,
                                         17, 24, 32, 64, SIZE_MAX};
    size_t i, w;
    TV_FOR_EACH_WIDTH(width) {
        patomic_align_t a = patomic_alignment(width);
        check_context("width %zu", width);
        if (!tv_width_expected(width)) {
            printf("note: width %zu has no ops here; expecting all zero\n",
                   width);
            CHECK_EQ(a.recommended, 0);
            CHECK_EQ(a.minimum, 0);
            CHECK_EQ(a.size_within, 0);
            continue;
        }
        CHECK_EQ(a.recommended, width);
        CHECK_EQ(a.minimum, width);
        CHECK_EQ(a.size_within, 0);
    }
    for (i = 0; i < TV_COUNT(unsupported); ++i) {
        patomic_align_t a = patomic_alignment(unsupported[i]);
        check_context("width %zu", unsupported[i]);
        CHECK_EQ(a.recommended, 0);
        CHECK_EQ(a.minimum, 0);
        CHECK_EQ(a.size_within, 0);
    }
    /* The documented invariants, for every width up to 64: an alignment
     * exactly when there are ops, and powers of two when there is one. */
    for (w = 0; w <= 64; ++w) {
        patomic_align_t a = patomic_alignment(w);
        patomic_ops_t ops = patomic_create_ops(w, 0);
        check_context("width %zu", w);
        CHECK_EQ(a.recommended != 0, patomic_ops_count(&ops) > 0);
        if (a.recommended == 0) {
            CHECK_EQ(a.minimum, 0);
            CHECK_EQ(a.size_within, 0);
            continue;
        }
        CHECK(is_pow2(a.recommended));
        CHECK(is_pow2(a.minimum));
        CHECK(a.minimum <= a.recommended);
        CHECK(a.size_within == 0 ||
              (is_pow2(a.size_within) && a.size_within >= w));
    }
    check_context("%s", "");
}

/* The helpers on real addresses: an object at every offset of a buffer. */
static void test_meets_real(void)
{
    _Alignas(64) unsigned char buf[128];
    TV_FOR_EACH_WIDTH(width) {
        patomic_align_t a = patomic_alignment(width);
        size_t off;
        if (a.recommended == 0)
            continue;
        for (off = 0; off + width <= sizeof buf; ++off) {
            uintptr_t addr = (uintptr_t)(buf + off);
            int aligned = off % width == 0;
            check_context("width %zu offset %zu", width, off);
            CHECK_EQ(patomic_align_meets_recommended(addr, a) != 0, aligned);
            CHECK_EQ(patomic_align_meets_minimum(addr, width, a) != 0,
                     aligned);
        }
    }
    check_context("%s", "");
}

/* Arithmetic edges: address 0, the top of the address space. */
static void test_meets_edges(void)
{
    const uintptr_t top = UINTPTR_MAX;
    patomic_align_t none = {0, 0, 0}, a8 = {8, 8, 0}, a1 = {1, 1, 0};
    uintptr_t addr;
    /* all-zero (no ops): nothing qualifies, and no division by zero */
    for (addr = 0; addr < 64; ++addr) {
        CHECK(!patomic_align_meets_recommended(addr, none));
        CHECK(!patomic_align_meets_minimum(addr, 8, none));
    }
    CHECK(!patomic_align_meets_recommended(top, none));
    CHECK(patomic_align_meets_recommended(0, a8));
    CHECK(patomic_align_meets_minimum(0, 8, a8));
    CHECK(patomic_align_meets_recommended(top - 7, a8));
    CHECK(patomic_align_meets_minimum(top - 7, 8, a8));
    CHECK(!patomic_align_meets_recommended(top, a8));
    CHECK(!patomic_align_meets_minimum(top - 3, 8, a8));
    CHECK(patomic_align_meets_recommended(top, a1));
    CHECK(patomic_align_meets_minimum(top, 1, a1));
}

/* size_within: 4 bytes on 2-byte alignment, not crossing an 8-byte block. */
static void test_size_within(void)
{
    const patomic_align_t a = {8, 2, 8};
    const uintptr_t base = 0x1000;
    /* offset in block:  0  1  2  3  4  5  6  7 */
    static const int ok4[8] = {1, 0, 1, 0, 1, 0, 0, 0};
    static const int ok8[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    static const int ok2[8] = {1, 0, 1, 0, 1, 0, 1, 0};
    static const int rec[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    uintptr_t off;
    for (off = 0; off < 32; ++off) {
        uintptr_t addr = base + off;
        check_context("size_within 8 offset %u", (unsigned)off);
        CHECK_EQ(patomic_align_meets_minimum(addr, 4, a) != 0, ok4[off % 8]);
        CHECK_EQ(patomic_align_meets_minimum(addr, 8, a) != 0, ok8[off % 8]);
        CHECK_EQ(patomic_align_meets_minimum(addr, 2, a) != 0, ok2[off % 8]);
        CHECK_EQ(patomic_align_meets_recommended(addr, a) != 0,
                 rec[off % 8]);
    }
    check_context("%s", "");
    /* bigger than the block: never fits */
    CHECK(!patomic_align_meets_minimum(base, 16, a));
    /* size_within 0 means minimum alone decides, however wide */
    {
        const patomic_align_t b = {16, 4, 0};
        CHECK(patomic_align_meets_minimum(base + 4, 64, b));
        CHECK(!patomic_align_meets_minimum(base + 2, 4, b));
        CHECK(!patomic_align_meets_recommended(base + 4, b));
        CHECK(patomic_align_meets_recommended(base + 16, b));
    }
}

int main(void)
{
    test_widths();
    test_meets_real();
    test_meets_edges();
    test_size_within();
    return check_done("test_align");
}
