/* SPDX-License-Identifier: MIT */
/*
 * check.h: the assertions of the patomic tests, with no framework behind
 * them. A failed check prints file:line, the expression, both values (for
 * CHECK_EQ) and the context the test set, and makes the test exit non-zero
 * through check_done(). A failure does not stop the test, so one run shows
 * every failing case. Usable from several threads at once.
 */
#ifndef PATOMIC_TEST_CHECK_H
#define PATOMIC_TEST_CHECK_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 check_u128;

/* Loops over every width, order and operand could print thousands of lines
 * for one bug; the first few are the telling ones. */
#define CHECK_MAX_PRINTED 40

static atomic_ulong check_count_;
static atomic_ulong check_failures_;
static _Thread_local char check_context_[200];

/** @brief Describe the case being checked; printed with any failure. */
__attribute__((format(printf, 1, 2))) static inline void
check_context(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(check_context_, sizeof check_context_, fmt, ap);
    va_end(ap);
}

/** @brief @p v as "0x..." without leading zeros, into @p buf (>= 35 bytes). */
static inline const char *check_hex(check_u128 v, char *buf)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[32];
    int n = 0, i = 0;
    do {
        tmp[n++] = digits[(unsigned)(v & 0xf)];
        v >>= 4;
    } while (v != 0);
    buf[i++] = '0';
    buf[i++] = 'x';
    while (n > 0)
        buf[i++] = tmp[--n];
    buf[i] = '\0';
    return buf;
}

static inline void check_fail_(const char *file, int line, const char *what)
{
    unsigned long n = atomic_fetch_add(&check_failures_, 1) + 1;
    if (n <= CHECK_MAX_PRINTED)
        fprintf(stderr, "%s:%d: FAILED %s%s%s%s\n", file, line, what,
                check_context_[0] ? " [" : "", check_context_,
                check_context_[0] ? "]" : "");
    else if (n == CHECK_MAX_PRINTED + 1)
        fprintf(stderr, "(further failures not printed)\n");
}

static inline int check_bool_(int ok, const char *file, int line,
                              const char *expr)
{
    atomic_fetch_add_explicit(&check_count_, 1, memory_order_relaxed);
    if (!ok)
        check_fail_(file, line, expr);
    return ok;
}

static inline int check_eq_(check_u128 got, check_u128 want, const char *file,
                            int line, const char *got_expr,
                            const char *want_expr)
{
    char msg[256], a[35], b[35];
    atomic_fetch_add_explicit(&check_count_, 1, memory_order_relaxed);
    if (got == want)
        return 1;
    snprintf(msg, sizeof msg, "%s == %s: got %s, want %s", got_expr,
             want_expr, check_hex(got, a), check_hex(want, b));
    check_fail_(file, line, msg);
    return 0;
}

static inline int check_str_eq_(const char *got, const char *want,
                                const char *file, int line,
                                const char *got_expr)
{
    char msg[256];
    int ok = got && want ? strcmp(got, want) == 0 : got == want;
    atomic_fetch_add_explicit(&check_count_, 1, memory_order_relaxed);
    if (ok)
        return 1;
    snprintf(msg, sizeof msg, "%s: got \"%s\", want \"%s\"", got_expr,
             got ? got : "(null)", want ? want : "(null)");
    check_fail_(file, line, msg);
    return 0;
}

/** @brief Check @p cond; evaluates to non-zero if it held. */
#define CHECK(cond) check_bool_((cond) != 0, __FILE__, __LINE__, #cond)

/** @brief Check two integers (of any type, compared as 128-bit) are equal. */
#define CHECK_EQ(got, want)                                                 \
    check_eq_((check_u128)(got), (check_u128)(want), __FILE__, __LINE__,    \
              #got, #want)

/** @brief Check two strings (either may be NULL) are equal. */
#define CHECK_STR_EQ(got, want)                                             \
    check_str_eq_((got), (want), __FILE__, __LINE__, #got)

/** @brief Summary line; the exit status for main (non-zero on a failure). */
static inline int check_done(const char *test)
{
    unsigned long count = atomic_load(&check_count_);
    unsigned long failures = atomic_load(&check_failures_);
    printf("%s: %lu checks, %lu failed\n", test, count, failures);
    fflush(stdout);
    return failures == 0 && count > 0 ? 0 : 1;
}

#endif /* PATOMIC_TEST_CHECK_H */
