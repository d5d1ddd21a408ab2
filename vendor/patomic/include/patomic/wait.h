/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_WAIT_H
#define PATOMIC_WAIT_H

/**
 * @file wait.h
 * @brief Blocking until a 32-bit word changes, and waking such waiters: the
 *        primitive under C++20's `std::atomic::wait` / `notify_*`.
 *
 * On Linux this is a futex without FUTEX_PRIVATE_FLAG, which the kernel
 * keys by the physical page, not the virtual address: it works across
 * processes on shared memory, whatever address each maps it at.
 *
 * Objects of other widths wait on the aligned 32-bit word that holds their
 * first byte (`patomic_wait_word`). A waiter must re-check the whole value
 * after waking; and a change that leaves that word as it was, notified in
 * the moment between the waiter's check and its sleep, can be missed, so
 * such waiters should sleep in bounded slices.
 *
 * `patomic_wait_value` and `patomic_notify_value` do all of that for an
 * object of any width: the policy of waiting (watch, sleep, poll) that
 * C++20 leaves to the implementation, in one place.
 */

#include <stddef.h>
#include <stdint.h>

#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Outcomes of `patomic_wait32`. */
typedef enum {
    patomic_WAIT_WOKEN = 0,       /**< woken, or the word no longer matched */
    patomic_WAIT_TIMEOUT = 1,     /**< the timeout passed */
    patomic_WAIT_INTERRUPTED = 2, /**< a signal arrived (handle it, retry) */
    patomic_WAIT_UNSUPPORTED = 3  /**< no native wait here: poll instead */
} patomic_wait_result_t;

/** @brief Non-zero if this platform has a native (futex-like) wait. */
int patomic_wait_is_native(void);

/**
 * @brief Block while `*word == expected`, for at most @p timeout_ns
 *        nanoseconds (negative: no limit). The comparison and the sleep are
 *        one atomic step, so a change made before the call is never missed.
 *        @p word must be 4-byte aligned. Spurious wakeups are possible.
 */
patomic_wait_result_t patomic_wait32(const volatile uint32_t *word,
                                     uint32_t expected, int64_t timeout_ns);

/** @brief Wake up to @p count waiters on @p word (INT32_MAX: all). Returns
 *         how many were woken, or -1 if unsupported. */
int patomic_notify32(const volatile uint32_t *word, int32_t count);

/**
 * @brief Block while the object of @p width bytes at @p obj holds the value
 *        @p old, for at most @p timeout_ns nanoseconds (0: only look;
 *        negative: no limit). Safe across threads and processes.
 *
 * @p load is the width's load op (from its ops table), with which the
 * value is read, and @p width at most 16; @p obj meets the width's
 * alignment. The policy:
 *
 * - watch the value for up to 20 us, if more than one CPU is online (alone,
 *   the watcher would keep its partner from running): a partner that
 *   answers at once (a handshake, a lock handed over) is then seen without
 *   a wakeup, which costs tens of microseconds of scheduling latency;
 * - then sleep. Widths of 4 bytes or more sleep on the futex of their first
 *   32-bit word (`patomic_wait32`); widths 8 and 16 at most 1 ms at a time,
 *   since a change that leaves that word as it was, notified as the waiter
 *   goes to sleep, would not wake it. Widths 1 and 2 (whose word would
 *   reach past the object), and platforms without a native wait, poll,
 *   backing off from 1 us to 1 ms.
 *
 * @return patomic_WAIT_WOKEN once the value was seen to differ from
 *         @p old; patomic_WAIT_TIMEOUT if it still held @p old when the time
 *         was up; patomic_WAIT_INTERRUPTED if a signal arrived while it
 *         slept on the futex (let the program handle it, then wait again).
 */
patomic_wait_result_t patomic_wait_value(const volatile void *obj,
                                         size_t width, const void *old,
                                         patomic_opsig_load_t load,
                                         int64_t timeout_ns);

/** @brief Wake up to @p count (INT32_MAX: all) threads or processes in
 *         `patomic_wait_value` on the object of @p width bytes at @p obj;
 *         call it after changing the value. */
void patomic_notify_value(const volatile void *obj, size_t width,
                          int32_t count);

/** @brief The aligned 32-bit word a wait on the object at @p obj uses: the
 *         one containing its first byte (for width 4, the object itself). */
static inline const volatile uint32_t *
patomic_wait_word(const volatile void *obj)
{
    return (const volatile uint32_t *)((uintptr_t)obj & ~(uintptr_t)3);
}

#ifdef __cplusplus
}
#endif

#endif /* PATOMIC_WAIT_H */
