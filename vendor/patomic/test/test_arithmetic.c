/* SPDX-License-Identifier: MIT */
/*
 * Proves add, sub, inc, dec, neg and their fetch forms at every width and
 * every order, against a 128-bit reference reduced modulo 2^(8*width): the
 * ops wrap around as two's complement, so one set serves signed and unsigned
 * integers. The wraparound edges are also spelled out one by one (0 - 1 is
 * all ones, max + 1 is 0, signed max + 1 is signed min, neg(0) = 0,
 * neg(min) = min), because they are where a carry escapes the width or a
 * backend's arithmetic is done in a wider type and not cut back.
 */

#include <patomic/patomic.h>

#include "support.h"

static tv_u128 m_add(tv_u128 o, tv_u128 a) { return o + a; }
static tv_u128 m_sub(tv_u128 o, tv_u128 a) { return o - a; }
static tv_u128 m_inc(tv_u128 o, tv_u128 a) { (void)a; return o + 1; }
static tv_u128 m_dec(tv_u128 o, tv_u128 a) { (void)a; return o - 1; }
static tv_u128 m_neg(tv_u128 o, tv_u128 a) { (void)a; return 0 - o; }

/* Each fetch form sits FETCH after its void form. */
enum { ADD, SUB, INC, DEC, NEG, FETCH_ADD, FETCH_SUB, FETCH_INC, FETCH_DEC,
       FETCH_NEG, NOPS, FETCH = FETCH_ADD - ADD };

static void make_ops(const patomic_ops_t *ops, tv_rmw_t *rmw)
{
    rmw[ADD] = (tv_rmw_t){"add", TV_ARG, {.arg = ops->fp_add}, m_add};
    rmw[SUB] = (tv_rmw_t){"sub", TV_ARG, {.arg = ops->fp_sub}, m_sub};
    rmw[INC] = (tv_rmw_t){"inc", TV_NOARG, {.noarg = ops->fp_inc}, m_inc};
    rmw[DEC] = (tv_rmw_t){"dec", TV_NOARG, {.noarg = ops->fp_dec}, m_dec};
    rmw[NEG] = (tv_rmw_t){"neg", TV_NOARG, {.noarg = ops->fp_neg}, m_neg};
    rmw[FETCH_ADD] = (tv_rmw_t){"fetch_add", TV_FETCH_ARG,
                                {.fetch_arg = ops->fp_fetch_add}, m_add};
    rmw[FETCH_SUB] = (tv_rmw_t){"fetch_sub", TV_FETCH_ARG,
                                {.fetch_arg = ops->fp_fetch_sub}, m_sub};
    rmw[FETCH_INC] = (tv_rmw_t){"fetch_inc", TV_FETCH_NOARG,
                                {.fetch_noarg = ops->fp_fetch_inc}, m_inc};
    rmw[FETCH_DEC] = (tv_rmw_t){"fetch_dec", TV_FETCH_NOARG,
                                {.fetch_noarg = ops->fp_fetch_dec}, m_dec};
    rmw[FETCH_NEG] = (tv_rmw_t){"fetch_neg", TV_FETCH_NOARG,
                                {.fetch_noarg = ops->fp_fetch_neg}, m_neg};
}

/* One edge: op (void form and fetch form, every order) on `old` with `arg`
 * must give `want`, which is written out here rather than modelled. */
static void edge(const tv_rmw_t *rmw, int op, size_t width, tv_u128 old,
                 tv_u128 arg, tv_u128 want)
{
    const int *orders;
    size_t no = tv_orders(TV_RMW, &orders), k;
    for (k = 0; k < no; ++k) {
        tv_rmw_once(&rmw[op], width, orders[k], old, arg, want);
        tv_rmw_once(&rmw[op + FETCH], width, orders[k], old, arg, want);
    }
}

static void test_edges(const tv_rmw_t *rmw, size_t width)
{
    const tv_u128 max = tv_mask(width), smin = tv_sign(width),
                  smax = smin - 1;
    edge(rmw, SUB, width, 0, 1, max);      /* 0 - 1: all ones */
    edge(rmw, DEC, width, 0, 0, max);
    edge(rmw, ADD, width, max, 1, 0);      /* max + 1: carry leaves */
    edge(rmw, INC, width, max, 0, 0);
    edge(rmw, ADD, width, max, max, max - 1);
    edge(rmw, SUB, width, 0, max, 1);
    edge(rmw, ADD, width, smax, 1, smin);  /* signed max + 1: signed min */
    edge(rmw, INC, width, smax, 0, smin);
    edge(rmw, SUB, width, smin, 1, smax);  /* signed min - 1: signed max */
    edge(rmw, DEC, width, smin, 0, smax);
    edge(rmw, ADD, width, smin, smin, 0);
    edge(rmw, SUB, width, smax, smin, max);
    edge(rmw, NEG, width, 0, 0, 0);        /* -0 = 0 */
    edge(rmw, NEG, width, smin, 0, smin);  /* -min = min */
    edge(rmw, NEG, width, 1, 0, max);      /* -1: all ones */
    edge(rmw, NEG, width, max, 0, 1);
    edge(rmw, NEG, width, smax, 0, smin + 1);
    /* a carry that has to ripple through every byte of the width */
    edge(rmw, ADD, width, max >> 8, 1, (tv_u128)1 << (8 * width - 8));
    edge(rmw, SUB, width, (tv_u128)1 << (8 * width - 8), 1, max >> 8);
}

/* Running sums on one object, so each op starts from the last one's result:
 * add then subtract the same values and come back to the start. */
static void test_round_trip(const patomic_ops_t *ops, size_t width,
                            const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width), arg = tv_arg_new(width),
             ret = tv_arg_new(width);
    tv_u128 sum = 0;
    size_t i;
    check_context("add/sub round trip width %zu", width);
    tv_set(&obj, 0x5a);
    for (i = 0; i < nv; ++i) {
        tv_set(&arg, vals[i]);
        ops->fp_fetch_add(tv_ptr(&obj), tv_ptr(&arg), patomic_SEQ_CST,
                          tv_ptr(&ret));
        CHECK_EQ(tv_get(&ret), (0x5a + sum) & tv_mask(width));
        sum += vals[i];
        ops->fp_inc(tv_ptr(&obj), patomic_RELAXED);
        ops->fp_dec(tv_ptr(&obj), patomic_RELAXED);
    }
    CHECK_EQ(tv_get(&obj), (0x5a + sum) & tv_mask(width));
    for (i = 0; i < nv; ++i) {
        tv_set(&arg, vals[i]);
        ops->fp_sub(tv_ptr(&obj), tv_ptr(&arg), patomic_ACQ_REL);
        ops->fp_neg(tv_ptr(&obj), patomic_SEQ_CST);
        ops->fp_neg(tv_ptr(&obj), patomic_SEQ_CST);
    }
    CHECK_EQ(tv_get(&obj), 0x5a);
    check_context("%s", "");
    tv_buf_free(&obj);
    tv_buf_free(&arg);
    tv_buf_free(&ret);
}

int main(void)
{
    TV_FOR_EACH_WIDTH(width) {
        patomic_ops_t ops;
        tv_u128 vals[TV_MAX_VALUES];
        size_t nv = tv_values(width, vals), i;
        tv_rmw_t rmw[NOPS];
        int all = 1;
        if (!tv_ops(width, 0, &ops))
            continue;
        make_ops(&ops, rmw);
        for (i = 0; i < NOPS; ++i) {
            tv_rmw_all(&rmw[i], width);
            all &= tv_rmw_present(&rmw[i]);
        }
        if (!all)
            continue;
        test_edges(rmw, width);
        test_round_trip(&ops, width, vals, nv);
    }
    return check_done("test_arithmetic");
}
