/* SPDX-License-Identifier: MIT */
/*
 * Proves the bit ops at every width, every bit offset and every order each
 * accepts: bit_test returns the bit and never writes; bit_test_compl, _set
 * and _reset return the bit as it was *before* the op and leave the object
 * with exactly that one bit flipped, set or cleared. The top bit of each
 * width matters most: it is where a shift done in too narrow a type, or a
 * sign extension, goes wrong.
 */

#include <patomic/patomic.h>

#include "support.h"

static int bit_of(tv_u128 v, int offset) { return (int)((v >> offset) & 1); }

static void test_bit_test(size_t width, const patomic_ops_t *ops,
                          const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width);
    const int *orders;
    size_t no = tv_orders(TV_LOAD, &orders), k, i;
    int off;
    char h[35];
    for (k = 0; k < no; ++k)
        for (i = 0; i < nv; ++i)
            for (off = 0; off < (int)(8 * width); ++off) {
                tv_set(&obj, vals[i]);
                check_context("bit_test width %zu order %s value %s bit %d",
                              width, tv_order_name(orders[k]),
                              check_hex(vals[i], h), off);
                CHECK_EQ(ops->fp_bit_test(tv_ptr(&obj), off, orders[k]),
                         bit_of(vals[i], off));
                CHECK_EQ(tv_get(&obj), vals[i]);
            }
    check_context("%s", "");
    tv_buf_free(&obj);
}

typedef struct {
    const char *name;
    patomic_opsig_test_modify_t fp;
    int kind; /* 0 compl, 1 set, 2 reset */
} modify_op_t;

static tv_u128 modify_model(int kind, tv_u128 v, int off)
{
    const tv_u128 bit = (tv_u128)1 << off;
    return kind == 0 ? v ^ bit : kind == 1 ? v | bit : v & ~bit;
}

static void test_modify(size_t width, const modify_op_t *op,
                        const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width);
    const int *orders;
    size_t no = tv_orders(TV_RMW, &orders), k, i;
    int off;
    char h[35];
    check_context("%s width %zu", op->name, width);
    if (!CHECK(op->fp != NULL))
        return;
    for (k = 0; k < no; ++k)
        for (i = 0; i < nv; ++i)
            for (off = 0; off < (int)(8 * width); ++off) {
                tv_set(&obj, vals[i]);
                check_context("%s width %zu order %s value %s bit %d",
                              op->name, width, tv_order_name(orders[k]),
                              check_hex(vals[i], h), off);
                CHECK_EQ(op->fp(tv_ptr(&obj), off, orders[k]),
                         bit_of(vals[i], off));
                CHECK_EQ(tv_get(&obj), modify_model(op->kind, vals[i], off));
            }
    check_context("%s", "");
    tv_buf_free(&obj);
}

/* Walk one object through a sequence, so each op sees the result of the
 * last: set every bit from zero, flip them all back, then set and clear
 * each bit twice (the second time must report the bit already in place). */
static void test_sequence(size_t width, const patomic_ops_t *ops)
{
    tv_buf_t obj = tv_obj_new(width);
    const int bits = (int)(8 * width);
    int off;
    check_context("bit sequence width %zu", width);
    tv_set(&obj, 0);
    for (off = 0; off < bits; ++off) {
        CHECK_EQ(ops->fp_bit_test_set(tv_ptr(&obj), off, patomic_SEQ_CST), 0);
        CHECK_EQ(ops->fp_bit_test(tv_ptr(&obj), off, patomic_ACQUIRE), 1);
    }
    CHECK_EQ(tv_get(&obj), tv_mask(width));
    for (off = bits - 1; off >= 0; --off)
        CHECK_EQ(ops->fp_bit_test_compl(tv_ptr(&obj), off, patomic_ACQ_REL),
                 1);
    CHECK_EQ(tv_get(&obj), 0);
    for (off = 0; off < bits; ++off) {
        CHECK_EQ(ops->fp_bit_test_set(tv_ptr(&obj), off, patomic_RELAXED), 0);
        CHECK_EQ(ops->fp_bit_test_set(tv_ptr(&obj), off, patomic_RELAXED), 1);
        CHECK_EQ(ops->fp_bit_test_reset(tv_ptr(&obj), off, patomic_RELEASE),
                 1);
        CHECK_EQ(ops->fp_bit_test_reset(tv_ptr(&obj), off, patomic_RELEASE),
                 0);
        CHECK_EQ(tv_get(&obj), 0);
    }
    check_context("%s", "");
    tv_buf_free(&obj);
}

int main(void)
{
    TV_FOR_EACH_WIDTH(width) {
        patomic_ops_t ops;
        tv_u128 vals[TV_MAX_VALUES];
        size_t nv = tv_values(width, vals), i;
        modify_op_t mods[3];
        if (!tv_ops(width, 0, &ops))
            continue;
        mods[0].name = "bit_test_compl";
        mods[0].fp = ops.fp_bit_test_compl;
        mods[0].kind = 0;
        mods[1].name = "bit_test_set";
        mods[1].fp = ops.fp_bit_test_set;
        mods[1].kind = 1;
        mods[2].name = "bit_test_reset";
        mods[2].fp = ops.fp_bit_test_reset;
        mods[2].kind = 2;
        check_context("width %zu", width);
        if (CHECK(ops.fp_bit_test != NULL))
            test_bit_test(width, &ops, vals, nv);
        for (i = 0; i < TV_COUNT(mods); ++i)
            test_modify(width, &mods[i], vals, nv);
        if (ops.fp_bit_test && ops.fp_bit_test_set && ops.fp_bit_test_compl &&
            ops.fp_bit_test_reset)
            test_sequence(width, &ops);
    }
    return check_done("test_bitwise");
}
