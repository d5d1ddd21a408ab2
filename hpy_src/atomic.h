/* SPDX-License-Identifier: MIT */
#ifndef ATOMICS_ATOMIC_H
#define ATOMICS_ATOMIC_H

/*
 * Shared declarations of the `atomics._native` extension.
 *
 * Layout of hpy_src/:
 *   module.c          the module: its functions, globals and exec slot
 *   ops_tables.c      patomic's ops table per width, built once at import
 *   classes.h         every class, once (expanded by the next two files)
 *   construct.c       the constructors: arguments, memory, their errors
 *   atomic_type.c     the types: lifetime, properties, specs, make_type
 *   atomic_ops.c      the atomic operations as methods (one C call each)
 *   descriptors.h     an operation as a constant descriptor, and running it
 *   away.c            GraalPy 24: calls from threads it cannot call back from
 *   args.c            fast argument parsing (positional, keyword, order)
 *   values.c          Python int/bytes <-> native bytes of one width
 *   int_codecs.h      the codecs of integers up to 8 bytes, inlinable
 *   hooks.c           Python objects registered at import, and errors
 *   cmpxchg_result.c  the CmpxchgResult type
 *   wait.c            wait / notify across threads and processes
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "hpy.h"
#include <patomic/patomic.h>

#include "op_table.h"

/* ---- the atomic object ------------------------------------------------ */

/** What values an atomic holds, and so which methods its class has. */
typedef enum {
    ATOMICS_KIND_ANY = 0,      /* no operations, only properties */
    ATOMICS_KIND_BYTES = 1,    /* values are bytes */
    ATOMICS_KIND_INTEGRAL = 2  /* values are ints, signed or unsigned */
} atomics_kind_t;

typedef struct atomics_codec atomics_codec_t;

/*
 * Integer atomics that a method can run without calling through the
 * object's ops table and codec: patomic's gnu backend serves the width
 * (then the table's every op is one of <patomic/gnu.h>'s, which the
 * methods can inline) and the object is writable (its table has every op)
 * and live. One value per (width, signedness): the width picks the gnu
 * table, both pick the integer codec (int_codecs.h).
 *
 *   X(ID, width, codec name)
 */
#define ATOMICS_FOR_EACH_NATIVE(X)                                          \
    X(UINT8, 1, uint8) X(INT8, 1, int8) X(UINT16, 2, uint16)                \
    X(INT16, 2, int16) X(UINT32, 4, uint32) X(INT32, 4, int32)              \
    X(UINT64, 8, uint64) X(INT64, 8, int64)

typedef enum {
    ATOMICS_NATIVE_NONE = 0, /* through the object's ops and codec */
#define ATOMICS_NATIVE_ID(ID, WIDTH, CODEC) ATOMICS_NATIVE_##ID,
    ATOMICS_FOR_EACH_NATIVE(ATOMICS_NATIVE_ID)
#undef ATOMICS_NATIVE_ID
} atomics_native_t;

typedef struct {
    /* Start of the object's memory; NULL once a view has been released, which
     * every operation checks first. */
    char *addr;
    /* The ops for (width, readonly); static tables, never freed. */
    const patomic_ops_t *ops;
    /* Python value <-> native bytes for this kind, width and signedness. */
    const atomics_codec_t *codec;
    /* Memory allocated for (and freed with) an owned atomic, else NULL. */
    void *owned;
    /* What keeps `addr` valid for views: the AtomicCore they came from. */
    HPyField owner;
    /* Bit `1 << OpType` per operation this object offers. */
    uint32_t ops_mask;
    /* Number of elements: 1 for a single atomic, any for an array. */
    int64_t length;
    int32_t width;
    uint8_t readonly;
    uint8_t kind;       /* atomics_kind_t */
    uint8_t is_signed;
    uint8_t is_integral; /* ANY objects may still be "integral" for
                            ops_supported */
    /* atomics_native_t; NONE once released, so that no method takes the
     * native path to a NULL `addr` */
    uint8_t native;
} AtomicObject;

HPyType_HELPERS(AtomicObject)

/** Widths with a slot in the ops tables: 1, 2, 4, 8 and 16 bytes. */
#define ATOMICS_MAX_WIDTH 16

/* ---- ops tables (ops_tables.c) ----------------------------------------- */

/** Build the tables (once, at import: module.c). */
void atomics_init_ops_tables(void);
/** The ops table for @p width (NULL if the width has no slot). */
const patomic_ops_t *atomics_ops_for(int64_t width, int readonly);
/** Bit 1 << op for each op in @p ops (may be NULL) that an object offers
 *  (the arithmetic ones only if it is integral). */
uint32_t atomics_kind_ops_mask(const patomic_ops_t *ops, int is_integral);
/** How a method may run the ops of an object of @p kind and signedness
 *  with the table @p ops (from atomics_ops_for, which fixes the width and
 *  writability): atomics_native_t; NONE: through the table and codec. */
atomics_native_t atomics_native_for(int kind, int is_signed,
                                    const patomic_ops_t *ops);
/** The alignment objects of @p width need (all 0 if it has no ops). */
const patomic_align_t *atomics_alignment_for(int64_t width);

/* ---- construction (construct.c) ---------------------------------------- */

/**
 * The value of a width argument (@p argument names it in errors: "Keyword
 * argument", "Positional argument"); INT64_MAX for one that fits size_t
 * but no atomic; or -1 with TypeError (not an int), ValueError (negative)
 * or OverflowError (>= 2**64) set. The one rule for widths.
 */
int64_t atomics_parse_width(HPyContext *ctx, HPy width, const char *argument);

/* ---- the types (atomic_type.c) ----------------------------------------- */

/** Raise ValueError if @p self was released; return non-zero if usable. */
int atomics_check_live(HPyContext *ctx, const AtomicObject *self);
/** The roots of the classes whose objects can be released (views,
 *  arrays), kept to check what `release_view` is given. */
extern HPyGlobal atomics_view_root, atomics_array_root;
extern HPyDef atomics_make_type, atomics_release_view;

/* ---- calls from other threads on GraalPy (away.c) -------------------- */

/*
 * GraalPy 24's HPy layer makes every call back into the interpreter that it
 * does not answer natively through one JNI environment, the one of the
 * thread that started its HPy support: called from any other thread, such
 * a call runs the JVM on the wrong thread's state (stack overflows, errors
 * raised in the main thread, hangs). There, the package marks the thread
 * that imports it as home (`set_home_thread(probe)`), and
 * every entry point called from another thread returns at once, before it
 * looks at its arguments: the operations with `atomics_away_reply()`, which
 * the Python front-ends (atomics/_jit.py) take as "call `_away` instead",
 * `_away` being the one method that calls nothing back. Everything else
 * returns NULL without an exception, which GraalPy reports as SystemError.
 */
extern int atomics_home_only;
extern pthread_t atomics_home;
/** Whether `_away` can answer (the check in set_home_thread passed). */
extern int atomics_away_ok;

/** Whether the calling thread is not the home thread (away.c). */
int atomics_off_home(void);

/** Whether this call comes from a thread that must not call back. (The
 *  thread is asked out of line: a call in line would make every method
 *  save registers for it, on every interpreter.) */
static inline int atomics_away(void)
{
    return atomics_home_only && atomics_off_home();
}

/** What an operation returns to a thread that must not call back:
 *  NotImplemented, or NULL (SystemError) if this GraalPy's handles are not
 *  laid out as `set_home_thread` checked. */
HPy atomics_away_reply(HPyContext *ctx);

extern HPyDef Atomic_away, Array_away, atomics_set_home_thread;

/* ---- integer arguments ------------------------------------------------- */

/*
 * Whether this interpreter's HPyLong_AsInt64_t / AsSsize_t / AsUInt64_t
 * also take objects that have only __int__: PyPy's AsInt64_t does, so that
 * Fraction(7, 2) would be stored as 3 (its AsSsize_t and AsUInt64_t do
 * not). Found at import by converting such an object
 * (`probe_int_conversions`, values.c); assumed until then.
 */
extern int atomics_int64_lenient, atomics_ssize_lenient,
    atomics_uint64_lenient;
extern HPyDef atomics_probe_int_conversions;

/** After a failed strict conversion: whether it failed with TypeError
 *  (the object is not an int), which is then cleared. (values.c) */
int atomics_not_an_int(HPyContext *ctx);
/** The value of obj.__index__() (TypeError if it has none). (values.c) */
int64_t atomics_index_as_int64(HPyContext *ctx, HPy obj);
uint64_t atomics_index_as_uint64(HPyContext *ctx, HPy obj);

/*
 * The value of an integer argument: an int, or an object with __index__
 * (TypeError for anything else; OverflowError if out of the C type's
 * range). Each calls one strict conversion where the interpreter has one
 * (CPython: AsInt64_t; PyPy: AsSsize_t, AsUInt64_t), which either calls
 * __index__ itself or raises TypeError for a non-int (then __index__ is
 * called here), and checks the type first only where it has none.
 */
static inline __attribute__((always_inline)) int64_t
atomics_as_int64(HPyContext *ctx, HPy obj)
{
    int64_t value;
    if (!atomics_int64_lenient)
        value = HPyLong_AsInt64_t(ctx, obj);
    else if (sizeof(HPy_ssize_t) == sizeof(int64_t) && !atomics_ssize_lenient)
        value = (int64_t)HPyLong_AsSsize_t(ctx, obj);
    else if (HPy_TypeCheck(ctx, obj, ctx->h_LongType))
        return HPyLong_AsInt64_t(ctx, obj);
    else
        return atomics_index_as_int64(ctx, obj);
    if (value == -1 && atomics_not_an_int(ctx))
        return atomics_index_as_int64(ctx, obj);
    return value;
}

static inline __attribute__((always_inline)) uint64_t
atomics_as_uint64(HPyContext *ctx, HPy obj)
{
    uint64_t value;
    if (!atomics_uint64_lenient)
        value = HPyLong_AsUInt64_t(ctx, obj);
    else if (HPy_TypeCheck(ctx, obj, ctx->h_LongType))
        return HPyLong_AsUInt64_t(ctx, obj);
    else
        return atomics_index_as_uint64(ctx, obj);
    if (value == (uint64_t)-1 && atomics_not_an_int(ctx))
        return atomics_index_as_uint64(ctx, obj);
    return value;
}

/* ---- registered Python objects (hooks.c) ------------------------------ */

/** Python objects that `atomics` registers once at import (see hooks.c). */
typedef enum {
    ATOMICS_HOOK_MEMORY_ORDER,     /* the MemoryOrder enum class */
    ATOMICS_HOOK_CORE,             /* the AtomicCore class (views) */
    ATOMICS_HOOK_ORDER_ERROR,      /* (op, order, is_fail) -> exception */
    ATOMICS_HOOK_WIDTH_ERROR,      /* (width, readonly) -> exception */
    ATOMICS_HOOK_ALIGNMENT_ERROR,  /* (width, address) -> exception */
    ATOMICS_HOOK_OP_ERROR,         /* (op, width, readonly) -> exception */
    ATOMICS_HOOK_OPERAND_TYPE_ERROR, /* class: TypeError for bad operands */
    ATOMICS_HOOK_COUNT
} atomics_hook_t;

extern HPyGlobal atomics_hooks[ATOMICS_HOOK_COUNT];

/** callable(*args), and obj.name(): what HPy_Call/HPy_CallMethod would do,
 *  in a form every interpreter runs (see hooks.c). */
HPy atomics_call(HPyContext *ctx, HPy callable, const HPy *args, size_t nargs);
HPy atomics_call_method(HPyContext *ctx, HPy obj, const char *name);
/** A tuple of @p items, closing them (HPy_NULL if one of them is NULL). */
HPy atomics_tuple_steal(HPyContext *ctx, HPy *items, int count);
extern HPyDef atomics_register_hook;

/** Set the exception the hook builds from @p args; always returns -1. */
int atomics_raise_hook(HPyContext *ctx, atomics_hook_t hook, const HPy *args,
                       size_t nargs);
int atomics_raise_order_error(HPyContext *ctx, int op, int order,
                              int is_fail);
int atomics_raise_width_error(HPyContext *ctx, HPy width, int readonly);
int atomics_raise_alignment_error(HPyContext *ctx, int64_t width,
                                  uint64_t address);
int atomics_raise_op_error(HPyContext *ctx, int op,
                           const AtomicObject *self);
/** The `__name__` of @p type, into @p buf (never fails; "?" if unknown). */
void atomics_type_name(HPyContext *ctx, HPy type, char *buf, size_t size);
/** Raise the operand TypeError: "'<type>' object cannot be used as ..." */
int atomics_raise_operand_type(HPyContext *ctx, HPy obj, const char *what);

/* ---- arguments (args.c) ------------------------------------------------ */

/**
 * The keywords a method was last called with, and which parameter each of
 * them names. A call site passes the same (constant, interned) tuple of
 * keyword names on every call, so a repeated keyword call costs one
 * identity check instead of decoding and comparing strings.
 */
typedef struct {
    HPyGlobal kwnames;
    int8_t map[4];    /* kwnames[i] is parameter map[i] */
    int8_t count;     /* len(kwnames) */
    /* j if kwnames name exactly the operands j, j+1, ... in order (the
     * arguments are then the operands, in order), else -1 */
    int8_t operands_from;
} atomics_kwcache_t;

/**
 * The parameters of one method: names in positional order (operands, then
 * memory orders), how many of them are operands (and so required), and
 * the keyword cache of the list.
 */
typedef struct {
    const char *names[4];
    int count;
    int required;
    atomics_kwcache_t *kwcache;
} atomics_params_t;

/** The parameter lists of the methods (op_table.h). */
typedef enum {
#define ATOMICS_PARAMS_ID(ID) ATOMICS_PARAMS_##ID,
    ATOMICS_FOR_EACH_PARAMS(ATOMICS_PARAMS_ID)
#undef ATOMICS_PARAMS_ID
    ATOMICS_PARAMS_COUNT
} atomics_params_id_t;

extern atomics_kwcache_t atomics_kwcaches[ATOMICS_PARAMS_COUNT];

/**
 * Fill out[0..params->count) with borrowed handles from the call (HPy_NULL
 * for an omitted optional parameter). @p method names the method in errors.
 * Returns 0, or -1 with TypeError set.
 */
int atomics_parse_args(HPyContext *ctx, const atomics_params_t *params,
                       const char *method, const HPy *args, size_t nargs,
                       HPy kwnames, HPy *out);

/**
 * Keyword arguments of a tp_new call, found by name. Interpreters pass them
 * differently (CPython: a dict; PyPy: vectorcall-style, a tuple of names
 * with the values after the positional arguments), so constructors use this.
 * out[i] is a new handle for names[i], or HPy_NULL if it was not given.
 * Returns 0, or -1 with TypeError set (an unexpected or repeated keyword).
 */
int atomics_new_kwargs(HPyContext *ctx, HPy cls, const HPy *args,
                       HPy_ssize_t nargs, HPy kw, const char *const *names,
                       int count, HPy *out);

/**
 * Whether a call with @p nargs positional arguments and @p kwnames passes
 * exactly the operands, the last ones by keyword in order, and no memory
 * order: then args[0..required) are the operands, and the call can take
 * the fast path as a positional one does. One identity check against the
 * keyword cache (a miss goes the general way, which fills the cache).
 */
int atomics_operands_only(HPyContext *ctx, const atomics_params_t *params,
                          size_t nargs, HPy kwnames);

/**
 * Memory order from a `MemoryOrder` argument (SEQ_CST for HPy_NULL).
 * Returns the order, or -1 with TypeError set for anything else.
 */
int atomics_parse_order(HPyContext *ctx, HPy arg);

/* ---- values (values.c) ------------------------------------------------- */

/** Native bytes of one value: large enough for the widest atomic. */
typedef union {
    unsigned char bytes[ATOMICS_MAX_WIDTH];
    uint64_t align_u64[ATOMICS_MAX_WIDTH / 8];
} atomics_value_t;

/**
 * Conversions for one kind, width and signedness (values.c); an atomic keeps
 * the codec it needs in its `codec` field.
 *
 * to_py boxes the native bytes of the atomic's width as int or bytes.
 * from_py converts @p obj (int for INTEGRAL, bytes-like for BYTES) to native
 * bytes; @p name names the argument in errors. It returns 0, or -1 with the
 * documented exception set.
 */
struct atomics_codec {
    HPy (*to_py)(HPyContext *ctx, const AtomicObject *self,
                 const atomics_value_t *value);
    int (*from_py)(HPyContext *ctx, const AtomicObject *self, HPy obj,
                   const char *name, atomics_value_t *out);
};

const atomics_codec_t *atomics_codec_for(int kind, int32_t width,
                                         int is_signed);

/** Bit index in [0, 8 * width), or -1 with an exception set. */
int atomics_parse_bit_index(HPyContext *ctx, const AtomicObject *self,
                            HPy obj);

/* ---- CmpxchgResult (cmpxchg_result.c) ---------------------------------- */

extern HPyType_Spec atomics_cmpxchg_result_spec;
extern HPyGlobal atomics_cmpxchg_result_type;

/** A new CmpxchgResult(success, expected) for a cmpxchg on @p atomic that
 *  found @p value (native bytes, in a whole union): it boxes
 *  `expected` when it is read. */
HPy atomics_cmpxchg_result_new(HPyContext *ctx, const AtomicObject *atomic,
                               int success, const atomics_value_t *value);

/* ---- methods (atomic_ops.c, wait.c) ----------------------------------- */

/**
 * Append to @p out the methods a class lists for the operations of its
 * kind (every row of op_table.h whose kinds include @p kind, and their
 * twins), on single atomics or on array elements; return the new end.
 */
HPyDef **atomics_list_op_methods(HPyDef **out, atomics_kind_t kind,
                                 int array);
/** Bit 1 << op for every op that objects of @p kind have (op_table.h). */
uint32_t atomics_op_table_mask(atomics_kind_t kind);
extern HPyDef atomics_op_table;

extern HPyDef Atomic_int, Atomic_bytes, Atomic_wait_slice, Atomic_notify_one,
    Atomic_notify_all, Array_len, Array_wait_slice, Array_notify_one,
    Array_notify_all;

/* ---- array elements (atomic_ops.c) ------------------------------------ */

/** atomics_element_address() for anything but a plain in-range index. */
char *atomics_element_address_rest(HPyContext *ctx, const AtomicObject *array,
                                   HPy index, int64_t i);

/*
 * The address of element i (args[0]) of @p array, or NULL with
 * IndexError/TypeError/ValueError set. Inlined into every array method: it
 * is the whole cost of indexing. (atomic_ops.c)
 */
static inline __attribute__((always_inline)) char *
atomics_element_address(HPyContext *ctx, const AtomicObject *array,
                        const HPy *args, size_t nargs)
{
    int64_t i;
    if (array->addr == NULL) {
        atomics_check_live(ctx, array); /* sets the ValueError */
        return NULL;
    }
    if (nargs < 1) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "missing the element index (the first argument)");
        return NULL;
    }
    i = atomics_as_int64(ctx, args[0]);
    /* one unsigned compare for 0 <= i < length, the common case */
    if ((uint64_t)i < (uint64_t)array->length)
        return array->addr + i * array->width;
    return atomics_element_address_rest(ctx, array, args[0], i);
}

#endif /* ATOMICS_ATOMIC_H */
