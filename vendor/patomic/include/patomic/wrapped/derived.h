/* SPDX-License-Identifier: MIT */
#ifndef PATOMIC_WRAPPED_DERIVED_H
#define PATOMIC_WRAPPED_DERIVED_H

/**
 * @file derived.h
 * @brief The ops every backend gets for free from a handful of core ops, and
 *        the function that puts a backend's ops into a table.
 *
 * `PATOMIC_DEFINE_DERIVED_OPS(S, T)` needs these `patomic_opimpl_<op>_<S>`:
 * load, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor and fetch_neg.
 * It defines the void forms (`add` is `fetch_add` with the result dropped;
 * the compiler then emits the non-fetching instruction), the operand-less
 * forms (`inc` adds one, `not` xors with all ones) and the bit ops (a fetch
 * with a one-bit mask). @p T must be an unsigned integer type.
 *
 * `PATOMIC_DEFINE_FILL_OPS(S)` then defines `patomic_fill_ops_<S>`, which
 * writes every op of `<S>` into a table (only load and bit_test when asked
 * for read-only ops).
 */

#include <string.h>

#include <patomic/patomic.h>

/** @brief Define `<name>_<S>` as `<fetch>_<S>` with the result dropped. */
#define PATOMIC_DEFINE_DERIVED_VOID(S, T, name, fetch)                      \
    static inline void                                                      \
    patomic_opimpl_##name##_##S(volatile void *obj, const void *arg,        \
                                int order)                                  \
    {                                                                       \
        T ignored;                                                          \
        patomic_opimpl_##fetch##_##S(obj, arg, order, &ignored);            \
    }

/** @brief Define fetch_<name>_<S> and <name>_<S> as `<fetch>(OPERAND)`. */
#define PATOMIC_DEFINE_DERIVED_NOARG(S, T, name, fetch, OPERAND)            \
    static inline void                                                      \
    patomic_opimpl_fetch_##name##_##S(volatile void *obj, int order,        \
                                      void *ret)                            \
    {                                                                       \
        const T operand = (T)(OPERAND);                                     \
        patomic_opimpl_##fetch##_##S(obj, &operand, order, ret);            \
    }                                                                       \
    static inline void                                                      \
    patomic_opimpl_##name##_##S(volatile void *obj, int order)              \
    {                                                                       \
        T ignored;                                                          \
        patomic_opimpl_fetch_##name##_##S(obj, order, &ignored);            \
    }

/** @brief Define `bit_test_<name>_<S>`: return bit, then `<fetch>(MASK)`. */
#define PATOMIC_DEFINE_DERIVED_TEST_MODIFY(S, T, name, fetch, MASK)         \
    static inline int                                                       \
    patomic_opimpl_bit_test_##name##_##S(volatile void *obj, int offset,    \
                                         int order)                         \
    {                                                                       \
        const T bit = (T)((T)1 << offset);                                  \
        const T mask = (T)(MASK);                                           \
        T old;                                                              \
        patomic_opimpl_##fetch##_##S(obj, &mask, order, &old);              \
        return (old & bit) != 0;                                            \
    }

/** @brief Define every op of `<S>` that is not a core op (see above). */
#define PATOMIC_DEFINE_DERIVED_OPS(S, T)                                    \
    PATOMIC_DEFINE_DERIVED_VOID(S, T, add, fetch_add)                       \
    PATOMIC_DEFINE_DERIVED_VOID(S, T, sub, fetch_sub)                       \
    PATOMIC_DEFINE_DERIVED_VOID(S, T, and, fetch_and)                       \
    PATOMIC_DEFINE_DERIVED_VOID(S, T, or,  fetch_or)                        \
    PATOMIC_DEFINE_DERIVED_VOID(S, T, xor, fetch_xor)                       \
    PATOMIC_DEFINE_DERIVED_NOARG(S, T, inc, fetch_add, 1)                   \
    PATOMIC_DEFINE_DERIVED_NOARG(S, T, dec, fetch_sub, 1)                   \
    PATOMIC_DEFINE_DERIVED_NOARG(S, T, not, fetch_xor, ~(T)0)               \
    PATOMIC_DEFINE_DERIVED_TEST_MODIFY(S, T, compl, fetch_xor, bit)         \
    PATOMIC_DEFINE_DERIVED_TEST_MODIFY(S, T, set,   fetch_or,  bit)         \
    PATOMIC_DEFINE_DERIVED_TEST_MODIFY(S, T, reset, fetch_and, ~bit)        \
    static inline void                                                      \
    patomic_opimpl_neg_##S(volatile void *obj, int order)                   \
    {                                                                       \
        T ignored;                                                          \
        patomic_opimpl_fetch_neg_##S(obj, order, &ignored);                 \
    }                                                                       \
    static inline int                                                       \
    patomic_opimpl_bit_test_##S(const volatile void *obj, int offset,       \
                                int order)                                  \
    {                                                                       \
        T val;                                                              \
        patomic_opimpl_load_##S(obj, order, &val);                          \
        return (val & (T)((T)1 << offset)) != 0;                            \
    }

#define PATOMIC_FILL_OP(S, id, name, sig) ops->fp_##name = patomic_opimpl_##name##_##S;

/** @brief Define `patomic_fill_ops_<S>(ops, options)`. */
#define PATOMIC_DEFINE_FILL_OPS(S)                                          \
    static void patomic_fill_ops_##S(patomic_ops_t *ops, unsigned options)  \
    {                                                                       \
        if (options & patomic_OPTION_READONLY) {                            \
            ops->fp_load = patomic_opimpl_load_##S;                         \
            ops->fp_bit_test = patomic_opimpl_bit_test_##S;                 \
            return;                                                         \
        }                                                                   \
        PATOMIC_FOR_EACH_OP(PATOMIC_FILL_OP, S)                             \
    }

#endif /* PATOMIC_WRAPPED_DERIVED_H */
