/* SPDX-License-Identifier: MIT */
/*
 * Waiting for an object of any width to change (include/patomic/wait.h):
 * when to watch the value, when to sleep on the futex of its first word
 * (wait.c), when to poll. The numbers below are the policy.
 *
 * Relies on: POSIX clock_gettime, nanosleep and sysconf; a pause hint for
 * the CPU where the compiler has one (x86 `pause`, aarch64 `yield`).
 */

#define _POSIX_C_SOURCE 200809L /* nanosleep, clock_gettime, sysconf */

#include <string.h>
#include <time.h>
#include <unistd.h>

#include <patomic/memory_order.h>
#include <patomic/wait.h>

#define MISSED_WAKEUP_BOUND_NS 1000000 /* 1 ms: widths 8 and 16 */
#define POLL_START_NS 1000             /* 1 us, doubling up to the bound */
#define SPIN_NS 20000                  /* 20 us, before any sleep */
#define MAX_WIDTH 16

/* One value of the object, read with its width's load op. */
typedef union {
    unsigned char bytes[MAX_WIDTH];
    uint64_t align[MAX_WIDTH / 8];
} value_t;

static int value_is(const volatile void *obj, size_t width, const void *old,
                    patomic_opsig_load_t load)
{
    value_t now;
    load(obj, patomic_SEQ_CST, &now);
    return memcmp(now.bytes, old, width) == 0;
}

/* Whether the object sleeps on the futex of its first word: from 4 bytes,
 * where that word lies inside the object. */
static int uses_futex(size_t width)
{
    return width >= 4 && patomic_wait_is_native();
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void nap(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    nanosleep(&ts, NULL); /* a signal ends it early: the loop goes on */
}

/* Tell the CPU this is a spin loop (saves power, yields to a hyperthread). */
static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Watch the value for up to @p limit_ns, if there is another CPU for its
 * partner to run on. Returns whether the value changed. */
static int spin_until_changed(const volatile void *obj, size_t width,
                              const void *old, patomic_opsig_load_t load,
                              int64_t limit_ns)
{
    static long cpus_online; /* 0 until read; racing first readers agree */
    long cpus = __atomic_load_n(&cpus_online, __ATOMIC_RELAXED);
    int64_t start;
    int i;
    if (cpus == 0) {
        cpus = sysconf(_SC_NPROCESSORS_ONLN);
        __atomic_store_n(&cpus_online, cpus, __ATOMIC_RELAXED);
    }
    if (cpus < 2)
        return 0;
    start = monotonic_ns();
    do {
        for (i = 0; i < 64; ++i) {
            if (!value_is(obj, width, old, load))
                return 1;
            cpu_relax();
        }
    } while (monotonic_ns() - start < limit_ns);
    return 0;
}

patomic_wait_result_t patomic_wait_value(const volatile void *obj,
                                         size_t width, const void *old,
                                         patomic_opsig_load_t load,
                                         int64_t timeout_ns)
{
    const volatile uint32_t *word = patomic_wait_word(obj);
    int64_t poll_ns = POLL_START_NS, waited;
    if (width == 0 || width > MAX_WIDTH)
        return patomic_WAIT_UNSUPPORTED;
    if (timeout_ns < 0)
        timeout_ns = INT64_MAX;
    if (!value_is(obj, width, old, load))
        return patomic_WAIT_WOKEN;
    waited = timeout_ns < SPIN_NS ? timeout_ns : SPIN_NS;
    if (waited > 0 && spin_until_changed(obj, width, old, load, waited))
        return patomic_WAIT_WOKEN;
    while (waited < timeout_ns) {
        int64_t step = timeout_ns - waited;
        if (uses_futex(width)) {
            /* read the word first: any change of it after this read makes
             * the futex return at once */
            uint32_t seen = __atomic_load_n(word, __ATOMIC_SEQ_CST);
            if (!value_is(obj, width, old, load))
                return patomic_WAIT_WOKEN;
            if (width != 4 && step > MISSED_WAKEUP_BOUND_NS)
                step = MISSED_WAKEUP_BOUND_NS;
            switch (patomic_wait32(word, seen, step)) {
            case patomic_WAIT_INTERRUPTED:
                return patomic_WAIT_INTERRUPTED;
            case patomic_WAIT_UNSUPPORTED:
                break; /* (a sandbox without futexes) poll below */
            default:
                waited += step; /* an upper bound: woken early just loops */
                continue;
            }
        }
        if (!value_is(obj, width, old, load))
            return patomic_WAIT_WOKEN;
        if (step > poll_ns)
            step = poll_ns;
        nap(step);
        waited += step;
        poll_ns = poll_ns * 2 > MISSED_WAKEUP_BOUND_NS ? MISSED_WAKEUP_BOUND_NS
                                                        : poll_ns * 2;
    }
    return value_is(obj, width, old, load) ? patomic_WAIT_TIMEOUT
                                           : patomic_WAIT_WOKEN;
}

void patomic_notify_value(const volatile void *obj, size_t width,
                          int32_t count)
{
    if (uses_futex(width))
        patomic_notify32(patomic_wait_word(obj), count);
}
