/* SPDX-License-Identifier: MIT */
/*
 * Python values <-> the native bytes of one atomic's width: the codecs.
 *
 * Every atomic gets, at construction, the codec for its kind, width and
 * signedness, so the operations convert without branching on any of them.
 *
 * INTEGRAL values are Python ints (anything with __index__), range-checked
 * against the width and signedness: out-of-range raises OverflowError and
 * nothing is written. They are stored as fixed-width two's complement in
 * native byte order, so INT, UINT and BYTES views of the same memory agree.
 * BYTES values are any contiguous bytes-like object of exactly `width` bytes.
 */

#include <string.h>

#include "atomic.h"
#include "int_codecs.h"

/* ---- errors shared by the integer codecs ------------------------------ */

int atomics_int_range_error(HPyContext *ctx, HPy obj, int is_signed)
{
    int negative = 0;
    if (!is_signed) {
        /* the sign of the int itself: obj may be any __index__ object */
        HPy value = HPy_Index(ctx, obj), zero;
        if (HPy_IsNull(value))
            return -1;
        zero = HPyLong_FromInt64_t(ctx, 0);
        negative = HPy_RichCompareBool(ctx, value, zero, HPy_LT);
        HPy_Close(ctx, zero);
        HPy_Close(ctx, value);
        if (negative < 0)
            return -1;
    }
    HPyErr_SetString(ctx, ctx->h_OverflowError,
                     negative ? "can't convert negative int to unsigned"
                              : "int too big to convert");
    return -1;
}

int atomics_int_conversion_failed(HPyContext *ctx, HPy obj, int is_signed)
{
    if (HPyErr_ExceptionMatches(ctx, ctx->h_OverflowError)) {
        HPyErr_Clear(ctx);
        return atomics_int_range_error(ctx, obj, is_signed);
    }
    if (HPyErr_ExceptionMatches(ctx, ctx->h_TypeError)) {
        HPyErr_Clear(ctx);
        return atomics_raise_operand_type(ctx, obj, "an integer operand");
    }
    return -1;
}

/* ---- integer arguments (see atomics_as_int64 in atomic.h) ------------- */

int atomics_int64_lenient = 1, atomics_ssize_lenient = 1,
    atomics_uint64_lenient = 1;

HPyDef_METH(atomics_probe_int_conversions, "probe_int_conversions",
            HPyFunc_O,
            .doc = "probe_int_conversions(obj)\n--\n\n"
                   "Learn which of the interpreter's integer conversions "
                   "take `obj`, an object with __int__ but no __index__ "
                   "(internal; called once at import).")
static HPy atomics_probe_int_conversions_impl(HPyContext *ctx, HPy module,
                                              HPy probe)
{
    /* a strict conversion raises TypeError for the probe */
#define PROBE(flag, T, CONVERT)                                             \
    do {                                                                    \
        T value_ = CONVERT(ctx, probe);                                     \
        flag = !(value_ == (T)-1 && HPyErr_Occurred(ctx));                  \
        HPyErr_Clear(ctx);                                                  \
    } while (0)
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    PROBE(atomics_int64_lenient, int64_t, HPyLong_AsInt64_t);
    PROBE(atomics_ssize_lenient, HPy_ssize_t, HPyLong_AsSsize_t);
    PROBE(atomics_uint64_lenient, uint64_t, HPyLong_AsUInt64_t);
#undef PROBE
    return HPy_Dup(ctx, ctx->h_None);
}

int atomics_not_an_int(HPyContext *ctx)
{
    if (!HPyErr_Occurred(ctx) ||
        !HPyErr_ExceptionMatches(ctx, ctx->h_TypeError))
        return 0;
    HPyErr_Clear(ctx);
    return 1;
}

#define INDEX_AS(NAME, T, CONVERT)                                          \
    T NAME(HPyContext *ctx, HPy obj)                                        \
    {                                                                       \
        HPy index = HPy_Index(ctx, obj);                                    \
        T value;                                                            \
        if (HPy_IsNull(index))                                              \
            return (T)-1;                                                   \
        value = CONVERT(ctx, index);                                        \
        HPy_Close(ctx, index);                                              \
        return value;                                                       \
    }
INDEX_AS(atomics_index_as_int64, int64_t, HPyLong_AsInt64_t)
INDEX_AS(atomics_index_as_uint64, uint64_t, HPyLong_AsUInt64_t)
#undef INDEX_AS

/* ---- 16-byte integers: through Python arithmetic ----------------------- */

/* HPy has no 128-bit conversion, so a value is split into 64-bit halves
 * with Python shifts; the high half carries the range check. */
__extension__ typedef unsigned __int128 atomics_u128;

static int wide_from_py(HPyContext *ctx, const AtomicObject *self, HPy obj,
                        const char *name, atomics_value_t *out)
{
    HPy index, shift, high;
    uint64_t lo, hi;
    atomics_u128 v;
    int failed;
    (void)name;
    index = HPy_Index(ctx, obj);
    if (HPy_IsNull(index))
        return atomics_int_conversion_failed(ctx, obj, self->is_signed);
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
        atomics_int_range_error(ctx, index, self->is_signed);
        HPy_Close(ctx, index);
        return -1;
    }
    lo = HPyLong_AsUInt64_tMask(ctx, index);
    HPy_Close(ctx, index);
    if (lo == (uint64_t)-1 && HPyErr_Occurred(ctx))
        return -1;
    v = ((atomics_u128)hi << 64) | lo;
    memcpy(out->bytes, &v, sizeof v);
    return 0;
}

static HPy wide_to_py(HPyContext *ctx, const AtomicObject *self,
                      const atomics_value_t *value)
{
    atomics_u128 v;
    uint64_t hi;
    HPy h_hi, h_lo, shift, shifted, result;
    memcpy(&v, value->bytes, sizeof v);
    hi = (uint64_t)(v >> 64);
    if (self->is_signed) {
        int64_t signed_hi; /* the same bits, read as two's complement */
        memcpy(&signed_hi, &hi, sizeof hi);
        h_hi = HPyLong_FromInt64_t(ctx, signed_hi);
    } else {
        h_hi = HPyLong_FromUInt64_t(ctx, hi);
    }
    if (HPy_IsNull(h_hi))
        return HPy_NULL;
    shift = HPyLong_FromInt32_t(ctx, 64);
    shifted = HPy_Lshift(ctx, h_hi, shift);
    HPy_Close(ctx, shift);
    HPy_Close(ctx, h_hi);
    if (HPy_IsNull(shifted))
        return HPy_NULL;
    h_lo = HPyLong_FromUInt64_t(ctx, (uint64_t)v);
    if (HPy_IsNull(h_lo)) {
        HPy_Close(ctx, shifted);
        return HPy_NULL;
    }
    /* (hi << 64) | lo is right for a negative hi too: Python ints behave as
     * infinitely sign-extended two's complement */
    result = HPy_Or(ctx, shifted, h_lo);
    HPy_Close(ctx, shifted);
    HPy_Close(ctx, h_lo);
    return result;
}

static const atomics_codec_t wide_codec = {wide_to_py, wide_from_py};

/* ---- bytes ------------------------------------------------------------- */

static HPy bytes_to_py(HPyContext *ctx, const AtomicObject *self,
                       const atomics_value_t *value)
{
    return HPyBytes_FromStringAndSize(ctx, (const char *)value->bytes,
                                      self->width);
}

/* Exact `bytes` is read in place; any other buffer goes through
 * memoryview(obj).tobytes(), which also rejects objects without the buffer
 * protocol (str, int, ...). */
static int bytes_from_py(HPyContext *ctx, const AtomicObject *self, HPy obj,
                         const char *name, atomics_value_t *out)
{
    HPy data;
    HPy_ssize_t size;
    if (HPyBytes_Check(ctx, obj)) {
        data = HPy_Dup(ctx, obj);
    } else {
        HPy view = atomics_call(ctx, ctx->h_MemoryViewType, &obj, 1);
        HPy released;
        if (HPy_IsNull(view)) {
            if (!HPyErr_ExceptionMatches(ctx, ctx->h_TypeError))
                return -1;
            HPyErr_Clear(ctx);
            return atomics_raise_operand_type(ctx, obj,
                                              "a bytes-like operand");
        }
        data = atomics_call_method(ctx, view, "tobytes");
        /* give the export back now, not whenever the GC gets to it, so the
         * caller's bytearray can be resized straight after the call */
        released = atomics_call_method(ctx, view, "release");
        if (HPy_IsNull(released))
            HPyErr_Clear(ctx);
        else
            HPy_Close(ctx, released);
        HPy_Close(ctx, view);
        if (HPy_IsNull(data))
            return -1;
    }
    size = HPyBytes_Size(ctx, data);
    if (size != self->width) {
        HPy_Close(ctx, data);
        HPyErr_Format(ctx, ctx->h_ValueError,
                      "'%s' object length does not match width.", name);
        return -1;
    }
    memcpy(out->bytes, HPyBytes_AsString(ctx, data), (size_t)size);
    HPy_Close(ctx, data);
    return 0;
}

static const atomics_codec_t bytes_codec = {bytes_to_py, bytes_from_py};

/* ---- choosing a codec -------------------------------------------------- */

const atomics_codec_t *atomics_codec_for(int kind, int32_t width,
                                         int is_signed)
{
    static const atomics_codec_t *const ints[2][4] = {
        {&atomics_uint8_codec, &atomics_uint16_codec, &atomics_uint32_codec,
         &atomics_uint64_codec},
        {&atomics_int8_codec, &atomics_int16_codec, &atomics_int32_codec,
         &atomics_int64_codec},
    };
    if (kind == ATOMICS_KIND_BYTES)
        return &bytes_codec;
    switch (width) {
    case 1: return ints[is_signed != 0][0];
    case 2: return ints[is_signed != 0][1];
    case 4: return ints[is_signed != 0][2];
    case 8: return ints[is_signed != 0][3];
    default: return &wide_codec;
    }
}

int atomics_parse_bit_index(HPyContext *ctx, const AtomicObject *self,
                            HPy obj)
{
    int64_t index = atomics_as_int64(ctx, obj);
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
