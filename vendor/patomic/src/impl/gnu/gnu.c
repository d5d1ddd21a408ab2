/* SPDX-License-Identifier: MIT */
/*
 * Backend "gnu": its ops and their constant tables are in
 * <patomic/gnu.h>, where callers can also inline them; here they become
 * the library's backend.
 */

#include <patomic/gnu.h>

#include "../register.h"

#if PATOMIC_GNU_HAS_1
PATOMIC_DEFINE_FILL_OPS(gnu_1)
#endif
#if PATOMIC_GNU_HAS_2
PATOMIC_DEFINE_FILL_OPS(gnu_2)
#endif
#if PATOMIC_GNU_HAS_4
PATOMIC_DEFINE_FILL_OPS(gnu_4)
#endif
#if PATOMIC_GNU_HAS_8
PATOMIC_DEFINE_FILL_OPS(gnu_8)
#endif

void patomic_impl_create_gnu(size_t width, unsigned options,
                             patomic_ops_t *ops)
{
    (void)options; /* silences -Wunused-parameter where no width is built */
    (void)ops;
    switch (width) {
#if PATOMIC_GNU_HAS_1
    case 1: patomic_fill_ops_gnu_1(ops, options); break;
#endif
#if PATOMIC_GNU_HAS_2
    case 2: patomic_fill_ops_gnu_2(ops, options); break;
#endif
#if PATOMIC_GNU_HAS_4
    case 4: patomic_fill_ops_gnu_4(ops, options); break;
#endif
#if PATOMIC_GNU_HAS_8
    case 8: patomic_fill_ops_gnu_8(ops, options); break;
#endif
    default: break;
    }
}
