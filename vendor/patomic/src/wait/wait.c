/* SPDX-License-Identifier: MIT */
/*
 * Wait/notify on a 32-bit word (see include/patomic/wait.h).
 *
 * Linux: the futex system call, FUTEX_WAIT / FUTEX_WAKE without the private
 * flag, so that processes sharing the page share the wait queue.
 * Elsewhere: no native wait; callers poll (patomic_WAIT_UNSUPPORTED).
 *
 * Reference: futex(2).
 */

#if defined(__linux__)
#define _GNU_SOURCE /* syscall() */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

#include <patomic/wait.h>

#if defined(__linux__)

int patomic_wait_is_native(void)
{
    return 1;
}

patomic_wait_result_t patomic_wait32(const volatile uint32_t *word,
                                     uint32_t expected, int64_t timeout_ns)
{
    struct timespec timeout, *ptimeout = NULL;
    long rc;
    if (timeout_ns >= 0) {
        timeout.tv_sec = (time_t)(timeout_ns / 1000000000);
        timeout.tv_nsec = (long)(timeout_ns % 1000000000);
        ptimeout = &timeout; /* FUTEX_WAIT takes a relative timeout */
    }
    rc = syscall(SYS_futex, word, FUTEX_WAIT, expected, ptimeout, NULL, 0);
    if (rc == 0)
        return patomic_WAIT_WOKEN;
    switch (errno) {
    case EAGAIN: return patomic_WAIT_WOKEN; /* *word != expected already */
    case ETIMEDOUT: return patomic_WAIT_TIMEOUT;
    case EINTR: return patomic_WAIT_INTERRUPTED;
    default: return patomic_WAIT_UNSUPPORTED; /* e.g. ENOSYS in a sandbox */
    }
}

int patomic_notify32(const volatile uint32_t *word, int32_t count)
{
    long rc = syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
    return rc < 0 ? -1 : (int)rc;
}

#else /* no native wait */

int patomic_wait_is_native(void)
{
    return 0;
}

patomic_wait_result_t patomic_wait32(const volatile uint32_t *word,
                                     uint32_t expected, int64_t timeout_ns)
{
    (void)word;
    (void)expected;
    (void)timeout_ns;
    return patomic_WAIT_UNSUPPORTED;
}

int patomic_notify32(const volatile uint32_t *word, int32_t count)
{
    (void)word;
    (void)count;
    return -1;
}

#endif
