/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_IMPL_REGISTER_H
#define PATOMIC_IMPL_REGISTER_H

/**
 * @file register.h
 * @brief The backends' entry points. Each fills the slots of @p ops that it
 *        supports for @p width (leaving the others untouched) and honours
 *        `patomic_OPTION_READONLY` by offering only ops that never write.
 *        The list of backends itself is in patomic.c.
 */

#include <stddef.h>

#include <patomic/patomic.h>

void patomic_impl_create_gnu(size_t width, unsigned options,
                             patomic_ops_t *ops);
void patomic_impl_create_cx16(size_t width, unsigned options,
                              patomic_ops_t *ops);
void patomic_impl_create_aarch64(size_t width, unsigned options,
                                 patomic_ops_t *ops);
void patomic_impl_create_s390x(size_t width, unsigned options,
                               patomic_ops_t *ops);
void patomic_impl_create_null(size_t width, unsigned options,
                              patomic_ops_t *ops);

#endif /* PATOMIC_IMPL_REGISTER_H */
