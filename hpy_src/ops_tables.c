/* SPDX-License-Identifier: MIT */
/*
 * The ops-table cache: patomic's table of ops for every width and
 * writability, built once at import (patomic_create_ops probes the CPU and
 * combines its backends, too slow for every object) and read-only after
 * that; and which of those ops an object of each kind offers.
 */

#include <string.h>

#include "atomic.h"

/* [log2(width)][readonly] */
static patomic_ops_t ops_tables[5][2];
/* [log2(width)] */
static patomic_align_t alignments[5];
/* [atomics_kind_t]: the ops objects of the kind have (op_table.h) */
static uint32_t kind_masks[3];
/* [log2(width)]: whether every op of the writable table is the gnu
 * backend's (see atomics_native_t) */
static int gnu_serves[5];

/* Whether the writable table of width 1 << @p i has every op, all of
 * them the gnu backend's. */
static int gnu_is_the_table(int i)
{
    patomic_ops_t gnu = patomic_create_ops_from(
        patomic_BACKEND_GNU, (size_t)1 << i, patomic_OPTION_NONE);
    return patomic_ops_count(&gnu) == patomic_op_LAST &&
           memcmp(&gnu, &ops_tables[i][0], sizeof gnu) == 0;
}

void atomics_init_ops_tables(void)
{
    int i;
    for (i = 0; i < 5; ++i) {
        ops_tables[i][0] = patomic_create_ops((size_t)1 << i,
                                              patomic_OPTION_NONE);
        ops_tables[i][1] = patomic_create_ops((size_t)1 << i,
                                              patomic_OPTION_READONLY);
        alignments[i] = patomic_alignment((size_t)1 << i);
        gnu_serves[i] = gnu_is_the_table(i);
    }
    for (i = 0; i < 3; ++i)
        kind_masks[i] = atomics_op_table_mask((atomics_kind_t)i);
}

const patomic_ops_t *atomics_ops_for(int64_t width, int readonly)
{
    int i;
    for (i = 0; i < 5; ++i)
        if (width == (int64_t)1 << i)
            return &ops_tables[i][readonly != 0];
    return NULL;
}

const patomic_align_t *atomics_alignment_for(int64_t width)
{
    static const patomic_align_t none = {0, 0, 0};
    int i;
    for (i = 0; i < 5; ++i)
        if (width == (int64_t)1 << i)
            return &alignments[i];
    return &none;
}

uint32_t atomics_kind_ops_mask(const patomic_ops_t *ops, int is_integral)
{
    /* (an ANY object offers what the kind it would have offers) */
    uint32_t mask = ops ? patomic_ops_mask(ops) : 0;
    return mask & kind_masks[is_integral ? ATOMICS_KIND_INTEGRAL
                                         : ATOMICS_KIND_BYTES];
}

atomics_native_t atomics_native_for(int kind, int is_signed,
                                    const patomic_ops_t *ops)
{
    static const atomics_native_t by_width[4][2] = {
        {ATOMICS_NATIVE_UINT8, ATOMICS_NATIVE_INT8},
        {ATOMICS_NATIVE_UINT16, ATOMICS_NATIVE_INT16},
        {ATOMICS_NATIVE_UINT32, ATOMICS_NATIVE_INT32},
        {ATOMICS_NATIVE_UINT64, ATOMICS_NATIVE_INT64},
    };
    int i;
    if (kind != ATOMICS_KIND_INTEGRAL)
        return ATOMICS_NATIVE_NONE;
    /* the writable table of width 1 << i (a read-only one has no match) */
    for (i = 0; i < 4; ++i)
        if (ops == &ops_tables[i][0])
            return gnu_serves[i] ? by_width[i][is_signed != 0]
                                 : ATOMICS_NATIVE_NONE;
    return ATOMICS_NATIVE_NONE;
}
