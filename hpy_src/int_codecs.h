/* SPDX-License-Identifier: MIT */
#ifndef ATOMICS_INT_CODECS_H
#define ATOMICS_INT_CODECS_H

/*
 * The codecs of integers up to 8 bytes (values.c has the others): one
 * conversion call and a range check each way. In a header so that the
 * methods' native path (atomic_ops.c) calls them by name, inlined, where
 * an atomic's `codec` pointer costs an indirect call; values.c hands the
 * same codecs out through atomics_codec_for().
 */

#include <string.h>

#include "atomic.h"

/** OverflowError for an int outside the atomic's range (-1). */
int atomics_int_range_error(HPyContext *ctx, HPy obj, int is_signed);
/** After HPyLong_As*: the interpreter's own error turned into ours, so
 *  that the types and messages are the same on every interpreter (-1). */
int atomics_int_conversion_failed(HPyContext *ctx, HPy obj, int is_signed);

/* PyPy's HPyLong_FromInt64_t and FromUInt64_t always make a big int
 * (slower to make and to use: +4 to +11 ns a result), its FromInt32_t a
 * machine-sized one: values that fit go through the 32-bit call. */
static inline HPy atomics_box_int64(HPyContext *ctx, int64_t v)
{
    if (v >= INT32_MIN && v <= INT32_MAX)
        return HPyLong_FromInt32_t(ctx, (int32_t)v);
    return HPyLong_FromInt64_t(ctx, v);
}

static inline HPy atomics_box_uint64(HPyContext *ctx, uint64_t v)
{
    if (v <= INT32_MAX)
        return HPyLong_FromInt32_t(ctx, (int32_t)v);
    return HPyLong_FromUInt64_t(ctx, v);
}

/* INT_CODEC(name, C type, signed, 64-bit type, its conversion and boxing,
 *           the range check on `wide`): NAME_to_py, NAME_from_py and the
 *           codec of both, atomics_NAME_codec */
#define INT_CODEC(...) INT_CODEC_(__VA_ARGS__) /* expands I64/U64 first */
#define INT_CODEC_(NAME, T, SIGNED, WIDE_T, AS64, FROM64, OUT_OF_RANGE)     \
    static inline HPy NAME##_to_py(HPyContext *ctx,                         \
                                   const AtomicObject *self,                \
                                   const atomics_value_t *value)            \
    {                                                                       \
        T v;                                                                \
        (void)self;                                                         \
        memcpy(&v, value->bytes, sizeof v);                                 \
        return FROM64(ctx, v);                                              \
    }                                                                       \
    static inline int NAME##_from_py(HPyContext *ctx,                       \
                                     const AtomicObject *self, HPy obj,     \
                                     const char *name,                      \
                                     atomics_value_t *out)                  \
    {                                                                       \
        WIDE_T wide = AS64(ctx, obj);                                       \
        T v;                                                                \
        (void)self;                                                         \
        (void)name;                                                         \
        if (wide == (WIDE_T)-1 && HPyErr_Occurred(ctx))                     \
            return atomics_int_conversion_failed(ctx, obj, SIGNED);         \
        if (OUT_OF_RANGE)                                                   \
            return atomics_int_range_error(ctx, obj, SIGNED);               \
        v = (T)wide;                                                        \
        memcpy(out->bytes, &v, sizeof v);                                   \
        return 0;                                                           \
    }                                                                       \
    static const atomics_codec_t atomics_##NAME##_codec = {NAME##_to_py,    \
                                                           NAME##_from_py};

#define I64 int64_t, atomics_as_int64, atomics_box_int64
#define U64 uint64_t, atomics_as_uint64, atomics_box_uint64

/*        name    type      signed  64-bit  out of range                  */
INT_CODEC(int8,   int8_t,   1,      I64,    wide < INT8_MIN || wide > INT8_MAX)
INT_CODEC(int16,  int16_t,  1,      I64,    wide < INT16_MIN || wide > INT16_MAX)
INT_CODEC(int32,  int32_t,  1,      I64,    wide < INT32_MIN || wide > INT32_MAX)
INT_CODEC(int64,  int64_t,  1,      I64,    0)
INT_CODEC(uint8,  uint8_t,  0,      U64,    wide > UINT8_MAX)
INT_CODEC(uint16, uint16_t, 0,      U64,    wide > UINT16_MAX)
INT_CODEC(uint32, uint32_t, 0,      U64,    wide > UINT32_MAX)
INT_CODEC(uint64, uint64_t, 0,      U64,    0)

#undef I64
#undef U64
#undef INT_CODEC
#undef INT_CODEC_

#endif /* ATOMICS_INT_CODECS_H */
