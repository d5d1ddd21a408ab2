/* SPDX-License-Identifier: MIT */
/*
 * wait / notify_one / notify_all (C++20's std::atomic::wait), across threads
 * and processes.
 *
 * Widths 4, 8 and 16 wait natively (patomic_wait32, a futex on Linux) on
 * the object's first 32-bit word: for width 4 that is the whole value and
 * no wakeup can be missed. For 8 and 16 a store that leaves the first word
 * unchanged, notified just between a waiter's check and its sleep, could be
 * missed, so those waiters sleep at most 1 ms at a time. Widths 1 and 2
 * (whose word would reach past the object) and platforms without a native
 * wait poll, backing off to 1 ms.
 *
 * The Python side (atomics/_classes.py) loops over `_wait` slices, so that
 * timeouts and signals (Ctrl-C) are handled in Python between slices; the
 * interpreter lock is released while a slice sleeps.
 */

#define _POSIX_C_SOURCE 200809L /* nanosleep, clock_gettime, sysconf */

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"

#define MISSED_WAKEUP_BOUND_NS 1000000 /* 1 ms */
#define POLL_START_NS 1000             /* 1 us, doubling */
#define SPIN_NS 20000                  /* 20 us, before any sleep */

static int uses_futex(const AtomicObject *self)
{
    return self->width >= 4 && patomic_wait_is_native();
}

/* Whether the value is (still) `old`. */
static int value_is(const AtomicObject *self, const atomics_value_t *old)
{
    atomics_value_t now;
    self->ops->fp_load(self->addr, patomic_SEQ_CST, &now);
    return memcmp(now.bytes, old->bytes, (size_t)self->width) == 0;
}

static void nap(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    nanosleep(&ts, NULL);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Watch the value for up to @p limit_ns before sleeping: a partner that
 * answers at once (a handshake, a lock handed over) is then seen without a
 * futex wakeup, which costs tens of microseconds of scheduling latency.
 * Only with more than one CPU: alone, the spinner would keep the partner
 * from running. Returns whether the value changed. */
static int spin_until_changed(const AtomicObject *self,
                              const atomics_value_t *old, int64_t limit_ns)
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
            if (!value_is(self, old))
                return 1;
            cpu_relax();
        }
    } while (monotonic_ns() - start < limit_ns);
    return 0;
}

/* One slice of waiting without the interpreter lock: returns when the value
 * differs, when @p slice_ns passed, or when a signal arrived. */
static void wait_slice(const AtomicObject *self, const atomics_value_t *old,
                       int64_t slice_ns)
{
    const volatile uint32_t *word = (const volatile uint32_t *)self->addr;
    int64_t poll_ns = POLL_START_NS;
    int64_t waited = slice_ns < SPIN_NS ? slice_ns : SPIN_NS;
    if (spin_until_changed(self, old, waited))
        return;
    while (waited < slice_ns) {
        int64_t step = slice_ns - waited;
        if (uses_futex(self)) {
            /* read the word first: any change of it after this read makes
             * the futex return at once */
            uint32_t seen = __atomic_load_n(word, __ATOMIC_SEQ_CST);
            if (!value_is(self, old))
                return;
            if (self->width != 4 && step > MISSED_WAKEUP_BOUND_NS)
                step = MISSED_WAKEUP_BOUND_NS;
            switch (patomic_wait32(word, seen, step)) {
            case patomic_WAIT_INTERRUPTED:
                return; /* let Python run the signal handler */
            case patomic_WAIT_UNSUPPORTED:
                break;  /* fall through to polling below */
            default:
                waited += step; /* an upper bound: woken early just loops */
                continue;
            }
        }
        if (!value_is(self, old))
            return;
        if (step > poll_ns)
            step = poll_ns;
        nap(step);
        waited += step;
        poll_ns = poll_ns * 2 > MISSED_WAKEUP_BOUND_NS ? MISSED_WAKEUP_BOUND_NS
                                                        : poll_ns * 2;
    }
}

HPyDef_METH(Atomic_wait_slice, "_wait", HPyFunc_VARARGS,
            .doc = "_wait($self, old, slice_ns)\n--\n\n"
                   "Wait up to slice_ns while the value is `old`; return "
                   "whether it differs (the loop is Atomic*.wait).")
static HPy Atomic_wait_slice_impl(HPyContext *ctx, HPy h_self, const HPy *args,
                                  size_t nargs)
{
    AtomicObject *self = AtomicObject_AsStruct(ctx, h_self);
    atomics_value_t old;
    int64_t slice_ns;
    int differs;
    if (nargs != 2) {
        HPyErr_SetString(ctx, ctx->h_TypeError, "_wait() takes 2 arguments");
        return HPy_NULL;
    }
    if (!atomics_check_live(ctx, self))
        return HPy_NULL;
    if (self->ops->fp_load == NULL) {
        atomics_raise_op_error(ctx, patomic_op_load, self);
        return HPy_NULL;
    }
    if (self->codec->from_py(ctx, self, args[0], "old", &old) < 0)
        return HPy_NULL;
    slice_ns = HPyLong_AsInt64_t(ctx, args[1]);
    if (slice_ns == -1 && HPyErr_Occurred(ctx))
        return HPy_NULL;
    if (slice_ns > 0 && value_is(self, &old)) {
        /* A copy, so that another thread releasing a view (which clears
         * `addr`) cannot pull the pointer from under the sleeping loop; the
         * memory itself stays valid under the lifetime contract. */
        const AtomicObject snapshot = *self;
        HPyThreadState state = HPy_LeavePythonExecution(ctx);
        wait_slice(&snapshot, &old, slice_ns);
        HPy_ReenterPythonExecution(ctx, state);
        if (!atomics_check_live(ctx, self))
            return HPy_NULL;
    }
    differs = !value_is(self, &old);
    return HPyBool_FromBool(ctx, differs);
}

static HPy notify(HPyContext *ctx, HPy h_self, int32_t count)
{
    AtomicObject *self = AtomicObject_AsStruct(ctx, h_self);
    if (!atomics_check_live(ctx, self))
        return HPy_NULL;
    if (uses_futex(self))
        patomic_notify32((const volatile uint32_t *)self->addr, count);
    return HPy_Dup(ctx, ctx->h_None);
}

HPyDef_METH(Atomic_notify_one, "notify_one", HPyFunc_NOARGS,
            .doc = "notify_one($self)\n--\n\n"
                   "Wake one thread or process blocked in wait() on this "
                   "memory (call it after changing the value).")
static HPy Atomic_notify_one_impl(HPyContext *ctx, HPy h_self)
{
    return notify(ctx, h_self, 1);
}

HPyDef_METH(Atomic_notify_all, "notify_all", HPyFunc_NOARGS,
            .doc = "notify_all($self)\n--\n\n"
                   "Wake every thread or process blocked in wait() on this "
                   "memory (call it after changing the value).")
static HPy Atomic_notify_all_impl(HPyContext *ctx, HPy h_self)
{
    return notify(ctx, h_self, INT32_MAX);
}
