/* SPDX-License-Identifier: MIT */
/*
 * The backend registry, and the combining of their ops tables.
 *
 * Backends are tried best first; a slot one leaves NULL may be filled by the
 * next. This is only sound because every backend is genuinely hardware
 * atomic for the widths it fills: two backends mixing a lock with a
 * lock-free instruction on one object would not be atomic with each other.
 */

#include <patomic/patomic.h>

#include "impl/register.h"

typedef void (*patomic_create_fn_t)(size_t width, unsigned options,
                                    patomic_ops_t *ops);

static const struct {
    patomic_backend_id_t id;
    const char *name;
    patomic_create_fn_t create;
} patomic_backends[] = {
    {patomic_BACKEND_GNU,  "gnu",  patomic_impl_create_gnu},
    {patomic_BACKEND_CX16, "cx16", patomic_impl_create_cx16},
    {patomic_BACKEND_AARCH64, "aarch64", patomic_impl_create_aarch64},
    {patomic_BACKEND_S390X, "s390x", patomic_impl_create_s390x},
    {patomic_BACKEND_NULL, "null", patomic_impl_create_null},
};

_Static_assert(sizeof patomic_backends / sizeof patomic_backends[0] ==
                   patomic_BACKEND_COUNT,
               "every backend id needs a row in patomic_backends");

patomic_ops_t patomic_create_ops_from(patomic_backend_id_t backend,
                                      size_t width, unsigned options)
{
    patomic_ops_t ops = {0};
    if ((unsigned)backend < patomic_BACKEND_COUNT)
        patomic_backends[backend].create(width, options, &ops);
    return ops;
}

#define PATOMIC_FILL_IF_NULL(_, id, name, sig)                              \
    if (!ops.fp_##name)                                                     \
        ops.fp_##name = next.fp_##name;

patomic_ops_t patomic_create_ops(size_t width, unsigned options)
{
    patomic_ops_t ops = {0};
    size_t i;
    for (i = 0; i < patomic_BACKEND_COUNT; ++i) {
        patomic_ops_t next = patomic_create_ops_from(patomic_backends[i].id,
                                                     width, options);
        PATOMIC_FOR_EACH_OP(PATOMIC_FILL_IF_NULL, _)
    }
    return ops;
}

const char *patomic_backend_name(patomic_backend_id_t backend)
{
    if ((unsigned)backend >= patomic_BACKEND_COUNT)
        return NULL;
    return patomic_backends[backend].name;
}

patomic_align_t patomic_alignment(size_t width)
{
    patomic_align_t align = {0, 0, 0};
    patomic_ops_t ops = patomic_create_ops(width, patomic_OPTION_NONE);
    if (patomic_ops_count(&ops) > 0) {
        /* Every width with ops is a power of two whose instructions need
         * natural alignment (lock-prefixed ops that straddle a cache line
         * are not atomic on every CPU; cmpxchg16b, aarch64's exclusive
         * pairs and s390x's cdsg/lpq fault when misaligned). */
        align.recommended = width;
        align.minimum = width;
    }
    return align;
}

#define PATOMIC_MASK_OP(_, id, name, sig)                                   \
    if (ops->fp_##name)                                                     \
        mask |= (uint32_t)1 << id;

uint32_t patomic_ops_mask(const patomic_ops_t *ops)
{
    uint32_t mask = 0;
    PATOMIC_FOR_EACH_OP(PATOMIC_MASK_OP, _)
    return mask;
}

int patomic_ops_count(const patomic_ops_t *ops)
{
    uint32_t mask = patomic_ops_mask(ops);
    int count = 0;
    for (; mask; mask &= mask - 1)
        ++count;
    return count;
}
