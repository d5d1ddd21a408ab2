/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_ALIGN_H
#define PATOMIC_ALIGN_H

#include <stddef.h>
#include <stdint.h>

/**
 * @file align.h
 * @brief What alignment an object needs before the ops of its width may be
 *        used on it.
 */

/**
 * @brief Alignment requirements for one width.
 *
 * @param recommended  alignment at which every op of the width is guaranteed
 *                     to be atomic; always a power of two.
 * @param minimum      smallest alignment at which the ops are still atomic,
 *                     provided the object also stays inside one
 *                     @p size_within block; always a power of two.
 * @param size_within  0 when @p minimum alone is enough; otherwise a power of
 *                     two that the object must not cross.
 */
typedef struct {
    size_t recommended;
    size_t minimum;
    size_t size_within;
} patomic_align_t;

/** @brief Non-zero if @p addr meets @p align's recommended alignment. */
static inline int patomic_align_meets_recommended(uintptr_t addr,
                                                  patomic_align_t align)
{
    return align.recommended != 0 && addr % align.recommended == 0;
}

/**
 * @brief Non-zero if an object of @p width bytes at @p addr meets @p align's
 *        minimum alignment (and does not cross a `size_within` boundary).
 */
static inline int patomic_align_meets_minimum(uintptr_t addr, size_t width,
                                              patomic_align_t align)
{
    if (align.minimum == 0 || addr % align.minimum != 0)
        return 0;
    if (align.size_within == 0)
        return 1;
    return (addr % align.size_within) + width <= align.size_within;
}

#endif /* PATOMIC_ALIGN_H */
