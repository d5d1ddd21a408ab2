/* SPDX-License-Identifier: MIT */
#ifndef ATOMICS_CLASSES_H
#define ATOMICS_CLASSES_H

/*
 * Every atomic class, once:
 *
 *   X(class, module, kind, signed, integral, array, view, doc)
 *
 * `signed` and `integral` are what the class fixes, or -1 for "a
 * constructor argument"; `array` says whether it has elements (and takes
 * `length`); `view` whether it needs memory handed over (and is as wide as
 * that memory). The kind and `array` decide the methods (atomic_type.c).
 * construct.c expands the table into constructors, atomic_type.c into
 * type specs.
 */

/** What a class fixes about its instances; -1 means "from the arguments". */
typedef struct {
    uint8_t kind;       /* atomics_kind_t */
    int8_t is_signed;
    int8_t is_integral;
    uint8_t is_array;   /* takes `length` and has elements */
    uint8_t is_view;    /* on memory handed over, as wide as it is */
} atomics_class_config_t;

#define ATOMICS_CLASS_CONFIG(KIND, SIGNED, INTEGRAL, ARRAY, VIEW)           \
    {ATOMICS_KIND_##KIND, SIGNED, INTEGRAL, ARRAY, VIEW}
#define ATOMICS_FOR_EACH_CLASS(X)                                           \
/*  class                 module           kind      sgn int arr view */    \
    X(Atomic,               "atomics.base",  ANY,      -1, -1,  0,  0,      \
      "Atomic(*, width, is_integral, is_signed)\n--\n\n"                    \
      "An atomic object with its own memory, exposing no operations "       \
      "(only properties).")                                                 \
    X(AtomicIntegral,       "atomics.base",  INTEGRAL, -1,  1,  0,  0,      \
      "AtomicIntegral(*, width, is_signed)\n--\n\n"                         \
      "An atomic integer with its own memory.")                             \
    X(AtomicBytes,          "atomics.base",  BYTES,     0,  0,  0,  0,      \
      "AtomicBytes(*, width)\n--\n\n"                                       \
      "Atomic bytes with their own memory.")                                \
    X(AtomicInt,            "atomics.base",  INTEGRAL,  1,  1,  0,  0,      \
      "AtomicInt(*, width)\n--\n\n"                                         \
      "An atomic signed integer with its own memory.")                      \
    X(AtomicUint,           "atomics.base",  INTEGRAL,  0,  1,  0,  0,      \
      "AtomicUint(*, width)\n--\n\n"                                        \
      "An atomic unsigned integer with its own memory.")                    \
    X(AtomicView,           "atomics.view",  ANY,      -1, -1,  0,  1,      \
      "AtomicView(core, address, nbytes, readonly, alias, *, "              \
      "is_integral, is_signed)\n--\n\n"                                     \
      "An atomic view of a buffer, exposing no operations. Obtained "       \
      "from an AtomicViewContext.")                                         \
    X(AtomicIntegralView,   "atomics.view",  INTEGRAL, -1,  1,  0,  1,      \
      "AtomicIntegralView(core, address, nbytes, readonly, alias, *, "      \
      "is_signed)\n--\n\n"                                                  \
      "An atomic integer view of a buffer.")                                \
    X(AtomicBytesView,      "atomics.view",  BYTES,     0,  0,  0,  1,      \
      "AtomicBytesView(core, address, nbytes, readonly, alias)\n--\n\n"     \
      "An atomic bytes view of a buffer.")                                  \
    X(AtomicIntView,        "atomics.view",  INTEGRAL,  1,  1,  0,  1,      \
      "AtomicIntView(core, address, nbytes, readonly, alias)\n--\n\n"       \
      "An atomic signed integer view of a buffer.")                         \
    X(AtomicUintView,       "atomics.view",  INTEGRAL,  0,  1,  0,  1,      \
      "AtomicUintView(core, address, nbytes, readonly, alias)\n--\n\n"      \
      "An atomic unsigned integer view of a buffer.")                       \
    X(AtomicArray,          "atomics.array", ANY,      -1, -1,  1,  0,      \
      "AtomicArray(*, length, width, is_integral, is_signed)\n--\n\n"       \
      "An array of atomics, exposing no operations.")                       \
    X(AtomicIntArray,       "atomics.array", INTEGRAL,  1,  1,  1,  0,      \
      "AtomicIntArray(*, length, width)\n--\n\n"                            \
      "An array of atomic signed integers: every operation takes the "      \
      "element's index first.")                                             \
    X(AtomicUintArray,      "atomics.array", INTEGRAL,  0,  1,  1,  0,      \
      "AtomicUintArray(*, length, width)\n--\n\n"                           \
      "An array of atomic unsigned integers: every operation takes the "    \
      "element's index first.")                                             \
    X(AtomicBytesArray,     "atomics.array", BYTES,     0,  0,  1,  0,      \
      "AtomicBytesArray(*, length, width)\n--\n\n"                          \
      "An array of atomic bytes: every operation takes the element's "      \
      "index first.")

/* The constructors (construct.c). */
#define ATOMICS_DECLARE_NEW(CLS, ...) extern HPyDef CLS##_new;
ATOMICS_FOR_EACH_CLASS(ATOMICS_DECLARE_NEW)
#undef ATOMICS_DECLARE_NEW

#endif /* ATOMICS_CLASSES_H */
