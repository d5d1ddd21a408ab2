/* SPDX-License-Identifier: MIT */
/*
 * Proves the ops are atomic, at every width, when threads race on one
 * object: NTHREADS threads doing NITER ops each must lose no update and see
 * no torn value, and the outcome is asserted exactly, not statistically:
 *  - fetch_add hands out every ticket exactly once (counted modulo
 *    2^(8*width), starting just below a carry so the count wraps mid-run);
 *  - a mix of inc/dec/add/sub (void and fetch forms) ends at the exact sum;
 *  - a compare-exchange loop (weak and strong) counts exactly;
 *  - exchange hands every value put in to exactly one taker;
 *  - concurrent stores and loads never mix the bytes of two stores;
 *  - tables may be created concurrently (patomic_create_ops is thread-safe).
 * Memory orders rotate through every valid one: atomicity holds for all.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>

#include <patomic/patomic.h>

#include "support.h"

#define NTHREADS 4
#define NITER 100000
#define TOTAL ((size_t)NTHREADS * NITER)

typedef struct worker worker_t;

typedef struct {
    size_t width;
    tv_u128 mask;
    patomic_ops_t ops;
    tv_buf_t obj;
    tv_u128 start;
    pthread_barrier_t barrier;
    void (*body)(worker_t *);
} shared_t;

struct worker {
    shared_t *sh;
    int index;
    /* results, read by the main thread after pthread_join */
    uint32_t *out;
    tv_u128 delta;
    unsigned long bad;
};

static void *thread_main(void *arg)
{
    worker_t *w = arg;
    pthread_barrier_wait(&w->sh->barrier); /* start together: more races */
    w->sh->body(w);
    return NULL;
}

static void run(shared_t *sh, worker_t *ws, void (*body)(worker_t *))
{
    pthread_t t[NTHREADS];
    int i;
    sh->body = body;
    if (pthread_barrier_init(&sh->barrier, NULL, NTHREADS) != 0)
        exit(2);
    for (i = 0; i < NTHREADS; ++i) {
        ws[i].sh = sh;
        ws[i].index = i;
        ws[i].delta = 0;
        ws[i].bad = 0;
        if (pthread_create(&t[i], NULL, thread_main, &ws[i]) != 0)
            exit(2);
    }
    for (i = 0; i < NTHREADS; ++i)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&sh->barrier);
}

static int rmw_order(size_t i)
{
    const int *orders;
    size_t n = tv_orders(TV_RMW, &orders);
    return orders[i % n];
}

/* ---- fetch_add tickets --------------------------------------------------- */

static void body_tickets(worker_t *w)
{
    const shared_t *sh = w->sh;
    unsigned char one[16], ret[16];
    size_t i;
    tv_to_native(1, sh->width, one);
    for (i = 0; i < NITER; ++i) {
        tv_u128 off;
        sh->ops.fp_fetch_add(tv_ptr(&sh->obj), one, rmw_order(i + w->index),
                             ret);
        off = (tv_from_native(ret, sh->width) - sh->start) & sh->mask;
        w->out[i] = off < TOTAL ? (uint32_t)off : UINT32_MAX;
    }
}

static void test_tickets(shared_t *sh, worker_t *ws, uint32_t *hist)
{
    /* start so the count crosses a carry: the top of the width, or at 16
     * bytes the boundary between the two 64-bit halves */
    const size_t carry_bits = sh->width >= 16 ? 64 : 8 * sh->width;
    const tv_u128 period = sh->mask + 1; /* 0 (unused) at width 16 */
    size_t i, r, bad = 0;
    int t;
    sh->start = (((tv_u128)1 << carry_bits) - TOTAL / 2) & sh->mask;
    tv_set(&sh->obj, sh->start);
    run(sh, ws, body_tickets);
    memset(hist, 0, TOTAL * sizeof *hist);
    for (t = 0; t < NTHREADS; ++t)
        for (i = 0; i < NITER; ++i)
            if (CHECK(ws[t].out[i] < TOTAL))
                ++hist[ws[t].out[i]];
    /* ticket k (k = 0..TOTAL-1) is start + k modulo 2^(8*width) */
    for (r = 0; r < TOTAL; ++r) {
        size_t want = sh->width >= 4 ? 1
                    : r < (size_t)period ? (TOTAL - 1 - r) / (size_t)period + 1
                    : 0;
        bad += hist[r] != want;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(tv_get(&sh->obj), (sh->start + TOTAL) & sh->mask);
}

/* ---- inc/dec/add/sub mix ------------------------------------------------- */

/* Each thread keeps the exact sum of what it applied, so the final value is
 * known whatever the interleaving; the operands of add/sub live in the top
 * byte, where the carries leave the width. */
static void body_mix(worker_t *w)
{
    const shared_t *sh = w->sh;
    const patomic_ops_t *o = &sh->ops;
    volatile void *obj = tv_ptr(&sh->obj);
    unsigned char arg[16], ret[16];
    size_t i;
    for (i = 0; i < NITER; ++i) {
        const int ord = rmw_order(i + w->index);
        const tv_u128 k = (tv_u128)(i % 7 + 1) << (8 * sh->width - 8);
        tv_to_native(k, sh->width, arg);
        switch ((i + (size_t)w->index) % 8) {
        case 0: o->fp_inc(obj, ord); w->delta += 1; break;
        case 1: o->fp_fetch_inc(obj, ord, ret); w->delta += 1; break;
        case 2: o->fp_dec(obj, ord); w->delta -= 1; break;
        case 3: o->fp_fetch_dec(obj, ord, ret); w->delta -= 1; break;
        case 4: o->fp_add(obj, arg, ord); w->delta += k; break;
        case 5: o->fp_fetch_add(obj, arg, ord, ret); w->delta += k; break;
        case 6: o->fp_sub(obj, arg, ord); w->delta -= k; break;
        default: o->fp_fetch_sub(obj, arg, ord, ret); w->delta -= k; break;
        }
    }
}

static void test_mix(shared_t *sh, worker_t *ws)
{
    tv_u128 want;
    int t;
    sh->start = sh->mask - 12345;
    tv_set(&sh->obj, sh->start);
    run(sh, ws, body_mix);
    want = sh->start;
    for (t = 0; t < NTHREADS; ++t)
        want += ws[t].delta;
    CHECK_EQ(tv_get(&sh->obj), want & sh->mask);
}

/* ---- compare-exchange loop ----------------------------------------------- */

static void body_cas(worker_t *w)
{
    const shared_t *sh = w->sh;
    patomic_opsig_cmpxchg_t cas = w->index % 2 ? sh->ops.fp_cmpxchg_strong
                                               : sh->ops.fp_cmpxchg_weak;
    unsigned char exp[16], des[16];
    size_t i, pair = 0;
    int succ = patomic_SEQ_CST, fail = patomic_SEQ_CST;
    sh->ops.fp_load(tv_ptr(&sh->obj), patomic_RELAXED, exp);
    for (i = 0; i < NITER; ++i) {
        do {
            /* the next valid (succ, fail) pair, retry or not */
            do {
                ++pair;
                succ = (int)(pair % 6);
                fail = (int)(pair / 6 % 6);
            } while (!patomic_is_valid_fail_order(succ, fail));
            tv_to_native(tv_from_native(exp, sh->width) + 1, sh->width, des);
        } while (!cas(tv_ptr(&sh->obj), exp, des, succ, fail));
        memcpy(exp, des, sizeof exp); /* our value, unless someone else's */
    }
}

static void test_cas(shared_t *sh, worker_t *ws)
{
    sh->start = sh->mask ^ 0xff;
    tv_set(&sh->obj, sh->start);
    run(sh, ws, body_cas);
    CHECK_EQ(tv_get(&sh->obj), (sh->start + TOTAL) & sh->mask);
}

/* ---- exchange handoff ---------------------------------------------------- */

/* The k-th value put in: k in its low 32 bits (or what of them fits), and
 * for wide objects a k-dependent pattern above, so that a value whose high
 * half belongs to another exchange is caught. */
static tv_u128 handoff_value(size_t k, tv_u128 mask)
{
    const tv_u128 high = (tv_u128)(k * 0x9e3779b97f4a7c15ULL) << 32;
    return ((tv_u128)k | (k ? high : 0)) & mask;
}

static size_t handoff_index(tv_u128 v, tv_u128 mask)
{
    return (size_t)(v & (mask & 0xffffffffU));
}

static void body_handoff(worker_t *w)
{
    const shared_t *sh = w->sh;
    unsigned char in[16], out[16];
    size_t i;
    for (i = 0; i < NITER; ++i) {
        const size_t k = (size_t)w->index * NITER + i + 1;
        tv_u128 v;
        tv_to_native(handoff_value(k, sh->mask), sh->width, in);
        sh->ops.fp_exchange(tv_ptr(&sh->obj), in, rmw_order(i), out);
        v = tv_from_native(out, sh->width);
        w->out[i] = (uint32_t)handoff_index(v, sh->mask);
        if (v != handoff_value(w->out[i], sh->mask))
            ++w->bad; /* bytes of two different values */
    }
}

static void test_handoff(shared_t *sh, worker_t *ws, int32_t *count)
{
    /* values repeat modulo 2^(8*width) below 4 bytes, so count by index */
    const size_t n = sh->width < 4 ? (size_t)sh->mask + 1 : TOTAL + 1;
    size_t k, i, bad = 0;
    int t;
    sh->start = handoff_value(0, sh->mask);
    tv_set(&sh->obj, sh->start);
    run(sh, ws, body_handoff);
    memset(count, 0, n * sizeof *count);
    /* every value put in (and the start) ... */
    for (k = 0; k <= TOTAL; ++k)
        ++count[handoff_index(handoff_value(k, sh->mask), sh->mask)];
    /* ... is taken out exactly once (or is the final value) */
    for (t = 0; t < NTHREADS; ++t) {
        CHECK_EQ(ws[t].bad, 0);
        for (i = 0; i < NITER; ++i)
            if (CHECK(ws[t].out[i] < n))
                --count[ws[t].out[i]];
    }
    k = handoff_index(tv_get(&sh->obj), sh->mask);
    if (CHECK(k < n))
        --count[k];
    for (k = 0; k < n; ++k)
        bad += count[k] != 0;
    CHECK_EQ(bad, 0);
}

/* ---- torn stores and loads ----------------------------------------------- */

/* Values with every byte equal: a load that mixes two stores shows. */
static tv_u128 splat(unsigned byte)
{
    return tv_u128_of(0x0101010101010101ULL, 0x0101010101010101ULL) * byte;
}

static void body_tear(worker_t *w)
{
    const shared_t *sh = w->sh;
    const int *so, *lo;
    const size_t ns = tv_orders(TV_STORE, &so), nl = tv_orders(TV_LOAD, &lo);
    unsigned char buf[16];
    size_t i;
    for (i = 0; i < NITER; ++i) {
        if (w->index % 2) {
            tv_to_native(splat((unsigned)(i * 37 + (size_t)w->index) & 0xff),
                         sh->width, buf);
            sh->ops.fp_store(tv_ptr(&sh->obj), buf, so[i % ns]);
        } else {
            tv_u128 v;
            sh->ops.fp_load(tv_ptr(&sh->obj), lo[i % nl], buf);
            v = tv_from_native(buf, sh->width);
            if (v != (splat((unsigned)(v & 0xff)) & sh->mask))
                ++w->bad;
        }
    }
}

static void test_tear(shared_t *sh, worker_t *ws)
{
    int t;
    tv_set(&sh->obj, 0);
    run(sh, ws, body_tear);
    for (t = 0; t < NTHREADS; ++t)
        CHECK_EQ(ws[t].bad, 0);
}

/* ---- concurrent table creation ------------------------------------------- */

/* What each thread must get, made by the main thread before they start. */
static patomic_ops_t ref_tables[2][17];

#define SAME_FIELD(p, id, name, sig) diff += (p)[0].fp_##name != (p)[1].fp_##name;

static void body_create(worker_t *w)
{
    unsigned opt, i;
    for (i = 0; i < 200; ++i)
        for (opt = 0; opt <= patomic_OPTION_READONLY; ++opt)
            TV_FOR_EACH_WIDTH(width) {
                patomic_ops_t p[2];
                int diff = 0;
                p[0] = patomic_create_ops(width, opt);
                p[1] = ref_tables[opt][width];
                PATOMIC_FOR_EACH_OP(SAME_FIELD, p)
                w->bad += diff != 0;
            }
}

static void test_create(worker_t *ws)
{
    shared_t sh;
    unsigned opt;
    int t;
    memset(&sh, 0, sizeof sh);
    for (opt = 0; opt <= patomic_OPTION_READONLY; ++opt)
        TV_FOR_EACH_WIDTH(width) {
            ref_tables[opt][width] = patomic_create_ops(width, opt);
        }
    run(&sh, ws, body_create);
    for (t = 0; t < NTHREADS; ++t)
        CHECK_EQ(ws[t].bad, 0);
}

int main(void)
{
    worker_t ws[NTHREADS];
    uint32_t *hist = calloc(TOTAL + 1, sizeof *hist);
    int32_t *count = calloc(TOTAL + 1, sizeof *count);
    int t;
    if (!hist || !count)
        return 2;
    for (t = 0; t < NTHREADS; ++t)
        if (!(ws[t].out = calloc(NITER, sizeof *ws[t].out)))
            return 2;
    TV_FOR_EACH_WIDTH(width) {
        shared_t sh;
        memset(&sh, 0, sizeof sh);
        if (!tv_ops(width, 0, &sh.ops))
            continue;
        if (width == 16 && TV_TSAN) {
            /* TSan swaps the 16-byte compare-exchange for its own emulation
             * under a private lock (it has no model of cmpxchg16b), which
             * the library's inline-asm vector load does not take: what ran
             * would be TSan's emulation, not the library's atomics. */
            printf("note: width 16 skipped under ThreadSanitizer\n");
            continue;
        }
        sh.width = width;
        sh.mask = tv_mask(width);
        sh.obj = tv_obj_new(width);
        check_context("tickets width %zu", width);
        test_tickets(&sh, ws, hist);
        check_context("inc/dec/add/sub width %zu", width);
        test_mix(&sh, ws);
        check_context("cmpxchg loop width %zu", width);
        test_cas(&sh, ws);
        check_context("exchange handoff width %zu", width);
        test_handoff(&sh, ws, count);
        check_context("store/load tearing width %zu", width);
        test_tear(&sh, ws);
        check_context("%s", "");
        tv_buf_free(&sh.obj);
    }
    check_context("concurrent patomic_create_ops");
    test_create(ws);
    for (t = 0; t < NTHREADS; ++t)
        free(ws[t].out);
    free(hist);
    free(count);
    return check_done("test_threads");
}
