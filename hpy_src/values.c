/* SPDX-License-Identifier: MIT */
/*
 * Python values <-> the native bytes of one atomic's width.
 *
 * INTEGRAL values are Python ints (anything with __index__), range-checked
 * against the width and signedness: out-of-range raises OverflowError and
 * nothing is written. They are stored as fixed-width two's complement in
 * native byte order, so INT, UINT and BYTES views of the same memory agree.
 * BYTES values are any contiguous bytes-like object of exactly `width` bytes.
 */

#include <stdio.h>
#include <string.h>

#include "atomic.h"

/* Native bytes of the low `width` bytes of v, as the integer of that width
 * would be stored (the switch keeps this right on big-endian machines). */
static void put_u64(atomics_value_t *out, uint64_t v, int width)
{
    uint8_t v8 = (uint8_t)v;
    uint16_t v16 = (uint16_t)v;
    uint32_t v32 = (uint32_t)v;
    switch (width) {
    case 1: memcpy(out->bytes, &v8, 1); break;
    case 2: memcpy(out->bytes, &v16, 2); break;
    case 4: memcpy(out->bytes, &v32, 4); break;
    default: memcpy(out->bytes, &v, 8); break;
    }
}

static uint64_t get_u64(const atomics_value_t *in, int width)
{
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    switch (width) {
    case 1: memcpy(&v8, in->bytes, 1); return v8;
    case 2: memcpy(&v16, in->bytes, 2); return v16;
    case 4: memcpy(&v32, in->bytes, 4); return v32;
    default: memcpy(&v64, in->bytes, 8); return v64;
    }
}

/* OverflowError for an int outside the atomic's range. */
static int range_error(HPyContext *ctx, HPy obj, int is_signed)
{
    int negative = 0;
    if (!is_signed) {
        HPy zero = HPyLong_FromInt64_t(ctx, 0);
        negative = HPy_RichCompareBool(ctx, obj, zero, HPy_LT);
        HPy_Close(ctx, zero);
        if (negative < 0)
            return -1;
    }
    HPyErr_SetString(ctx, ctx->h_OverflowError,
                     negative ? "can't convert negative int to unsigned"
                              : "int too big to convert");
    return -1;
}

/* After HPyLong_As*: turn the interpreter's own error into ours, so that the
 * types and messages are the same on every interpreter. */
static int conversion_failed(HPyContext *ctx, HPy obj, int is_signed)
{
    if (HPyErr_ExceptionMatches(ctx, ctx->h_OverflowError)) {
        HPyErr_Clear(ctx);
        return range_error(ctx, obj, is_signed);
    }
    if (HPyErr_ExceptionMatches(ctx, ctx->h_TypeError)) {
        HPyErr_Clear(ctx);
        return atomics_raise_operand_type(ctx, obj, "an integer operand");
    }
    return -1;
}

/* Widths up to 8: one conversion call and a range check. */
static int int_from_py_small(HPyContext *ctx, const AtomicObject *self,
                             HPy obj, atomics_value_t *out)
{
    const int bits = 8 * self->width;
    if (self->is_signed) {
        int64_t v = HPyLong_AsInt64_t(ctx, obj);
        if (v == -1 && HPyErr_Occurred(ctx))
            return conversion_failed(ctx, obj, 1);
        if (bits < 64) {
            const int64_t limit = (int64_t)1 << (bits - 1);
            if (v < -limit || v >= limit)
                return range_error(ctx, obj, 1);
        }
        put_u64(out, (uint64_t)v, self->width);
    } else {
        uint64_t v = HPyLong_AsUInt64_t(ctx, obj);
        if (v == (uint64_t)-1 && HPyErr_Occurred(ctx))
            return conversion_failed(ctx, obj, 0);
        if (bits < 64 && v >> bits != 0)
            return range_error(ctx, obj, 0);
        put_u64(out, v, self->width);
    }
    return 0;
}

/* Width 16: split into 64-bit halves with Python arithmetic (HPy has no
 * 128-bit conversion). The high half carries the range check. */
static int int_from_py_wide(HPyContext *ctx, const AtomicObject *self,
                            HPy obj, atomics_value_t *out)
{
    HPy index, shift, high;
    uint64_t lo, hi;
    int failed;
    index = HPy_Index(ctx, obj);
    if (HPy_IsNull(index))
        return conversion_failed(ctx, obj, self->is_signed);
    shift = HPyLong_FromInt32_t(ctx, 64);
    high = HPy_Rshift(ctx, index, shift);
    HPy_Close(ctx, shift);
    if (HPy_IsNull(high)) {
        HPy_Close(ctx, index);
        return -1;
    }
    if (self->is_signed) {
        int64_t h = HPyLong_AsInt64_t(ctx, high);
        hi = (uint64_t)h;
        failed = h == -1 && HPyErr_Occurred(ctx);
    } else {
        hi = HPyLong_AsUInt64_t(ctx, high);
        failed = hi == (uint64_t)-1 && HPyErr_Occurred(ctx);
    }
    HPy_Close(ctx, high);
    if (failed) {
        /* the high half only overflows if the whole value does */
        HPyErr_Clear(ctx);
        range_error(ctx, index, self->is_signed);
        HPy_Close(ctx, index);
        return -1;
    }
    lo = HPyLong_AsUInt64_tMask(ctx, index);
    HPy_Close(ctx, index);
    if (lo == (uint64_t)-1 && HPyErr_Occurred(ctx))
        return -1;
    {
        __extension__ unsigned __int128 v =
            ((unsigned __int128)hi << 64) | lo;
        memcpy(out->bytes, &v, 16);
    }
    return 0;
}

/* Bytes-like -> exactly width bytes. Exact `bytes` is read in place; any
 * other buffer goes through memoryview(obj).tobytes(), which also rejects
 * objects without the buffer protocol (str, int, ...). */
static int bytes_from_py(HPyContext *ctx, const AtomicObject *self, HPy obj,
                         const char *name, atomics_value_t *out)
{
    HPy data;
    HPy_ssize_t size;
    if (HPyBytes_Check(ctx, obj)) {
        data = HPy_Dup(ctx, obj);
    } else {
        HPy mv = HPy_Call(ctx, ctx->h_MemoryViewType, &obj, 1, HPy_NULL);
        HPy method;
        if (HPy_IsNull(mv)) {
            if (!HPyErr_ExceptionMatches(ctx, ctx->h_TypeError))
                return -1;
            HPyErr_Clear(ctx);
            return atomics_raise_operand_type(ctx, obj,
                                              "a bytes-like operand");
        }
        method = HPyUnicode_FromString(ctx, "tobytes");
        data = HPy_CallMethod(ctx, method, &mv, 1, HPy_NULL);
        HPy_Close(ctx, method);
        /* release the export now, not whenever the GC gets to it, so the
         * caller's bytearray can be resized straight after the call */
        method = HPyUnicode_FromString(ctx, "release");
        {
            HPy none = HPy_CallMethod(ctx, method, &mv, 1, HPy_NULL);
            if (HPy_IsNull(none))
                HPyErr_Clear(ctx);
            else
                HPy_Close(ctx, none);
        }
        HPy_Close(ctx, method);
        HPy_Close(ctx, mv);
        if (HPy_IsNull(data))
            return -1;
    }
    size = HPyBytes_Size(ctx, data);
    if (size != self->width) {
        char buf[80];
        HPy_Close(ctx, data);
        snprintf(buf, sizeof buf, "'%s' object length does not match width.",
                 name);
        HPyErr_SetString(ctx, ctx->h_ValueError, buf);
        return -1;
    }
    memcpy(out->bytes, HPyBytes_AsString(ctx, data), (size_t)size);
    HPy_Close(ctx, data);
    return 0;
}

int atomics_value_from_py(HPyContext *ctx, const AtomicObject *self, HPy obj,
                          const char *name, atomics_value_t *out)
{
    if (self->kind == ATOMICS_KIND_BYTES)
        return bytes_from_py(ctx, self, obj, name, out);
    if (self->width <= 8)
        return int_from_py_small(ctx, self, obj, out);
    return int_from_py_wide(ctx, self, obj, out);
}

static HPy int_to_py_wide(HPyContext *ctx, const AtomicObject *self,
                          const atomics_value_t *value)
{
    __extension__ unsigned __int128 v;
    uint64_t lo, hi;
    HPy h_hi, h_lo, shift, shifted, result;
    memcpy(&v, value->bytes, 16);
    lo = (uint64_t)v;
    hi = (uint64_t)(v >> 64);
    h_hi = self->is_signed ? HPyLong_FromInt64_t(ctx, (int64_t)hi)
                           : HPyLong_FromUInt64_t(ctx, hi);
    if (HPy_IsNull(h_hi))
        return HPy_NULL;
    shift = HPyLong_FromInt32_t(ctx, 64);
    shifted = HPy_Lshift(ctx, h_hi, shift);
    HPy_Close(ctx, shift);
    HPy_Close(ctx, h_hi);
    if (HPy_IsNull(shifted))
        return HPy_NULL;
    h_lo = HPyLong_FromUInt64_t(ctx, lo);
    if (HPy_IsNull(h_lo)) {
        HPy_Close(ctx, shifted);
        return HPy_NULL;
    }
    /* (hi << 64) | lo is right for negative hi too: Python ints behave as
     * infinitely sign-extended two's complement */
    result = HPy_Or(ctx, shifted, h_lo);
    HPy_Close(ctx, shifted);
    HPy_Close(ctx, h_lo);
    return result;
}

HPy atomics_value_to_py(HPyContext *ctx, const AtomicObject *self,
                        const atomics_value_t *value)
{
    if (self->kind == ATOMICS_KIND_BYTES)
        return HPyBytes_FromStringAndSize(ctx, (const char *)value->bytes,
                                          self->width);
    if (self->width <= 8) {
        uint64_t v = get_u64(value, self->width);
        if (self->is_signed) {
            /* sign-extend from the width (no signed overflow: the shift is
             * done on the unsigned value) */
            const int spare = 64 - 8 * self->width;
            const uint64_t sign = (uint64_t)1 << (63 - spare);
            const uint64_t extended = (v ^ sign) - sign;
            int64_t s;
            memcpy(&s, &extended, sizeof s); /* two's complement reinterpretation */
            return HPyLong_FromInt64_t(ctx, s);
        }
        return HPyLong_FromUInt64_t(ctx, v);
    }
    return int_to_py_wide(ctx, self, value);
}

int atomics_parse_bit_index(HPyContext *ctx, const AtomicObject *self,
                            HPy obj)
{
    int64_t index = HPyLong_AsInt64_t(ctx, obj);
    if (index == -1 && HPyErr_Occurred(ctx)) {
        if (HPyErr_ExceptionMatches(ctx, ctx->h_OverflowError)) {
            HPyErr_Clear(ctx);
            index = -1; /* huge: out of range, reported below */
        } else if (HPyErr_ExceptionMatches(ctx, ctx->h_TypeError)) {
            HPyErr_Clear(ctx);
            return atomics_raise_operand_type(ctx, obj, "a bit index");
        } else {
            return -1;
        }
    }
    if (index < 0 || index >= 8 * (int64_t)self->width) {
        HPyErr_SetString(ctx, ctx->h_ValueError, "'index' value out of range.");
        return -1;
    }
    return (int)index;
}
