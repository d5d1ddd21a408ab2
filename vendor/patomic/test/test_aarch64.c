/* SPDX-License-Identifier: MIT */
/*
 * The aarch64 16-byte backend from the inside (built on aarch64 only; the
 * op tests cover whichever path the table picked, this covers all of them
 * and the picking):
 *  - the table holds the `casp` ops exactly when the kernel reports LSE
 *    (HWCAP_ATOMICS), the `ldaxp`/`stlxp` ops otherwise, and read-only ops
 *    exactly when it reports LSE2 (HWCAP_USCAT); under qemu-user this runs
 *    with `-cpu cortex-a53` (no LSE) and `-cpu max` (LSE);
 *  - each compare-exchange primitive this CPU can run matches and
 *    mismatches right for every value, returns the value it found, and
 *    writes nothing outside the 16 bytes;
 *  - the `ldp` load reads the right words at every order from a page mapped
 *    read-only (functionally: whether it is *atomic* is the CPU's LSE2
 *    promise, which is why the table uses it only then);
 *  - threads add to one counter through each primitive, and through both at
 *    once where LSE exists (they must be atomic with each other), while a
 *    reader checks with the table's load that it never sees a torn value.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

/* The backend itself, its entry point renamed: the test reaches its
 * primitives and can tell which of them a table holds. */
#define patomic_impl_create_aarch64 test_create_aarch64
#include "../src/impl/aarch64/aarch64.c"
#undef patomic_impl_create_aarch64

#include "support.h"

#define READONLY_MASK ((1U << patomic_op_load) | (1U << patomic_op_bit_test))
#define NTHREADS 4
#define NITER 20000

typedef int (*cas_fn)(volatile void *, const uint64_t[2], const uint64_t[2],
                      uint64_t[2]);

static void to_words(tv_u128 v, uint64_t w[2])
{
    unsigned char bytes[16];
    tv_to_native(v, 16, bytes);
    memcpy(w, bytes, 16);
}

static tv_u128 from_words(const uint64_t w[2])
{
    return tv_from_native(w, 16);
}

static void test_table(void)
{
    const int lse = tv_cpu_has_lse(), lse2 = tv_cpu_has_lse2();
    patomic_ops_t t = {0}, ro = {0}, none = {0};
    patomic_ops_t lib = patomic_create_ops(16, 0);
    size_t w;
    printf("machine: %s\n", tv_machine());
    test_create_aarch64(16, 0, &t);
    test_create_aarch64(16, patomic_OPTION_READONLY, &ro);
    check_context("table, LSE %d LSE2 %d", lse, lse2);
    CHECK_EQ(patomic_ops_count(&t), 27);
    CHECK_EQ(patomic_ops_mask(&lib), patomic_ops_mask(&t));
    CHECK(t.fp_cmpxchg_strong == (lse ? patomic_opimpl_cmpxchg_strong_a64lse
                                      : patomic_opimpl_cmpxchg_strong_a64llsc));
    CHECK(t.fp_fetch_add == (lse ? patomic_opimpl_fetch_add_a64lse
                                 : patomic_opimpl_fetch_add_a64llsc));
    CHECK_EQ(patomic_ops_mask(&ro), lse2 ? READONLY_MASK : 0);
    for (w = 0; w <= 32; ++w) {
        if (w == 16)
            continue;
        test_create_aarch64(w, 0, &none);
        test_create_aarch64(w, patomic_OPTION_READONLY, &none);
        check_context("width %zu", w);
        CHECK_EQ(patomic_ops_count(&none), 0);
    }
    check_context("%s", "");
}

static void test_cas(const char *name, cas_fn cas)
{
    tv_u128 vals[TV_MAX_VALUES];
    size_t nv = tv_values(16, vals), i, j;
    char h1[35], h2[35];
    for (i = 0; i < nv; ++i)
        for (j = 0; j < nv; ++j) {
            tv_buf_t obj = tv_obj_new(16);
            uint64_t exp[2], des[2], old[2];
            check_context("%s old %s desired %s", name, check_hex(vals[i], h1),
                          check_hex(vals[j], h2));
            /* a match stores, and returns the old value */
            tv_set(&obj, vals[i]);
            to_words(vals[i], exp);
            to_words(vals[j], des);
            CHECK_EQ(cas(tv_ptr(&obj), exp, des, old), 1);
            CHECK_EQ(from_words(old), vals[i]);
            CHECK_EQ(tv_get(&obj), vals[j]);
            /* a mismatch in either half changes nothing, and returns the
             * value found (the loop's write-back writes the same value) */
            to_words(vals[j] ^ tv_u128_of(0, 1), exp);
            CHECK_EQ(cas(tv_ptr(&obj), exp, des, old), 0);
            CHECK_EQ(from_words(old), vals[j]);
            CHECK_EQ(tv_get(&obj), vals[j]);
            to_words(vals[j] ^ tv_u128_of(1, 0), exp);
            CHECK_EQ(cas(tv_ptr(&obj), exp, des, old), 0);
            CHECK_EQ(from_words(old), vals[j]);
            CHECK_EQ(tv_get(&obj), vals[j]);
            tv_buf_free(&obj);
        }
    check_context("%s", "");
}

static void test_ldp_readonly(void)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    tv_u128 vals[TV_MAX_VALUES];
    size_t nv = tv_values(16, vals), i, k, no;
    const int *orders;
    unsigned char *map = mmap(NULL, page, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char h[35];
    if (map == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    for (i = 0; i < nv; ++i)
        tv_to_native(vals[i], 16, map + 16 * i);
    if (mprotect(map, page, PROT_READ) != 0) {
        perror("mprotect");
        exit(2);
    }
    no = tv_orders(TV_LOAD, &orders);
    for (i = 0; i < nv; ++i)
        for (k = 0; k < no; ++k) {
            uint64_t got[2] = {0, 0};
            check_context("ldp load %s order %s", check_hex(vals[i], h),
                          tv_order_name(orders[k]));
            a64_load_ldp(map + 16 * i, orders[k], got);
            CHECK_EQ(from_words(got), vals[i]);
        }
    check_context("%s", "");
    munmap(map, page);
}

/* ---- threads ------------------------------------------------------------- */

static struct {
    tv_buf_t obj;
    patomic_ops_t lib;
    cas_fn cas[NTHREADS];
    pthread_barrier_t barrier;
    int done;
    unsigned long reading; /* loads so far, for the adders to wait on */
    unsigned long torn, loads;
} sh;

/* Each step adds 1 to both halves, so a value read whole always has equal
 * halves (the count stays far below a carry). */
static void *adder(void *arg)
{
    cas_fn cas = sh.cas[(size_t)arg];
    uint64_t exp[2] = {0, 0}, des[2], old[2];
    int i;
    pthread_barrier_wait(&sh.barrier);
    /* start once the reader is reading (on a loaded machine it may be
     * scheduled late), so that its loads overlap the adding */
    while (!__atomic_load_n(&sh.reading, __ATOMIC_ACQUIRE))
        ;
    for (i = 0; i < NITER; ++i) {
        do {
            des[0] = exp[0] + 1;
            des[1] = exp[1] + 1;
            if (cas(tv_ptr(&sh.obj), exp, des, old))
                break;
            exp[0] = old[0];
            exp[1] = old[1];
        } while (1);
        exp[0] = des[0];
        exp[1] = des[1];
    }
    return NULL;
}

static void *reader(void *arg)
{
    unsigned long torn = 0, loads = 0;
    (void)arg;
    pthread_barrier_wait(&sh.barrier);
    while (!__atomic_load_n(&sh.done, __ATOMIC_ACQUIRE)) {
        uint64_t w[2];
        sh.lib.fp_load(tv_ptr(&sh.obj), patomic_SEQ_CST, w);
        torn += w[0] != w[1];
        __atomic_store_n(&sh.reading, ++loads, __ATOMIC_RELEASE);
    }
    sh.torn = torn;
    sh.loads = loads;
    return NULL;
}

static void run_threads(const char *what, cas_fn a, cas_fn b)
{
    pthread_t t[NTHREADS], r;
    uint64_t w[2];
    size_t i;
    sh.obj = tv_obj_new(16);
    tv_set(&sh.obj, 0);
    sh.lib = patomic_create_ops(16, 0);
    sh.done = 0;
    sh.reading = 0;
    for (i = 0; i < NTHREADS; ++i)
        sh.cas[i] = i % 2 ? b : a;
    if (pthread_barrier_init(&sh.barrier, NULL, NTHREADS + 1) != 0)
        exit(2);
    if (pthread_create(&r, NULL, reader, NULL) != 0)
        exit(2);
    for (i = 0; i < NTHREADS; ++i)
        if (pthread_create(&t[i], NULL, adder, (void *)i) != 0)
            exit(2);
    for (i = 0; i < NTHREADS; ++i)
        pthread_join(t[i], NULL);
    __atomic_store_n(&sh.done, 1, __ATOMIC_RELEASE);
    pthread_join(r, NULL);
    pthread_barrier_destroy(&sh.barrier);
    check_context("threads: %s", what);
    memcpy(w, tv_ptr(&sh.obj), sizeof w);
    CHECK_EQ(w[0], (uint64_t)NTHREADS * NITER);
    CHECK_EQ(w[1], (uint64_t)NTHREADS * NITER);
    CHECK_EQ(sh.torn, 0);
    CHECK(sh.loads > 0);
    printf("threads, %s: %lu loads while adding, none torn\n", what,
           sh.loads);
    check_context("%s", "");
    tv_buf_free(&sh.obj);
}

int main(void)
{
    const int lse = tv_cpu_has_lse();
    test_table();
    test_cas("ldaxp/stlxp", a64_cas_llsc);
    if (lse)
        test_cas("casp", a64_cas_lse);
    else
        printf("note: no LSE on this CPU: casp not tested\n");
    test_ldp_readonly();
    run_threads("ldaxp/stlxp", a64_cas_llsc, a64_cas_llsc);
    if (lse) {
        run_threads("casp", a64_cas_lse, a64_cas_lse);
        run_threads("casp and ldaxp/stlxp together", a64_cas_lse,
                    a64_cas_llsc);
    }
    return check_done("test_aarch64");
}
