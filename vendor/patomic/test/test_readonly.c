/* SPDX-License-Identifier: MIT */
/*
 * Proves the READONLY tables are safe on memory mapped read-only: load and
 * bit_test at every width and load order return the right values from a
 * page that is PROT_READ, without faulting. That is the point of the option:
 * some atomic loads are really compare-exchanges (a write), which would
 * fault here. Objects also sit flush against a PROT_NONE page, so an op
 * that reads past its width faults too. A forked child confirms the page
 * really rejects writes, so the passing loads are not vacuous.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, which POSIX 2008 lacks */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <patomic/patomic.h>

#include "support.h"

#define NWIDTHS 5

/* Each width has a page of its own (16-aligned slots, then one object
 * flush with the page's end), followed by a PROT_NONE guard page. */
static unsigned char *data_page(unsigned char *map, size_t page, size_t wi)
{
    return map + 2 * wi * page;
}

/* 0 if a write to @p addr faults (the child dies), 1 if it goes through. */
static int write_succeeds(volatile unsigned char *addr)
{
    int status = 0;
    pid_t pid;
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        /* the expected crash report (sanitizers print one) is noise */
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, STDERR_FILENO);
        *addr = 1;
        _exit(0);
    }
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        exit(2);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void check_object(size_t width, const patomic_ops_t *ops,
                         const volatile void *obj, tv_u128 want)
{
    const int *orders;
    size_t no = tv_orders(TV_LOAD, &orders), k;
    unsigned char ret[16];
    int off;
    for (k = 0; k < no; ++k) {
        memset(ret, 0, sizeof ret);
        ops->fp_load(obj, orders[k], ret);
        CHECK_EQ(tv_from_native(ret, width), want);
        for (off = 0; off < (int)(8 * width); ++off)
            CHECK_EQ(ops->fp_bit_test(obj, off, orders[k]),
                     (int)((want >> off) & 1));
    }
}

int main(void)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *map;
    size_t wi;
    char h[35];
    if (!CHECK(page >= 16 * (TV_MAX_VALUES + 1)))
        return check_done("test_readonly");
    map = mmap(NULL, 2 * NWIDTHS * page, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    wi = 0;
    TV_FOR_EACH_WIDTH(width) {
        tv_u128 vals[TV_MAX_VALUES];
        size_t nv = tv_values(width, vals), i;
        unsigned char *p = data_page(map, page, wi);
        for (i = 0; i < nv; ++i)
            tv_to_native(vals[i], width, p + 16 * i);
        tv_to_native(vals[nv - 1], width, p + page - width);
        if (mprotect(p, page, PROT_READ) != 0 ||
            mprotect(p + page, page, PROT_NONE) != 0) {
            perror("mprotect");
            return 2;
        }
        ++wi;
    }
    CHECK(!write_succeeds(map));
    CHECK(!write_succeeds(data_page(map, page, NWIDTHS - 1) + page - 1));

    wi = 0;
    TV_FOR_EACH_WIDTH(width) {
        tv_u128 vals[TV_MAX_VALUES];
        size_t nv = tv_values(width, vals), i;
        unsigned char *p = data_page(map, page, wi);
        patomic_ops_t ops;
        if (!tv_ops(width, patomic_OPTION_READONLY, &ops)) {
            ++wi;
            continue;
        }
        check_context("readonly width %zu", width);
        if (!CHECK(ops.fp_load != NULL) | !CHECK(ops.fp_bit_test != NULL)) {
            ++wi;
            continue;
        }
        for (i = 0; i < nv; ++i) {
            check_context("readonly width %zu value %s", width,
                          check_hex(vals[i], h));
            check_object(width, &ops, p + 16 * i, vals[i]);
        }
        check_context("readonly width %zu at the end of the page", width);
        check_object(width, &ops, p + page - width, vals[nv - 1]);
        ++wi;
    }
    check_context("%s", "");
    munmap(map, 2 * NWIDTHS * page);
    return check_done("test_readonly");
}
