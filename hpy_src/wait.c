/* SPDX-License-Identifier: MIT */
/*
 * wait / notify_one / notify_all (C++20's std::atomic::wait), across threads
 * and processes: the arguments, and the interpreter lock. How to wait
 * (watch, sleep on a futex, poll) is patomic's policy, patomic_wait_value
 * (vendor/patomic/include/patomic/wait.h).
 *
 * The Python side (atomics/_classes.py) loops over `_wait` slices, so that
 * timeouts and signals (Ctrl-C) are handled in Python between slices; the
 * interpreter lock is released while a slice sleeps.
 */

#include "atomic.h"

/* `_wait` on the value at @p addr (the atomic's, or an array element's);
 * h_old and h_slice are its arguments. Returns whether the value differs
 * from `old`, after at most slice_ns of waiting. */
static HPy wait_on(HPyContext *ctx, const AtomicObject *self, const char *addr,
                   HPy h_old, HPy h_slice)
{
    atomics_value_t old;
    int64_t slice_ns;
    patomic_wait_result_t result;
    if (self->ops->fp_load == NULL) {
        atomics_raise_op_error(ctx, patomic_op_load, self);
        return HPy_NULL;
    }
    if (self->codec->from_py(ctx, self, h_old, "old", &old) < 0)
        return HPy_NULL;
    slice_ns = HPyLong_AsInt64_t(ctx, h_slice);
    if (slice_ns == -1 && HPyErr_Occurred(ctx))
        return HPy_NULL;
    /* A first look: a value that differs already needs the interpreter
     * lock released no more than a sleep. */
    result = patomic_wait_value(addr, (size_t)self->width, &old,
                                self->ops->fp_load, 0);
    if (result == patomic_WAIT_TIMEOUT && slice_ns > 0) {
        /* Another thread may release a view meanwhile (clearing its
         * `addr`, which is why the address is passed on its own): the
         * memory itself stays valid under the lifetime contract, and the
         * object's other fields never change. */
        HPyThreadState state = HPy_LeavePythonExecution(ctx);
        result = patomic_wait_value(addr, (size_t)self->width, &old,
                                    self->ops->fp_load, slice_ns);
        HPy_ReenterPythonExecution(ctx, state);
        if (!atomics_check_live(ctx, self))
            return HPy_NULL;
    }
    /* (interrupted: False, and Python runs the signal handler) */
    return HPyBool_FromBool(ctx, result == patomic_WAIT_WOKEN);
}

/* Wake up to @p count waiters on the value at @p addr. */
static HPy notify(HPyContext *ctx, const AtomicObject *self, const char *addr,
                  int32_t count)
{
    patomic_notify_value(addr, (size_t)self->width, count);
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
