/* SPDX-License-Identifier: MIT */
/*
 * Proves wait/notify: a wait on a word that already differs returns at once,
 * a wait times out when nothing happens, a waiter in another thread is woken
 * by notify after a store, and a waiter in another *process* sharing the
 * page (at its own mapping) is woken too, which is what makes it usable on
 * shared memory. Where the platform has no native wait, only the
 * "unsupported" answers are checked.
 *
 * Then the same for objects of every width through the waiting policy,
 * patomic_wait_value: and that a change is seen without a notify where the
 * policy polls or sleeps in bounded slices (widths 1, 2, 8, 16), and that a
 * signal interrupts a futex sleep.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <patomic/patomic.h>

#include "check.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The waiter side: wait until the word is no longer 0, re-checking after
 * every wakeup as callers must. */
static int wait_for_nonzero(volatile uint32_t *word)
{
    while (__atomic_load_n(word, __ATOMIC_SEQ_CST) == 0)
        if (patomic_wait32(word, 0, 5000000000LL) == patomic_WAIT_TIMEOUT)
            return 0;
    return 1;
}

static void *thread_waiter(void *arg)
{
    return (void *)(intptr_t)wait_for_nonzero(arg);
}

/* ---- patomic_wait_value ------------------------------------------------ */

/* An object of every width, aligned for all of them. */
static _Alignas(16) unsigned char object[16];

/* What a helper thread does to the object after a delay. */
typedef struct {
    const patomic_ops_t *ops;
    size_t width;
    long delay_ms;
    int notify;
} change_t;

static void *change_later(void *arg)
{
    const change_t *change = arg;
    unsigned char value[16];
    memset(value, 0x5a, sizeof value);
    sleep_ms(change->delay_ms);
    change->ops->fp_store(object, value, patomic_SEQ_CST);
    if (change->notify)
        patomic_notify_value(object, change->width, INT32_MAX);
    return NULL;
}

/* Wait on `object` (all zero) while a helper changes it after 20 ms. */
static void check_woken(const patomic_ops_t *ops, size_t width, int notify)
{
    static const unsigned char zero[16];
    change_t change = {ops, width, 20, notify};
    pthread_t thread;
    double t0;
    memset(object, 0, sizeof object);
    CHECK_EQ(pthread_create(&thread, NULL, change_later, &change), 0);
    t0 = now();
    CHECK_EQ(patomic_wait_value(object, width, zero, ops->fp_load,
                                5000000000LL),
             patomic_WAIT_WOKEN);
    CHECK(now() - t0 < 4.0);
    CHECK_EQ(pthread_join(thread, NULL), 0);
}

static void on_signal(int sig)
{
    (void)sig;
}

static void *signal_later(void *arg)
{
    sleep_ms(50);
    pthread_kill(*(pthread_t *)arg, SIGUSR1);
    return NULL;
}

static void check_wait_value(void)
{
    static const unsigned char zero[16];
    size_t width;
    for (width = 1; width <= 16; width *= 2) {
        patomic_ops_t ops = patomic_create_ops(width, patomic_OPTION_NONE);
        double t0;
        if (ops.fp_load == NULL || ops.fp_store == NULL)
            continue; /* (16 without cmpxchg16b) */
        check_context("width %zu", width);
        /* a value that differs returns at once, even with no time limit */
        memset(object, 0, sizeof object);
        object[width - 1] = 1;
        CHECK_EQ(patomic_wait_value(object, width, zero, ops.fp_load, -1),
                 patomic_WAIT_WOKEN);
        /* an unchanged value: only looking, then for 5 ms */
        object[width - 1] = 0;
        CHECK_EQ(patomic_wait_value(object, width, zero, ops.fp_load, 0),
                 patomic_WAIT_TIMEOUT);
        t0 = now();
        CHECK_EQ(patomic_wait_value(object, width, zero, ops.fp_load,
                                    5000000),
                 patomic_WAIT_TIMEOUT);
        CHECK(now() - t0 >= 0.004);
        /* a change is seen: notified, and where the policy polls or sleeps
         * in bounded slices even without a notify (width 4 sleeps until
         * notified, by design) */
        check_woken(&ops, width, 1);
        if (width != 4 || !patomic_wait_is_native())
            check_woken(&ops, width, 0);
    }
    check_context("%s", "");
}

/* A signal ends a futex sleep, so that the program can handle it. */
static void check_interrupted(void)
{
    static const unsigned char zero[4];
    patomic_ops_t ops = patomic_create_ops(4, patomic_OPTION_NONE);
    struct sigaction action;
    pthread_t self = pthread_self(), thread;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal; /* no SA_RESTART */
    sigemptyset(&action.sa_mask);
    CHECK_EQ(sigaction(SIGUSR1, &action, NULL), 0);
    memset(object, 0, sizeof object);
    CHECK_EQ(pthread_create(&thread, NULL, signal_later, &self), 0);
    CHECK_EQ(patomic_wait_value(object, 4, zero, ops.fp_load, 5000000000LL),
             patomic_WAIT_INTERRUPTED);
    CHECK_EQ(pthread_join(thread, NULL), 0);
}

int main(void)
{
    static uint32_t word;
    pthread_t thread;
    void *woke;
    double t0;
    uint32_t *shared;
    pid_t child;
    int status;

    check_wait_value();
    if (!patomic_wait_is_native()) {
        CHECK_EQ(patomic_wait32(&word, 0, 0), patomic_WAIT_UNSUPPORTED);
        CHECK_EQ(patomic_notify32(&word, 1), -1);
        return check_done("wait");
    }
    check_interrupted();

    /* the word word-aligns objects of every width onto their first word */
    CHECK(patomic_wait_word((char *)&word + 2) == &word);
    CHECK(patomic_wait_word(&word) == &word);

    /* a mismatch returns at once, nothing to wake */
    word = 7;
    CHECK_EQ(patomic_wait32(&word, 0, -1), patomic_WAIT_WOKEN);
    CHECK_EQ(patomic_notify32(&word, 1), 0);

    /* nothing happens: the timeout passes */
    word = 0;
    t0 = now();
    CHECK_EQ(patomic_wait32(&word, 0, 20000000), patomic_WAIT_TIMEOUT);
    CHECK(now() - t0 >= 0.015);

    /* a thread is woken by a store and a notify */
    CHECK_EQ(pthread_create(&thread, NULL, thread_waiter, &word), 0);
    sleep_ms(50);
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    CHECK(patomic_notify32(&word, INT32_MAX) >= 0);
    CHECK_EQ(pthread_join(thread, &woke), 0);
    CHECK_EQ((intptr_t)woke, 1);

    /* a process is woken through memory it maps on its own account */
    shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                  -1, 0);
    CHECK(shared != MAP_FAILED);
    if (shared == MAP_FAILED)
        return check_done("wait");
    *shared = 0;
    child = fork();
    CHECK(child >= 0);
    if (child == 0)
        _exit(wait_for_nonzero(shared) ? 0 : 1);
    sleep_ms(50);
    __atomic_store_n(shared, 1, __ATOMIC_SEQ_CST);
    CHECK(patomic_notify32(shared, 1) >= 0);
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    munmap(shared, 4096);
    return check_done("wait");
}
