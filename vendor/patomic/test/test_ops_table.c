/* SPDX-License-Identifier: MIT */
/*
 * Proves what the ops tables contain on this machine, which is what callers
 * rely on to decide what they may do: every op at widths 1, 2, 4, 8, and
 * at 16 where the CPU has a lock-free 16-byte compare-exchange (x86_64 with
 * cmpxchg16b, every aarch64 and s390x); exactly load and bit_test with the
 * READONLY option (at 16 only where a 16-byte load that does not write is
 * atomic: x86_64 with AVX, aarch64 with LSE2, s390x's lpq); nothing at
 * other widths or from the null backend;
 * each backend contributes what its header comment says, and the combined
 * table takes the backends' own functions. Also pins the op ids (a contract
 * with the Python binding) and that patomic_ops_mask/patomic_ops_count agree
 * with the table field by field.
 */

#include <patomic/patomic.h>

#include "support.h"

#define ALL_OPS_MASK 0x0ffffffeU /* bits 1..27 */
#define READONLY_MASK ((1U << patomic_op_load) | (1U << patomic_op_bit_test))

/* The table's fields counted one by one, independently of the library. */
#define COUNT_FIELD(t, id, name, sig)                                       \
    if ((t)->fp_##name) {                                                   \
        mask |= 1U << (id);                                                 \
        ++count;                                                            \
    }

static uint32_t field_mask(const patomic_ops_t *t, int *count_out)
{
    uint32_t mask = 0;
    int count = 0;
    PATOMIC_FOR_EACH_OP(COUNT_FIELD, t)
    *count_out = count;
    return mask;
}

/* The table has exactly the ops in @p want (a mask), by every measure. */
static void check_table(const patomic_ops_t *t, uint32_t want,
                        const char *what, size_t width)
{
    int fields, bits = 0;
    uint32_t m;
    for (m = want; m; m &= m - 1)
        ++bits;
    check_context("%s width %zu", what, width);
    CHECK_EQ(field_mask(t, &fields), want);
    CHECK_EQ(fields, bits);
    CHECK_EQ(patomic_ops_mask(t), want);
    CHECK_EQ(patomic_ops_count(t), bits);
    check_context("%s", "");
}

static void test_ids(void)
{
    /* written out, not expanded from PATOMIC_FOR_EACH_OP: the ids are the
     * Python binding's OpType values and must not move */
    CHECK_EQ(patomic_op_store, 1);
    CHECK_EQ(patomic_op_load, 2);
    CHECK_EQ(patomic_op_exchange, 3);
    CHECK_EQ(patomic_op_cmpxchg_weak, 4);
    CHECK_EQ(patomic_op_cmpxchg_strong, 5);
    CHECK_EQ(patomic_op_bit_test, 6);
    CHECK_EQ(patomic_op_bit_test_compl, 7);
    CHECK_EQ(patomic_op_bit_test_set, 8);
    CHECK_EQ(patomic_op_bit_test_reset, 9);
    CHECK_EQ(patomic_op_or, 10);
    CHECK_EQ(patomic_op_xor, 11);
    CHECK_EQ(patomic_op_and, 12);
    CHECK_EQ(patomic_op_not, 13);
    CHECK_EQ(patomic_op_fetch_or, 14);
    CHECK_EQ(patomic_op_fetch_xor, 15);
    CHECK_EQ(patomic_op_fetch_and, 16);
    CHECK_EQ(patomic_op_fetch_not, 17);
    CHECK_EQ(patomic_op_add, 18);
    CHECK_EQ(patomic_op_sub, 19);
    CHECK_EQ(patomic_op_inc, 20);
    CHECK_EQ(patomic_op_dec, 21);
    CHECK_EQ(patomic_op_neg, 22);
    CHECK_EQ(patomic_op_fetch_add, 23);
    CHECK_EQ(patomic_op_fetch_sub, 24);
    CHECK_EQ(patomic_op_fetch_inc, 25);
    CHECK_EQ(patomic_op_fetch_dec, 26);
    CHECK_EQ(patomic_op_fetch_neg, 27);
    CHECK_EQ(patomic_op_LAST, 27);
    /* one field per op, nothing else in the table */
    CHECK_EQ(sizeof(patomic_ops_t), 27 * sizeof(patomic_opsig_store_t));
}

/* The mask and count of hand-made tables: each op alone sets exactly its
 * own bit, and filling the fields one at a time counts up by one. */
#define ONE_FIELD(full, id, name, sig)                                      \
    {                                                                       \
        patomic_ops_t one = {0};                                            \
        one.fp_##name = (full)->fp_##name;                                  \
        check_context("field fp_%s", #name);                                \
        CHECK_EQ(patomic_ops_mask(&one), 1U << (id));                       \
        CHECK_EQ(patomic_ops_count(&one), 1);                               \
        grow.fp_##name = (full)->fp_##name;                                 \
        CHECK_EQ(patomic_ops_mask(&grow), (2U << (id)) - 2);                \
        CHECK_EQ(patomic_ops_count(&grow), (id));                           \
    }

static void test_mask(void)
{
    patomic_ops_t empty = {0}, grow = {0};
    patomic_ops_t full = patomic_create_ops(1, 0);
    check_table(&empty, 0, "empty table", 0);
    if (patomic_ops_count(&full) != 27) {
        printf("note: width 1 has no full table; mask test skipped\n");
        return;
    }
    PATOMIC_FOR_EACH_OP(ONE_FIELD, &full)
    check_context("%s", "");
}

#define SAME_FIELD(pair, id, name, sig)                                     \
    if ((pair)[0].fp_##name != (pair)[1].fp_##name) {                       \
        check_context("fp_%s", #name);                                      \
        ++diff;                                                             \
    }

/* Field-by-field equality of two tables (no memcmp: padding-free or not,
 * function pointers are compared as what they are). */
static int same_table(const patomic_ops_t *a, const patomic_ops_t *b)
{
    patomic_ops_t pair[2];
    int diff = 0;
    pair[0] = *a;
    pair[1] = *b;
    PATOMIC_FOR_EACH_OP(SAME_FIELD, pair)
    return diff == 0;
}

static void test_widths(void)
{
    static const size_t unsupported[] = {0, 3, 5, 6, 7, 9, 12, 15, 17, 24,
                                         32, 64, SIZE_MAX};
    size_t i;
    printf("machine: %s\n", tv_machine());
    TV_FOR_EACH_WIDTH(width) {
        patomic_ops_t full = patomic_create_ops(width, 0);
        patomic_ops_t ro = patomic_create_ops(width, patomic_OPTION_READONLY);
        patomic_ops_t again = patomic_create_ops(width, 0);
        int expected = tv_width_expected(width);
        uint32_t want_ro = tv_readonly_expected(width) ? READONLY_MASK : 0;
        if (!expected)
            printf("note: width %zu has no ops on this machine\n", width);
        check_table(&full, expected ? ALL_OPS_MASK : 0, "full", width);
        check_table(&ro, want_ro, "readonly", width);
        check_context("width %zu", width);
        CHECK(same_table(&full, &again));
    }
    for (i = 0; i < TV_COUNT(unsupported); ++i) {
        patomic_ops_t full = patomic_create_ops(unsupported[i], 0);
        patomic_ops_t ro = patomic_create_ops(unsupported[i],
                                              patomic_OPTION_READONLY);
        check_table(&full, 0, "unsupported", unsupported[i]);
        check_table(&ro, 0, "unsupported readonly", unsupported[i]);
    }
    check_context("%s", "");
}

static void test_backends(void)
{
    static const unsigned options[] = {0, patomic_OPTION_READONLY};
    size_t w, o;
    int b;
    CHECK_STR_EQ(patomic_backend_name(patomic_BACKEND_GNU), "gnu");
    CHECK_STR_EQ(patomic_backend_name(patomic_BACKEND_CX16), "cx16");
    CHECK_STR_EQ(patomic_backend_name(patomic_BACKEND_AARCH64), "aarch64");
    CHECK_STR_EQ(patomic_backend_name(patomic_BACKEND_S390X), "s390x");
    CHECK_STR_EQ(patomic_backend_name(patomic_BACKEND_NULL), "null");
    CHECK_STR_EQ(patomic_backend_name(patomic_BACKEND_COUNT), NULL);
    CHECK_STR_EQ(patomic_backend_name((patomic_backend_id_t)1000), NULL);
    for (o = 0; o < TV_COUNT(options); ++o)
        for (w = 0; w <= 32; ++w) {
            patomic_ops_t bad = patomic_create_ops_from(
                patomic_BACKEND_COUNT, w, options[o]);
            patomic_ops_t bad2 = patomic_create_ops_from(
                (patomic_backend_id_t)1000, w, options[o]);
            patomic_ops_t all = patomic_create_ops(w, options[o]);
            /* widths up to 8 come from gnu, 16 from this architecture's
             * 16-byte backend (cx16, aarch64, s390x; none elsewhere) */
            patomic_backend_id_t owner = w == 16 ? TV_WIDE_BACKEND
                                                 : patomic_BACKEND_GNU;
            check_table(&bad, 0, "backend id COUNT", w);
            check_table(&bad2, 0, "backend id 1000", w);
            for (b = 0; b < patomic_BACKEND_COUNT; ++b) {
                patomic_ops_t one = patomic_create_ops_from(
                    (patomic_backend_id_t)b, w, options[o]);
                check_context("backend %s width %zu options %u",
                              patomic_backend_name((patomic_backend_id_t)b),
                              w, options[o]);
                if ((patomic_backend_id_t)b == owner)
                    /* the combined table takes each op from the backend
                     * that has it */
                    CHECK(same_table(&all, &one));
                else
                    CHECK_EQ(patomic_ops_count(&one), 0);
            }
        }
    check_context("%s", "");
}

int main(void)
{
    test_ids();
    test_mask();
    test_widths();
    test_backends();
    return check_done("test_ops_table");
}
