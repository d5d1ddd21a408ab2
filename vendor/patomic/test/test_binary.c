/* SPDX-License-Identifier: MIT */
/*
 * Proves the bitwise binary ops or, xor, and, not and their fetch forms at
 * every width and every order, against a 128-bit reference reduced to the
 * width: the object ends up as `old OP arg` (or `~old`), a fetch form
 * returns the old value, a void form writes no result, and no op touches a
 * byte outside its width (`not` in particular must not spill set bits past
 * it) or writes to its operand.
 */

#include <patomic/patomic.h>

#include "support.h"

static tv_u128 m_or(tv_u128 o, tv_u128 a) { return o | a; }
static tv_u128 m_xor(tv_u128 o, tv_u128 a) { return o ^ a; }
static tv_u128 m_and(tv_u128 o, tv_u128 a) { return o & a; }
static tv_u128 m_not(tv_u128 o, tv_u128 a) { (void)a; return ~o; }

/* Identities that hold whatever the model says: x|0, x^x, x&~0, ~~x. */
static void test_identities(size_t width, const patomic_ops_t *ops,
                            const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width), arg = tv_arg_new(width),
             ret = tv_arg_new(width);
    const tv_u128 m = tv_mask(width);
    size_t i;
    for (i = 0; i < nv; ++i) {
        const tv_u128 v = vals[i];
        check_context("identities width %zu value %zu", width, i);
        tv_set(&obj, v);
        tv_set(&arg, 0);
        ops->fp_or(tv_ptr(&obj), tv_ptr(&arg), patomic_SEQ_CST);
        CHECK_EQ(tv_get(&obj), v);
        tv_set(&arg, v);
        ops->fp_fetch_xor(tv_ptr(&obj), tv_ptr(&arg), patomic_RELAXED,
                          tv_ptr(&ret));
        CHECK_EQ(tv_get(&ret), v);
        CHECK_EQ(tv_get(&obj), 0);
        tv_set(&obj, v);
        tv_set(&arg, m);
        ops->fp_and(tv_ptr(&obj), tv_ptr(&arg), patomic_ACQ_REL);
        CHECK_EQ(tv_get(&obj), v);
        ops->fp_not(tv_ptr(&obj), patomic_RELEASE);
        CHECK_EQ(tv_get(&obj), ~v & m);
        ops->fp_fetch_not(tv_ptr(&obj), patomic_ACQUIRE, tv_ptr(&ret));
        CHECK_EQ(tv_get(&ret), ~v & m);
        CHECK_EQ(tv_get(&obj), v);
    }
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
        tv_rmw_t rmw[8];
        int all = 1;
        if (!tv_ops(width, 0, &ops))
            continue;
        rmw[0] = (tv_rmw_t){"or", TV_ARG, {.arg = ops.fp_or}, m_or};
        rmw[1] = (tv_rmw_t){"xor", TV_ARG, {.arg = ops.fp_xor}, m_xor};
        rmw[2] = (tv_rmw_t){"and", TV_ARG, {.arg = ops.fp_and}, m_and};
        rmw[3] = (tv_rmw_t){"not", TV_NOARG, {.noarg = ops.fp_not}, m_not};
        rmw[4] = (tv_rmw_t){"fetch_or", TV_FETCH_ARG,
                            {.fetch_arg = ops.fp_fetch_or}, m_or};
        rmw[5] = (tv_rmw_t){"fetch_xor", TV_FETCH_ARG,
                            {.fetch_arg = ops.fp_fetch_xor}, m_xor};
        rmw[6] = (tv_rmw_t){"fetch_and", TV_FETCH_ARG,
                            {.fetch_arg = ops.fp_fetch_and}, m_and};
        rmw[7] = (tv_rmw_t){"fetch_not", TV_FETCH_NOARG,
                            {.fetch_noarg = ops.fp_fetch_not}, m_not};
        for (i = 0; i < TV_COUNT(rmw); ++i) {
            tv_rmw_all(&rmw[i], width);
            all &= tv_rmw_present(&rmw[i]);
        }
        if (all)
            test_identities(width, &ops, vals, nv);
    }
    return check_done("test_binary");
}
