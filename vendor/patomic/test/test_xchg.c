/* SPDX-License-Identifier: MIT */
/*
 * Proves exchange, cmpxchg_weak and cmpxchg_strong at every width and order
 * (every valid (success, failure) pair for the compare-exchanges): exchange
 * returns the old value and installs the new one; a compare-exchange whose
 * expected value matches installs the desired value and leaves `expected`
 * alone, and one that does not match changes nothing but `expected`, which
 * it sets to the current value. A mismatch in any single byte must be seen
 * (all of the width is compared). The weak form may fail spuriously, so its
 * success path is retried; it may never succeed on a mismatch.
 */

#include <patomic/patomic.h>

#include "support.h"

/* Spurious failures are rare, not endless: this many in a row is a bug. */
#define WEAK_RETRIES 1000

static void test_exchange(size_t width, const patomic_ops_t *ops,
                          const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width), arg = tv_arg_new(width),
             ret = tv_arg_new(width);
    const int *orders;
    size_t no = tv_orders(TV_RMW, &orders), k, i, j;
    char h1[35], h2[35];
    for (k = 0; k < no; ++k)
        for (i = 0; i < nv; ++i)
            for (j = 0; j < nv; ++j) {
                tv_set(&obj, vals[i]);
                tv_set(&arg, vals[j]);
                tv_set(&ret, ~vals[i]);
                check_context("exchange width %zu order %s old %s new %s",
                              width, tv_order_name(orders[k]),
                              check_hex(vals[i], h1), check_hex(vals[j], h2));
                ops->fp_exchange(tv_ptr(&obj), tv_ptr(&arg), orders[k],
                                 tv_ptr(&ret));
                CHECK_EQ(tv_get(&ret), vals[i]);
                CHECK_EQ(tv_get(&obj), vals[j]);
                CHECK_EQ(tv_get(&arg), vals[j]);
            }
    tv_buf_free(&obj);
    tv_buf_free(&arg);
    tv_buf_free(&ret);
}

/* Values that differ from @p v in exactly one byte (lowest, highest, and
 * one in the middle) or in every bit. */
static size_t mismatches(tv_u128 v, size_t width, tv_u128 *out)
{
    size_t n = 0;
    out[n++] = v ^ 1;
    out[n++] = v ^ tv_sign(width);
    if (width > 2)
        out[n++] = v ^ ((tv_u128)0x10 << (8 * (width / 2)));
    out[n++] = ~v & tv_mask(width);
    return n;
}

/* The compare-exchange @p fp, from an object holding @p cur, expecting
 * @p exp, wanting to install @p des. Returns what the op returned. */
static int run_cmpxchg(patomic_opsig_cmpxchg_t fp, size_t width, int weak,
                       int succ, int fail, tv_u128 cur, tv_u128 exp,
                       tv_u128 des)
{
    tv_buf_t obj = tv_obj_new(width), e = tv_arg_new(width),
             d = tv_arg_new(width);
    int ok = 0, tries = 0;
    char h1[35], h2[35], h3[35];
    check_context("cmpxchg_%s width %zu succ %s fail %s cur %s exp %s des %s",
                  weak ? "weak" : "strong", width, tv_order_name(succ),
                  tv_order_name(fail), check_hex(cur, h1), check_hex(exp, h2),
                  check_hex(des, h3));
    tv_set(&obj, cur);
    tv_set(&d, des);
    do {
        tv_set(&e, exp);
        ok = fp(tv_ptr(&obj), tv_ptr(&e), tv_ptr(&d), succ, fail);
        CHECK(ok == 0 || ok == 1);
        ok = ok != 0;
        if (!ok) {
            /* failed (spuriously, or for real): nothing but `expected`
             * changed, and it now holds the current value */
            CHECK_EQ(tv_get(&obj), cur);
            CHECK_EQ(tv_get(&e), cur);
        }
    } while (!ok && weak && cur == exp && ++tries < WEAK_RETRIES);
    if (ok) {
        CHECK_EQ(tv_get(&obj), des);
        CHECK_EQ(tv_get(&e), exp);
    }
    CHECK_EQ(tv_get(&d), des);
    check_context("%s", "");
    tv_buf_free(&obj);
    tv_buf_free(&e);
    tv_buf_free(&d);
    return ok;
}

static void test_cmpxchg(size_t width, patomic_opsig_cmpxchg_t fp, int weak,
                         const tv_u128 *vals, size_t nv)
{
    const int *so, *fo;
    size_t ns = tv_orders(TV_RMW, &so), nf = tv_orders(TV_LOAD, &fo);
    size_t s, f, i, j, m;
    int pairs = 0;
    for (s = 0; s < ns; ++s)
        for (f = 0; f < nf; ++f) {
            if (!patomic_is_valid_fail_order(so[s], fo[f]))
                continue;
            ++pairs;
            for (i = 0; i < nv; ++i) {
                tv_u128 wrong[4];
                size_t nm = mismatches(vals[i], width, wrong);
                for (j = 0; j < nv; ++j) {
                    CHECK_EQ(run_cmpxchg(fp, width, weak, so[s], fo[f],
                                         vals[i], vals[i], vals[j]), 1);
                }
                for (m = 0; m < nm; ++m)
                    CHECK_EQ(run_cmpxchg(fp, width, weak, so[s], fo[f],
                                         vals[i], wrong[m], vals[(i + 1) % nv]),
                             0);
            }
        }
    /* the orders loop really covered every valid pair (memory_order.h) */
    CHECK_EQ(pairs, 16);
}

/* What callers do with a compare-exchange: a loop that reuses `expected`
 * as updated by each failure. Doubles the value, from a stale guess. */
static void test_cmpxchg_loop(size_t width, patomic_opsig_cmpxchg_t fp,
                              const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width), e = tv_arg_new(width),
             d = tv_arg_new(width);
    size_t i;
    for (i = 0; i < nv; ++i) {
        int tries = 0;
        check_context("cmpxchg loop width %zu start %zu", width, i);
        tv_set(&obj, vals[i]);
        tv_set(&e, ~vals[i]); /* certainly stale */
        for (;;) {
            tv_u128 exp = tv_from_native(tv_ptr(&e), width);
            tv_to_native(exp * 2, width, tv_ptr(&d));
            if (fp(tv_ptr(&obj), tv_ptr(&e), tv_ptr(&d), patomic_ACQ_REL,
                   patomic_ACQUIRE))
                break;
            if (!CHECK(++tries < WEAK_RETRIES))
                break;
        }
        CHECK(tries >= 1);
        CHECK_EQ(tv_get(&obj), (vals[i] * 2) & tv_mask(width));
        CHECK_EQ(tv_get(&e), vals[i]);
    }
    check_context("%s", "");
    tv_buf_free(&obj);
    tv_buf_free(&e);
    tv_buf_free(&d);
}

int main(void)
{
    TV_FOR_EACH_WIDTH(width) {
        patomic_ops_t ops;
        tv_u128 vals[TV_MAX_VALUES];
        size_t nv = tv_values(width, vals);
        if (!tv_ops(width, 0, &ops))
            continue;
        check_context("width %zu", width);
        if (CHECK(ops.fp_exchange != NULL))
            test_exchange(width, &ops, vals, nv);
        if (CHECK(ops.fp_cmpxchg_strong != NULL)) {
            test_cmpxchg(width, ops.fp_cmpxchg_strong, 0, vals, nv);
            test_cmpxchg_loop(width, ops.fp_cmpxchg_strong, vals, nv);
        }
        if (CHECK(ops.fp_cmpxchg_weak != NULL)) {
            test_cmpxchg(width, ops.fp_cmpxchg_weak, 1, vals, nv);
            test_cmpxchg_loop(width, ops.fp_cmpxchg_weak, vals, nv);
        }
    }
    return check_done("test_xchg");
}
