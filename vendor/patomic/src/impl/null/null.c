/* SPDX-License-Identifier: MIT */
/*
 * Backend "null": supports no op at any width. It is what a platform with no
 * usable backend ends up with, and lets tests exercise the "not supported"
 * paths of callers on any machine.
 */

#include "../register.h"

void patomic_impl_create_null(size_t width, unsigned options,
                              patomic_ops_t *ops)
{
    (void)width;
    (void)options;
    (void)ops;
}
