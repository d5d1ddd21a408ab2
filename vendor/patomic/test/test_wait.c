/* SPDX-License-Identifier: MIT */
/*
 * Proves wait/notify: a wait on a word that already differs returns at once,
 * a wait times out when nothing happens, a waiter in another thread is woken
 * by notify after a store, and a waiter in another *process* sharing the
 * page (at its own mapping) is woken too, which is what makes it usable on
 * shared memory. Where the platform has no native wait, only the
 * "unsupported" answers are checked.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
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

int main(void)
{
    static uint32_t word;
    pthread_t thread;
    void *woke;
    double t0;
    uint32_t *shared;
    pid_t child;
    int status;

    if (!patomic_wait_is_native()) {
        CHECK_EQ(patomic_wait32(&word, 0, 0), patomic_WAIT_UNSUPPORTED);
        CHECK_EQ(patomic_notify32(&word, 1), -1);
        return check_done("wait");
    }

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
