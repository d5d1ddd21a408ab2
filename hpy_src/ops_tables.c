/* SPDX-License-Identifier: MIT */
/*
 * The ops-table cache: patomic's table of ops for every width and
 * writability, built once at import (patomic_create_ops probes the CPU and
 * combines its backends, too slow for every object) and read-only after
 * that; and which of those ops an object of each kind offers.
 */

#include "atomic.h"

/* [log2(width)][readonly] */
static patomic_ops_t ops_tables[5][2];
/* [log2(width)] */
static patomic_align_t alignments[5];
/* [atomics_kind_t]: the ops objects of the kind have (op_table.h) */
static uint32_t kind_masks[3];

void atomics_init_ops_tables(void)
{
    int i;
    for (i = 0; i < 5; ++i) {
        ops_tables[i][0] = patomic_create_ops((size_t)1 << i,
                                              patomic_OPTION_NONE);
        ops_tables[i][1] = patomic_create_ops((size_t)1 << i,
                                              patomic_OPTION_READONLY);
        alignments[i] = patomic_alignment((size_t)1 << i);
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
