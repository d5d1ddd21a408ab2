/* SPDX-License-Identifier: MIT */
/*
 * Calls from other threads on GraalPy 24 (see atomic.h, "calls from other
 * threads"): which thread is home, what every entry point answers on any
 * other thread, and `_away`, the one method that answers there. It runs
 * the integer operations from the same descriptors as the methods
 * (descriptors.h), taking and returning only numbers that GraalPy carries
 * in the handle itself, so it never calls back into the interpreter.
 */

#include <string.h>

#include "atomic.h"
#include "descriptors.h"

int atomics_home_only;
pthread_t atomics_home;

/* Whether this interpreter's handles are laid out as below (checked by
 * set_home on the home thread). */
int atomics_away_ok;

/*
 * GraalPy 24 passes a small int as a handle holding INT_TAG plus its 32
 * bits, and a float as its IEEE bits plus DOUBLE_BASE, and reads handles it
 * gets back the same way; any other handle is an index into a table that
 * only a call back into the interpreter can read. `_away` takes and returns
 * only such numbers, read and made here without calling anything.
 */
#define AWAY_INT_TAG 0x0001000000000000ull
#define AWAY_TAG_MASK 0xFFFF000000000000ull
#define AWAY_DOUBLE_BASE 0x0007000000000000ull

static uint64_t away_bits(HPy h) { return (uint64_t)h._i; }

/* The number a boxed int or float handle holds; -1 if it holds neither. */
static int away_number(HPy h, double *out)
{
    uint64_t bits = away_bits(h);
    if ((bits & AWAY_TAG_MASK) == AWAY_INT_TAG) {
        *out = (double)(int32_t)(uint32_t)bits;
        return 0;
    }
    if (bits >= AWAY_DOUBLE_BASE) {
        bits -= AWAY_DOUBLE_BASE;
        memcpy(out, &bits, sizeof *out);
        return 0;
    }
    return -1;
}

static HPy away_int(int32_t value)
{
    return (HPy){(HPy_ssize_t)(AWAY_INT_TAG + (uint32_t)value)};
}

/* (finite values only) */
static HPy away_float(double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return (HPy){(HPy_ssize_t)(bits + AWAY_DOUBLE_BASE)};
}

/* Make the calling thread home, after checking that this GraalPy passes
 * numbers in handles as `_away` reads and makes them (else `_away` answers
 * SystemError, never a wrong number). */
static int set_home(HPyContext *ctx, HPy probe)
{
    /* probe is (7, -7, 2.5, 2**40): two boxed ints, a boxed float and an
     * int too big to box */
    static const double expected[3] = {7, -7, 2.5};
    HPy items[4], made;
    double number;
    int i, ok = 1;
    for (i = 0; i < 4; ++i) {
        items[i] = HPy_GetItem_i(ctx, probe, i);
        if (HPy_IsNull(items[i])) {
            while (i--)
                HPy_Close(ctx, items[i]);
            return -1;
        }
    }
    for (i = 0; i < 3; ++i)
        ok &= away_number(items[i], &number) == 0 && number == expected[i];
    ok &= away_number(items[3], &number) < 0;
    for (i = 0; i < 4; ++i)
        HPy_Close(ctx, items[i]);
    /* what `_away` returns must read back as what GraalPy makes itself */
    made = HPyLong_FromInt32_t(ctx, -7);
    ok &= away_bits(made) == away_bits(away_int(-7));
    HPy_Close(ctx, made);
    made = HPyFloat_FromDouble(ctx, 2.5);
    ok &= away_bits(made) == away_bits(away_float(2.5));
    HPy_Close(ctx, made);
    made = HPy_Dup(ctx, ctx->h_NotImplemented);
    ok &= away_bits(made) == away_bits(ctx->h_NotImplemented);
    HPy_Close(ctx, made);
    atomics_home = pthread_self();
    atomics_away_ok = ok;
    atomics_home_only = 1;
    return 0;
}

int atomics_off_home(void)
{
    return !pthread_equal(pthread_self(), atomics_home);
}

HPy atomics_away_reply(HPyContext *ctx)
{
    return atomics_away_ok ? HPy_Dup(ctx, ctx->h_NotImplemented) : HPy_NULL;
}

/* `_away`'s answers besides a float: 0 means "the value is too wide for a
 * float: read its three parts with op -2"; the others name the error that
 * the regular call would raise (atomics/_jit.py raises it). */
enum {
    AWAY_SPILLED = 0,
    AWAY_RELEASED,
    AWAY_NO_OP,
    AWAY_ORDER_TYPE,
    AWAY_ORDER,
    AWAY_FAIL_ORDER_TYPE,
    AWAY_FAIL_ORDER,
    AWAY_OPERAND_TYPE, /* spill[0]: which operand (0 or 1) */
    AWAY_NEGATIVE,
    AWAY_TOO_BIG,
    AWAY_BIT_INDEX_TYPE,
    AWAY_BIT_INDEX,
    AWAY_INDEX_TYPE,
    AWAY_INDEX,
    AWAY_BAD_CALL
};

/* _away(op, order, fail, index, operand a, operand b): each int as three
 * numbers (see away_int_t) */
#define AWAY_NARGS 12

static _Thread_local double away_spill[3];

__extension__ typedef unsigned __int128 away_u128;
__extension__ typedef __int128 away_s128;

/* An int as Python passes it: top * 2**96 + mid * 2**48 + low, with low and
 * mid in [0, 2**48) and top clamped to [-2**33, 2**33] (so it says whether
 * the int is beyond every width); top NaN: the argument is not an int. */
typedef struct {
    away_u128 u; /* the low 128 bits, two's complement */
    int64_t top;
} away_wide_t;

static int away_wide(const double *parts, away_wide_t *out)
{
    const double limit = (double)((int64_t)1 << 48);
    if (parts[2] != parts[2])
        return -1;
    /* (anything else is not what atomics/_jit.py passes) */
    if (!(parts[0] >= 0 && parts[0] < limit && parts[1] >= 0 &&
          parts[1] < limit && parts[2] >= -2 * (limit / 65536) &&
          parts[2] <= 2 * (limit / 65536)))
        return -2;
    out->top = (int64_t)parts[2];
    out->u = ((away_u128)(uint64_t)out->top << 96) |
             ((away_u128)(uint64_t)parts[1] << 48) | (uint64_t)parts[0];
    return 0;
}

/* The value as the atomic's native bytes, or the range error's code. */
static int away_to_value(const AtomicObject *self, const away_wide_t *v,
                         atomics_value_t *out)
{
    int bits = 8 * self->width;
    if (!self->is_signed) {
        if (v->top < 0)
            return AWAY_NEGATIVE;
        if (bits == 128 ? v->top >= (int64_t)1 << 32
                        : v->top != 0 || (v->u >> bits) != 0)
            return AWAY_TOO_BIG;
    } else {
        away_s128 s = (away_s128)v->u;
        if (v->top < -((int64_t)1 << 31) || v->top >= (int64_t)1 << 31)
            return AWAY_TOO_BIG;
        if (bits < 128 && (s < -((away_s128)1 << (bits - 1)) ||
                           s >= (away_s128)1 << (bits - 1)))
            return AWAY_TOO_BIG;
    }
    switch (self->width) {
#define AWAY_STORE_AS(T)                                                    \
    {                                                                       \
        T narrow = (T)v->u;                                                 \
        memcpy(out->bytes, &narrow, sizeof narrow);                         \
        return 0;                                                           \
    }
    case 1: AWAY_STORE_AS(uint8_t)
    case 2: AWAY_STORE_AS(uint16_t)
    case 4: AWAY_STORE_AS(uint32_t)
    case 8: AWAY_STORE_AS(uint64_t)
    default: AWAY_STORE_AS(away_u128)
#undef AWAY_STORE_AS
    }
}

/* The value in the atomic's native bytes, as a float if that is exact, else
 * spilled in three parts. */
static HPy away_result(const AtomicObject *self, const atomics_value_t *in)
{
    const away_s128 exact = (away_s128)1 << 53;
    away_s128 s = 0;
    away_u128 u = 0;
    int wide_unsigned = 0;
    switch (self->width) {
#define AWAY_LOAD_AS(S, U)                                                  \
    if (self->is_signed) {                                                  \
        S narrow;                                                           \
        memcpy(&narrow, in->bytes, sizeof narrow);                          \
        s = narrow;                                                         \
    } else {                                                                \
        U narrow;                                                           \
        memcpy(&narrow, in->bytes, sizeof narrow);                          \
        s = (away_s128)narrow;                                              \
        wide_unsigned = sizeof(U) == 16 && (narrow >> 127) != 0;            \
    }                                                                       \
    break;
    case 1: AWAY_LOAD_AS(int8_t, uint8_t)
    case 2: AWAY_LOAD_AS(int16_t, uint16_t)
    case 4: AWAY_LOAD_AS(int32_t, uint32_t)
    case 8: AWAY_LOAD_AS(int64_t, uint64_t)
    default: AWAY_LOAD_AS(away_s128, away_u128)
#undef AWAY_LOAD_AS
    }
    if (!wide_unsigned && s > -exact && s < exact)
        return away_float((double)(int64_t)s);
    u = (away_u128)s;
    away_spill[0] = (double)(uint64_t)(u & 0xFFFFFFFFFFFFull);
    away_spill[1] = (double)(uint64_t)((u >> 48) & 0xFFFFFFFFFFFFull);
    away_spill[2] = wide_unsigned ? (double)(uint64_t)(u >> 96)
                                  : (double)(int64_t)(s >> 96);
    return away_int(AWAY_SPILLED);
}

/* a[1] as a memory order, or an error code */
static int away_order(double a, int *order)
{
    if (a == -1)
        return AWAY_ORDER_TYPE;
    if (!(a >= 0 && a <= patomic_SEQ_CST))
        return AWAY_BAD_CALL;
    *order = (int)a;
    return 0;
}

/* operand @p which (a[6..8] or a[9..11]) as native bytes, or an error code */
static int away_value_arg(const AtomicObject *self, const double *a,
                          int which, atomics_value_t *out)
{
    away_wide_t v;
    int rc = away_wide(a + 6 + 3 * which, &v);
    if (rc == -1) {
        away_spill[0] = which;
        return AWAY_OPERAND_TYPE;
    }
    return rc < 0 ? AWAY_BAD_CALL : away_to_value(self, &v, out);
}

/* a[6..8] as a bit index of the atomic, or an error code (as negative) */
static int away_bit_index(const AtomicObject *self, const double *a)
{
    away_wide_t v;
    int rc = away_wide(a + 6, &v);
    if (rc < 0)
        return rc == -1 ? -AWAY_BIT_INDEX_TYPE : -AWAY_BAD_CALL;
    if (v.top != 0 || v.u >= (away_u128)(8 * self->width))
        return -AWAY_BIT_INDEX;
    return (int)v.u;
}

/*
 * Run @p op as run_op (atomic_ops.c) does, from the same descriptor and in
 * the same order of checks, with numbers for arguments and results. Both
 * cmpxchg ops run the strong one and return the value held, as the `_old`
 * twins do: the front-end tells success from that value.
 */
static HPy away_run(const AtomicObject *self, char *addr, const op_t *op,
                    const double *a)
{
    const result_t result = op->sig == SIG_cmpxchg ? OLD_VALUE : RESULT;
    const void *p = op_slot(self->ops, op, result);
    atomics_value_t arg, ret;
    int order, fail, index, err;
    if (!has_op(self->ops, op, result))
        return away_int(AWAY_NO_OP);
    if ((err = away_order(a[1], &order)) != 0)
        return away_int(err);
    if (!order_is_valid(op->sig, order))
        return away_int(AWAY_ORDER);
    switch (op->sig) {
    case SIG_load:
        FP(load, p)(addr, order, &ret);
        return away_result(self, &ret);
    case SIG_store:
    case SIG_void:
        if ((err = away_value_arg(self, a, 0, &arg)) != 0)
            return away_int(err);
        if (op->sig == SIG_store)
            FP(store, p)(addr, &arg, order);
        else
            FP(void, p)(addr, &arg, order);
        return away_float(0);
    case SIG_exchange:
    case SIG_fetch:
        if ((err = away_value_arg(self, a, 0, &arg)) != 0)
            return away_int(err);
        if (op->sig == SIG_exchange)
            FP(exchange, p)(addr, &arg, order, &ret);
        else
            FP(fetch, p)(addr, &arg, order, &ret);
        return away_result(self, &ret);
    case SIG_void_noarg:
        FP(void_noarg, p)(addr, order);
        return away_float(0);
    case SIG_fetch_noarg:
        FP(fetch_noarg, p)(addr, order, &ret);
        return away_result(self, &ret);
    case SIG_test:
    case SIG_test_modify:
        if ((index = away_bit_index(self, a)) < 0)
            return away_int(-index);
        return away_float((op->sig == SIG_test
                               ? FP(test, p)(addr, index, order)
                               : FP(test_modify, p)(addr, index, order)) != 0);
    case SIG_cmpxchg:
        if (a[2] == -1)
            return away_int(AWAY_FAIL_ORDER_TYPE);
        if (!(a[2] >= 0 && a[2] <= patomic_SEQ_CST))
            return away_int(AWAY_BAD_CALL);
        fail = (int)a[2];
        if (!patomic_is_valid_fail_order(order, fail))
            return away_int(AWAY_FAIL_ORDER);
        /* `ret` is expected (then the value held), `arg` desired */
        if ((err = away_value_arg(self, a, 0, &ret)) != 0 ||
            (err = away_value_arg(self, a, 1, &arg)) != 0)
            return away_int(err);
        FP(cmpxchg, p)(addr, &ret, &arg, order, fail);
        return away_result(self, &ret);
    }
    return away_int(AWAY_BAD_CALL);
}

/* The address of the element a[3..5] names, or NULL with *err set. */
static char *away_element(const AtomicObject *self, const double *a, int *err)
{
    away_wide_t v;
    away_s128 i;
    int rc = away_wide(a + 3, &v);
    if (rc < 0) {
        *err = rc == -1 ? AWAY_INDEX_TYPE : AWAY_BAD_CALL;
        return NULL;
    }
    i = (away_s128)v.u;
    if (v.top < -1 || v.top > 0)
        i = -((away_s128)1 << 100); /* out of range either way */
    if (i < 0)
        i += self->length;
    if (i < 0 || i >= self->length) {
        *err = AWAY_INDEX;
        return NULL;
    }
    return self->addr + (int64_t)i * self->width;
}

static HPy away_call(const AtomicObject *self, int is_array, const HPy *args,
                     size_t nargs)
{
    double a[AWAY_NARGS];
    const op_t *op;
    char *addr;
    int err = 0;
    size_t i;
    if (nargs != AWAY_NARGS)
        return away_int(AWAY_BAD_CALL);
    for (i = 0; i < AWAY_NARGS; ++i)
        if (away_number(args[i], &a[i]) < 0)
            return away_int(AWAY_BAD_CALL);
    if (!(a[0] >= -3 && a[0] <= patomic_op_LAST))
        return away_int(AWAY_BAD_CALL);
    if (a[0] == -2) /* a part of a spilled value */
        return away_float(a[1] >= 0 && a[1] < 3 ? away_spill[(int)a[1]] : 0);
    if (self->addr == NULL)
        return away_int(AWAY_RELEASED);
    if (a[0] == -1) /* the properties: width, readonly, signed, ops mask */
        return away_float((double)((uint64_t)self->width |
                                   (uint64_t)self->readonly << 5 |
                                   (uint64_t)self->is_signed << 6 |
                                   (uint64_t)self->ops_mask << 7));
    if (a[0] == -3)
        return away_float((double)self->length);
    op = atomics_op_descriptor((int)a[0], ATOMICS_KIND_INTEGRAL);
    if (op == NULL || a[0] != (int)a[0])
        return away_int(AWAY_BAD_CALL);
    addr = self->addr;
    if (is_array && (addr = away_element(self, a, &err)) == NULL)
        return away_int(err);
    return away_run(self, addr, op, a);
}

#define AWAY_DOC                                                            \
    "_away($self, op, order, fail, *parts)\n--\n\n"                         \
    "The integer operations for threads that GraalPy cannot call back "     \
    "from (internal: atomics/_jit.py)."

HPyDef_METH(Atomic_away, "_away", HPyFunc_VARARGS, .doc = AWAY_DOC)
static HPy Atomic_away_impl(HPyContext *ctx, HPy h_self, const HPy *args,
                            size_t nargs)
{
    if (!atomics_away_ok)
        return HPy_NULL; /* (even AsStruct might call back) */
    return away_call(AtomicObject_AsStruct(ctx, h_self), 0, args, nargs);
}

HPyDef_METH(Array_away, "_away", HPyFunc_VARARGS, .doc = AWAY_DOC)
static HPy Array_away_impl(HPyContext *ctx, HPy h_self, const HPy *args,
                           size_t nargs)
{
    if (!atomics_away_ok)
        return HPy_NULL;
    return away_call(AtomicObject_AsStruct(ctx, h_self), 1, args, nargs);
}

HPyDef_METH(atomics_set_home_thread, "set_home_thread", HPyFunc_O,
            .doc = "set_home_thread(probe)\n--\n\n"
                   "Make this thread the one whose calls the methods serve "
                   "on GraalPy 24; the others go through `_away` "
                   "(internal: atomics/_jit.py).")
static HPy atomics_set_home_thread_impl(HPyContext *ctx, HPy module,
                                        HPy probe)
{
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    if (set_home(ctx, probe) < 0)
        return HPy_NULL;
    return HPy_Dup(ctx, ctx->h_None);
}
