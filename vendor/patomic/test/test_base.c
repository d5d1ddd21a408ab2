/* SPDX-License-Identifier: MIT */
/*
 * Proves store and load at every width and every order each accepts: a
 * store writes exactly the value's width bytes in native byte order (checked
 * with memcpy, not with load, so the two ops cannot cover for each other), a
 * load returns them without changing the object, and a store followed by a
 * load round-trips for every pair of orders. Operands sit at odd addresses,
 * since the ops promise to accept unaligned operand buffers.
 */

#include <patomic/patomic.h>

#include "support.h"

static void test_store(size_t width, const patomic_ops_t *ops,
                       const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width), arg = tv_arg_new(width);
    const int *orders;
    size_t no = tv_orders(TV_STORE, &orders), k, i;
    char h[35];
    for (k = 0; k < no; ++k)
        for (i = 0; i < nv; ++i) {
            /* start from a different value so a no-op store shows */
            tv_set(&obj, ~vals[i]);
            tv_set(&arg, vals[i]);
            check_context("store width %zu order %s value %s", width,
                          tv_order_name(orders[k]), check_hex(vals[i], h));
            ops->fp_store(tv_ptr(&obj), tv_ptr(&arg), orders[k]);
            CHECK_EQ(tv_get(&obj), vals[i]);
            CHECK_EQ(tv_get(&arg), vals[i]);
        }
    tv_buf_free(&obj);
    tv_buf_free(&arg);
}

static void test_load(size_t width, const patomic_ops_t *ops,
                      const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width), ret = tv_arg_new(width);
    const int *orders;
    size_t no = tv_orders(TV_LOAD, &orders), k, i;
    char h[35];
    for (k = 0; k < no; ++k)
        for (i = 0; i < nv; ++i) {
            tv_set(&obj, vals[i]);
            tv_set(&ret, ~vals[i]);
            check_context("load width %zu order %s value %s", width,
                          tv_order_name(orders[k]), check_hex(vals[i], h));
            ops->fp_load(tv_ptr(&obj), orders[k], tv_ptr(&ret));
            CHECK_EQ(tv_get(&ret), vals[i]);
            CHECK_EQ(tv_get(&obj), vals[i]);
        }
    tv_buf_free(&obj);
    tv_buf_free(&ret);
}

/* Every (store order, load order) pair, with a sequence of values on one
 * object: each load sees the latest store, never an older one. */
static void test_round_trip(size_t width, const patomic_ops_t *ops,
                            const tv_u128 *vals, size_t nv)
{
    tv_buf_t obj = tv_obj_new(width), arg = tv_arg_new(width),
             ret = tv_arg_new(width);
    const int *so, *lo;
    size_t ns = tv_orders(TV_STORE, &so), nl = tv_orders(TV_LOAD, &lo);
    size_t s, l, i;
    tv_set(&obj, 0);
    for (s = 0; s < ns; ++s)
        for (l = 0; l < nl; ++l) {
            check_context("round trip width %zu store %s load %s", width,
                          tv_order_name(so[s]), tv_order_name(lo[l]));
            for (i = 0; i < nv; ++i) {
                tv_set(&arg, vals[i]);
                ops->fp_store(tv_ptr(&obj), tv_ptr(&arg), so[s]);
                ops->fp_load(tv_ptr(&obj), lo[l], tv_ptr(&ret));
                CHECK_EQ(tv_get(&ret), vals[i]);
            }
        }
    check_context("%s", "");
    tv_buf_free(&obj);
    tv_buf_free(&arg);
    tv_buf_free(&ret);
}

/* Native byte order, spelled out: the object's bytes are those of the
 * matching C integer type, not some other arrangement of the value. */
static void test_native_layout(size_t width, const patomic_ops_t *ops)
{
    tv_buf_t obj;
    unsigned char src[16];
    uint64_t u64 = 0x0102030405060708ULL;
    uint32_t u32 = 0x01020304U;
    uint16_t u16 = 0x0102U;
    uint8_t u8 = 0x01U;
    const void *native = width == 8 ? (const void *)&u64
                       : width == 4 ? (const void *)&u32
                       : width == 2 ? (const void *)&u16
                       : (const void *)&u8;
    if (width > 8)
        return; /* no standard C type; the 128-bit model covers it */
    obj = tv_obj_new(width);
    memcpy(src, native, width);
    check_context("layout width %zu", width);
    ops->fp_store(tv_ptr(&obj), src, patomic_SEQ_CST);
    CHECK(memcmp(tv_ptr(&obj), native, width) == 0);
    memset(src, 0, sizeof src);
    ops->fp_load(tv_ptr(&obj), patomic_SEQ_CST, src);
    CHECK(memcmp(src, native, width) == 0);
    check_context("%s", "");
    tv_buf_free(&obj);
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
        if (!CHECK(ops.fp_store != NULL) | !CHECK(ops.fp_load != NULL))
            continue;
        test_store(width, &ops, vals, nv);
        test_load(width, &ops, vals, nv);
        test_round_trip(width, &ops, vals, nv);
        test_native_layout(width, &ops);
    }
    return check_done("test_base");
}
