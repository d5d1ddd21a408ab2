/* SPDX-License-Identifier: MIT */
/*
 * <patomic/gnu.h>, the gnu backend that callers can inline: its constant
 * tables have every op exactly where the library's gnu backend serves the
 * width, and an op run through a constant table (the compiler calls it
 * directly, inlined) does what the same op does through the library's
 * table, on the same values.
 */

#include <patomic/gnu.h>

#include "support.h"

/* The same sequence of ops through table @p t, from the value 5; returns
 * a digest of every result and the final value. The tables' contents are
 * compile-time constants when the caller passes patomic_gnu_<W>_ops. */
static inline __attribute__((always_inline)) uint64_t
script(const patomic_ops_t *t, size_t width, void *cell)
{
    unsigned char v[8], r[8], e[8];
    uint64_t digest = 0;
    int ok;
#define SET(bytes, value) tv_to_native(value, width, bytes)
#define OUT(bytes)                                                          \
    (digest = digest * 1000003u + (uint64_t)tv_from_native(bytes, width))
    SET(v, 5);
    t->fp_store(cell, v, patomic_SEQ_CST);
    SET(v, 3);
    t->fp_fetch_add(cell, v, patomic_SEQ_CST, r);
    OUT(r);
    t->fp_exchange(cell, v, patomic_ACQ_REL, r);
    OUT(r);
    SET(e, 3); /* matches: succeeds */
    SET(v, 9);
    ok = t->fp_cmpxchg_strong(cell, e, v, patomic_SEQ_CST, patomic_SEQ_CST);
    digest = digest * 31u + (uint64_t)ok;
    ok = t->fp_cmpxchg_strong(cell, e, v, patomic_SEQ_CST, patomic_RELAXED);
    digest = digest * 31u + (uint64_t)ok; /* fails: e is now 9 */
    OUT(e);
    t->fp_inc(cell, patomic_SEQ_CST);
    t->fp_neg(cell, patomic_RELAXED);
    t->fp_fetch_not(cell, patomic_SEQ_CST, r);
    OUT(r);
    digest = digest * 31u + (uint64_t)t->fp_bit_test_set(cell, 7,
                                                         patomic_SEQ_CST);
    t->fp_load(cell, patomic_ACQUIRE, r);
    OUT(r);
#undef SET
#undef OUT
    return digest;
}

#define CHECK_WIDTH(W)                                                      \
    do {                                                                    \
        patomic_ops_t lib = patomic_create_ops_from(                        \
            patomic_BACKEND_GNU, W, patomic_OPTION_NONE);                   \
        uint64_t a = 0, b = 0; /* the cells */                              \
        check_context("width %d", W);                                       \
        CHECK_EQ(patomic_ops_count(&patomic_gnu_##W##_ops),                 \
                 PATOMIC_GNU_HAS_##W ? patomic_op_LAST : 0);                \
        CHECK_EQ(patomic_ops_count(&lib),                                   \
                 patomic_ops_count(&patomic_gnu_##W##_ops));                \
        if (PATOMIC_GNU_HAS_##W)                                            \
            CHECK_EQ(script(&patomic_gnu_##W##_ops, W, &a),                 \
                     script(&lib, W, &b));                                  \
        CHECK_EQ(a, b);                                                     \
        /* 5 +3, <-3, 3->9, inc, neg, not, set bit 7: 9 | 128 */             \
        CHECK_EQ((uint64_t)tv_from_native(&a, W),                           \
                 PATOMIC_GNU_HAS_##W ? 137u : 0u);                          \
    } while (0)

int main(void)
{
    CHECK_WIDTH(1);
    CHECK_WIDTH(2);
    CHECK_WIDTH(4);
    CHECK_WIDTH(8);
    return check_done("test_gnu_inline");
}
