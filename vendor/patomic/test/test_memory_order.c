/* SPDX-License-Identifier: MIT */
/*
 * Proves the memory order helpers of memory_order.h accept exactly the
 * orders their rules allow, for all 6 orders and all 6x6 compare-exchange
 * pairs, and reject out-of-range numbers. The expected answers are written
 * out by hand rather than derived from the rules, so a slip in the helpers'
 * logic cannot be repeated here. Also pins the numeric values of the orders,
 * which are a contract with the Python binding and with C11.
 */

#include <limits.h>
#include <stdatomic.h>

#include <patomic/memory_order.h>

#include "check.h"

enum { R = patomic_RELAXED, C = patomic_CONSUME, A = patomic_ACQUIRE,
       L = patomic_RELEASE, AR = patomic_ACQ_REL, S = patomic_SEQ_CST };

static void test_values(void)
{
    CHECK_EQ(patomic_RELAXED, 0);
    CHECK_EQ(patomic_CONSUME, 1);
    CHECK_EQ(patomic_ACQUIRE, 2);
    CHECK_EQ(patomic_RELEASE, 3);
    CHECK_EQ(patomic_ACQ_REL, 4);
    CHECK_EQ(patomic_SEQ_CST, 5);
    /* "numbered as in C11's memory_order" */
    CHECK_EQ(patomic_RELAXED, memory_order_relaxed);
    CHECK_EQ(patomic_CONSUME, memory_order_consume);
    CHECK_EQ(patomic_ACQUIRE, memory_order_acquire);
    CHECK_EQ(patomic_RELEASE, memory_order_release);
    CHECK_EQ(patomic_ACQ_REL, memory_order_acq_rel);
    CHECK_EQ(patomic_SEQ_CST, memory_order_seq_cst);
}

static void test_single(void)
{
    /* index = order */
    static const int valid[6] = {1, 1, 1, 1, 1, 1};
    static const int store[6] = {1, 0, 0, 1, 0, 1}; /* R, L, S */
    static const int load[6] = {1, 1, 1, 0, 0, 1};  /* R, C, A, S */
    static const int outside[] = {INT_MIN, -100, -1, 6, 7, 100, INT_MAX};
    int o;
    size_t i;
    for (o = 0; o < 6; ++o) {
        check_context("order %d", o);
        CHECK_EQ(patomic_is_valid_order(o) != 0, valid[o]);
        CHECK_EQ(patomic_is_valid_store_order(o) != 0, store[o]);
        CHECK_EQ(patomic_is_valid_load_order(o) != 0, load[o]);
    }
    for (i = 0; i < sizeof outside / sizeof outside[0]; ++i) {
        check_context("order %d", outside[i]);
        CHECK(!patomic_is_valid_order(outside[i]));
        CHECK(!patomic_is_valid_store_order(outside[i]));
        CHECK(!patomic_is_valid_load_order(outside[i]));
    }
    check_context("%s", "");
}

static void test_fail_pairs(void)
{
    /*
     * [succ][fail]. The failure path is a load, so never RELEASE or ACQ_REL;
     * and no stronger than succ in the numbering (gcc's rule: it accepts
     * (RELEASE, ACQUIRE) and warns only when fail > succ numerically).
     */
    static const int ok[6][6] = {
        /*          R  C  A  L  AR S */
        /* R  */  {1, 0, 0, 0, 0, 0},
        /* C  */  {1, 1, 0, 0, 0, 0},
        /* A  */  {1, 1, 1, 0, 0, 0},
        /* L  */  {1, 1, 1, 0, 0, 0},
        /* AR */  {1, 1, 1, 0, 0, 0},
        /* S  */  {1, 1, 1, 0, 0, 1},
    };
    static const int outside[] = {INT_MIN, -1, 6, INT_MAX};
    int succ, fail, count = 0;
    size_t i;
    for (succ = 0; succ < 6; ++succ)
        for (fail = 0; fail < 6; ++fail) {
            check_context("succ %d fail %d", succ, fail);
            CHECK_EQ(patomic_is_valid_fail_order(succ, fail) != 0,
                     ok[succ][fail]);
            count += patomic_is_valid_fail_order(succ, fail) != 0;
        }
    check_context("%s", "");
    CHECK_EQ(count, 16);
    /* the strongest failure order each success order allows */
    CHECK(patomic_is_valid_fail_order(S, S));
    CHECK(!patomic_is_valid_fail_order(AR, S));
    CHECK(patomic_is_valid_fail_order(AR, A));
    CHECK(!patomic_is_valid_fail_order(A, S));
    for (i = 0; i < sizeof outside / sizeof outside[0]; ++i)
        for (succ = 0; succ < 6; ++succ) {
            check_context("succ/fail %d/%d", succ, outside[i]);
            CHECK(!patomic_is_valid_fail_order(succ, outside[i]));
            CHECK(!patomic_is_valid_fail_order(outside[i], succ));
        }
    check_context("%s", "");
    /* a small "succ" must not admit an out-of-range "fail" below it */
    CHECK(!patomic_is_valid_fail_order(R, -1));
    CHECK(!patomic_is_valid_fail_order(6, R));
}

int main(void)
{
    test_values();
    test_single();
    test_fail_pairs();
    return check_done("test_memory_order");
}
