/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_PATOMIC_H
#define PATOMIC_PATOMIC_H

/**
 * @file patomic.h
 * @brief Portable, lock-free, address-free atomic operations on raw memory.
 *
 * Ask for a width's ops table once (`patomic_create_ops`) and call through
 * it. Every op in a table is lock-free and address-free, so it is safe on
 * memory shared between processes: nothing here ever falls back to a lock.
 */

#include <stddef.h>
#include <stdint.h>

#include "align.h"
#include "memory_order.h"
#include "ops.h"
#include "wait.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built static with hidden symbols, so nothing it defines is
 * re-exported from whatever links it. */
#define PATOMIC_API

/** @brief Options for `patomic_create_ops`, OR-ed together. */
typedef enum {
    patomic_OPTION_NONE = 0,
    /** Only ops that never write to the object (load, bit_test), for memory
     *  that is mapped read-only. */
    patomic_OPTION_READONLY = 1
} patomic_option_t;

/** @brief The implementations ("backends"), best first. */
typedef enum {
    patomic_BACKEND_GNU = 0,  /**< gcc/clang `__atomic` builtins, 1-8 bytes */
    patomic_BACKEND_CX16 = 1, /**< x86_64 `lock cmpxchg16b`, 16 bytes */
    patomic_BACKEND_AARCH64 = 2, /**< aarch64 `casp` or `ldaxp`/`stlxp`, 16 bytes */
    patomic_BACKEND_S390X = 3, /**< s390x `cdsg` and `lpq`, 16 bytes */
    patomic_BACKEND_NULL = 4, /**< supports nothing (for tests) */
    patomic_BACKEND_COUNT = 5
} patomic_backend_id_t;

/**
 * @brief The ops for objects of @p width bytes, combined from every backend
 *        (an op missing from one backend is taken from the next).
 *
 * Widths that no backend supports give a table of NULLs. Thread-safe.
 */
PATOMIC_API patomic_ops_t patomic_create_ops(size_t width, unsigned options);

/** @brief Like `patomic_create_ops`, from one backend only. */
PATOMIC_API patomic_ops_t patomic_create_ops_from(patomic_backend_id_t backend,
                                                  size_t width,
                                                  unsigned options);

/** @brief Name of a backend ("gnu", "cx16", "aarch64", "s390x", "null"),
 *         or NULL. */
PATOMIC_API const char *patomic_backend_name(patomic_backend_id_t backend);

/**
 * @brief Alignment an object of @p width bytes needs. All zero for a width
 *        that has no ops.
 */
PATOMIC_API patomic_align_t patomic_alignment(size_t width);

/** @brief Bit `1 << id` set for each non-NULL op in @p ops. */
PATOMIC_API uint32_t patomic_ops_mask(const patomic_ops_t *ops);

/** @brief Number of non-NULL ops in @p ops. */
PATOMIC_API int patomic_ops_count(const patomic_ops_t *ops);

#ifdef __cplusplus
}
#endif

#endif /* PATOMIC_PATOMIC_H */
