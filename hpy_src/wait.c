/* SPDX-License-Identifier: MIT */
/*
 * wait / notify_one / notify_all (C++20's std::atomic::wait), across threads
 * and processes.
 *
 * Widths 4, 8 and 16 wait natively (patomic_wait32, a futex on Linux) on
 * the first 32-bit word of the atomic (or of the array element): for width
 * 4 that is the whole value and no wakeup can be missed. For 8 and 16 a
 * store that leaves the first word unchanged, notified just between a
 * waiter's check and its sleep, could be missed, so those waiters sleep at
 * most 1 ms at a time. Widths 1 and 2
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

/* Whether the value at @p addr (the atomic's, or an array element's) is
 * (still) `old`. */
static int value_is(const AtomicObject *self, const char *addr,
                    const atomics_value_t *old)
{
    atomics_value_t now;
    self->ops->fp_load(addr, patomic_SEQ_CST, &now);
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
static int spin_until_changed(const AtomicObject *self, const char *addr,
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
            if (!value_is(self, addr, old))
                return 1;
            cpu_relax();
        }
    } while (monotonic_ns() - start < limit_ns);
    return 0;
}

/* One slice of waiting without the interpreter lock: returns when the value
 * differs, when @p slice_ns passed, or when a signal arrived. */
static void wait_slice(const AtomicObject *self, const char *addr,
                       const atomics_value_t *old, int64_t slice_ns)
{
    const volatile uint32_t *word = (const volatile uint32_t *)addr;
    int64_t poll_ns = POLL_START_NS;
    int64_t waited = slice_ns < SPIN_NS ? slice_ns : SPIN_NS;
    if (spin_until_changed(self, addr, old, waited))
        return;
    while (waited < slice_ns) {
        int64_t step = slice_ns - waited;
        if (uses_futex(self)) {
            /* read the word first: any change of it after this read makes
             * the futex return at once */
            uint32_t seen = __atomic_load_n(word, __ATOMIC_SEQ_CST);
            if (!value_is(self, addr, old))
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
        if (!value_is(self, addr, old))
            return;
        if (step > poll_ns)
            step = poll_ns;
        nap(step);
        waited += step;
        poll_ns = poll_ns * 2 > MISSED_WAKEUP_BOUND_NS ? MISSED_WAKEUP_BOUND_NS
                                                        : poll_ns * 2;
    }
}

/* `_wait` on the value at @p addr; h_old and h_slice are its arguments. */
static HPy wait_on(HPyContext *ctx, const AtomicObject *self, const char *addr,
                   HPy h_old, HPy h_slice)
{
    atomics_value_t old;
    int64_t slice_ns;
    if (self->ops->fp_load == NULL) {
        atomics_raise_op_error(ctx, patomic_op_load, self);
        return HPy_NULL;
    }
    if (self->codec->from_py(ctx, self, h_old, "old", &old) < 0)
        return HPy_NULL;
    slice_ns = HPyLong_AsInt64_t(ctx, h_slice);
    if (slice_ns == -1 && HPyErr_Occurred(ctx))
        return HPy_NULL;
    if (slice_ns > 0 && value_is(self, addr, &old)) {
        /* Another thread may release a view meanwhile (clearing its
         * `addr`, which is why the address is passed on its own): the
         * memory itself stays valid under the lifetime contract, and the
         * object's other fields never change. */
        HPyThreadState state = HPy_LeavePythonExecution(ctx);
        wait_slice(self, addr, &old, slice_ns);
        HPy_ReenterPythonExecution(ctx, state);
        if (!atomics_check_live(ctx, self))
            return HPy_NULL;
    }
    return HPyBool_FromBool(ctx, !value_is(self, addr, &old));
}

/* Wake up to @p count waiters on the value at @p addr. */
static HPy notify(HPyContext *ctx, const AtomicObject *self, const char *addr,
                  int32_t count)
{
    if (uses_futex(self))
        patomic_notify32((const volatile uint32_t *)addr, count);
    return HPy_Dup(ctx, ctx->h_None);
}

#define WAIT_DOC(ARGS, WHAT)                                                \
    "_wait($self, " ARGS "old, slice_ns)\n--\n\n"                          \
    "Wait up to slice_ns while " WHAT " is `old`; return whether it "       \
    "differs (the loop is the Python-level wait())."
#define NOTIFY_DOC(NAME, ARGS, WHO, WHAT)                                   \
    NAME "($self" ARGS ")\n--\n\n"                                         \
    "Wake " WHO " blocked in wait() on " WHAT " (call it after "            \
    "changing the value)."

/* ---- single atomics ---------------------------------------------------- */

HPyDef_METH(Atomic_wait_slice, "_wait", HPyFunc_VARARGS,
            .doc = WAIT_DOC("", "the value"))
static HPy Atomic_wait_slice_impl(HPyContext *ctx, HPy h_self, const HPy *args,
                                  size_t nargs)
{
    AtomicObject *self;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    if (nargs != 2) {
        HPyErr_SetString(ctx, ctx->h_TypeError, "_wait() takes 2 arguments");
        return HPy_NULL;
    }
    if (!atomics_check_live(ctx, self))
        return HPy_NULL;
    return wait_on(ctx, self, self->addr, args[0], args[1]);
}

#define SCALAR_NOTIFY(NAME, COUNT, WHO)                                     \
    HPyDef_METH(Atomic_##NAME, #NAME, HPyFunc_NOARGS,                       \
                .doc = NOTIFY_DOC(#NAME, "", WHO, "this memory"))           \
    static HPy Atomic_##NAME##_impl(HPyContext *ctx, HPy h_self)            \
    {                                                                       \
        AtomicObject *self;                                                 \
        if (atomics_away())                                                 \
            return atomics_away_reply(ctx);                                 \
        self = AtomicObject_AsStruct(ctx, h_self);                          \
        if (!atomics_check_live(ctx, self))                                 \
            return HPy_NULL;                                                \
        return notify(ctx, self, self->addr, COUNT);                        \
    }
SCALAR_NOTIFY(notify_one, 1, "one thread or process")
SCALAR_NOTIFY(notify_all, INT32_MAX, "every thread or process")

/* ---- array elements ---------------------------------------------------- */

HPyDef_METH(Array_wait_slice, "_wait", HPyFunc_VARARGS,
            .doc = WAIT_DOC("i, ", "element i"))
static HPy Array_wait_slice_impl(HPyContext *ctx, HPy h_self, const HPy *args,
                                 size_t nargs)
{
    AtomicObject *self;
    const char *addr;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    if (nargs != 3) {
        HPyErr_SetString(ctx, ctx->h_TypeError, "_wait() takes 3 arguments");
        return HPy_NULL;
    }
    addr = atomics_element_address(ctx, self, args, nargs);
    if (addr == NULL)
        return HPy_NULL;
    return wait_on(ctx, self, addr, args[1], args[2]);
}

#define ARRAY_NOTIFY(NAME, COUNT, WHO)                                      \
    HPyDef_METH(Array_##NAME, #NAME, HPyFunc_O,                             \
                .doc = NOTIFY_DOC(#NAME, ", i, /", WHO, "element i"))       \
    static HPy Array_##NAME##_impl(HPyContext *ctx, HPy h_self, HPy h_i)    \
    {                                                                       \
        AtomicObject *self;                                                 \
        const char *addr;                                                   \
        if (atomics_away())                                                 \
            return atomics_away_reply(ctx);                                 \
        self = AtomicObject_AsStruct(ctx, h_self);                          \
        addr = atomics_element_address(ctx, self, &h_i, 1);                 \
        if (addr == NULL)                                                   \
            return HPy_NULL;                                                \
        return notify(ctx, self, addr, COUNT);                              \
    }
ARRAY_NOTIFY(notify_one, 1, "one thread or process")
ARRAY_NOTIFY(notify_all, INT32_MAX, "every thread or process")
