/* SPDX-License-Identifier: MIT */
#ifndef ATOMICS_CLASSES_H
#define ATOMICS_CLASSES_H

/*
 * Every atomic class, once:
 *
 *   X(class, module, constructor, kind, signed, integral, array, doc)
 *
 * `constructor` is the family's (construct.c): `owned` classes take their
 * size as keywords, `view` classes take the memory of a buffer. `signed`
 * and `integral` are what the class fixes, or -1 for "a constructor
 * argument"; `array` says whether it has elements (and takes `length`).
 * The kind and `array` decide the methods (atomic_type.c). construct.c
 * expands the table into constructors, atomic_type.c into type specs.
 */

/** What a class fixes about its instances; -1 means "from the arguments". */
typedef struct {
    uint8_t kind;       /* atomics_kind_t */
    int8_t is_signed;
    int8_t is_integral;
    uint8_t is_array;   /* takes `length` and has elements */
} atomics_class_config_t;

#define ATOMICS_CLASS_CONFIG(KIND, SIGNED, INTEGRAL, ARRAY)                 \
    {ATOMICS_KIND_##KIND, SIGNED, INTEGRAL, ARRAY}
#define ATOMICS_FOR_EACH_CLASS(X)                                           \
/*  class               module           ctor   kind      sgn int arr    */ \
    X(Atomic,           "atomics.base",  owned, ANY,      -1, -1, 0,        \
      "Atomic(*, width, is_integral, is_signed)\n--\n\n"                    \
      "An atomic object with its own memory, exposing no operations "       \
      "(only properties).")                                                 \
    X(AtomicIntegral,   "atomics.base",  owned, INTEGRAL, -1,  1, 0,        \
      "AtomicIntegral(*, width, is_signed)\n--\n\n"                         \
      "An atomic integer with its own memory.")                             \
    X(AtomicBytes,      "atomics.base",  owned, BYTES,     0,  0, 0,        \
      "AtomicBytes(*, width)\n--\n\n"                                       \
      "Atomic bytes with their own memory.")                                \
    X(AtomicInt,        "atomics.base",  owned, INTEGRAL,  1,  1, 0,        \
      "AtomicInt(*, width)\n--\n\n"                                         \
      "An atomic signed integer with its own memory.")                      \
    X(AtomicUint,       "atomics.base",  owned, INTEGRAL,  0,  1, 0,        \
      "AtomicUint(*, width)\n--\n\n"                                        \
      "An atomic unsigned integer with its own memory.")                    \
    X(AtomicView,       "atomics.view",  view,  ANY,      -1, -1, 0,        \
      "AtomicView(core)\n--\n\n"                                            \
      "An atomic view of a buffer, exposing no operations. Obtained "       \
      "from an AtomicViewContext.")                                         \
    X(AtomicIntegralView, "atomics.view", view, INTEGRAL, -1,  1, 0,        \
      "AtomicIntegralView(core)\n--\n\n"                                    \
      "An atomic integer view of a buffer.")                                \
    X(AtomicBytesView,  "atomics.view",  view,  BYTES,     0,  0, 0,        \
      "AtomicBytesView(core)\n--\n\n"                                       \
      "An atomic bytes view of a buffer.")                                  \
    X(AtomicIntView,    "atomics.view",  view,  INTEGRAL,  1,  1, 0,        \
      "AtomicIntView(core)\n--\n\n"                                         \
      "An atomic signed integer view of a buffer.")                         \
    X(AtomicUintView,   "atomics.view",  view,  INTEGRAL,  0,  1, 0,        \
      "AtomicUintView(core)\n--\n\n"                                        \
      "An atomic unsigned integer view of a buffer.")                       \
    X(AtomicArray,      "atomics.array", owned, ANY,      -1, -1, 1,        \
      "AtomicArray(*, length, width, is_integral, is_signed)\n--\n\n"       \
      "An array of atomics, exposing no operations.")                       \
    X(AtomicIntArray,   "atomics.array", owned, INTEGRAL,  1,  1, 1,        \
      "AtomicIntArray(*, length, width)\n--\n\n"                            \
      "An array of atomic signed integers: every operation takes the "      \
      "element's index first.")                                             \
    X(AtomicUintArray,  "atomics.array", owned, INTEGRAL,  0,  1, 1,        \
      "AtomicUintArray(*, length, width)\n--\n\n"                           \
      "An array of atomic unsigned integers: every operation takes the "    \
      "element's index first.")                                             \
    X(AtomicBytesArray, "atomics.array", owned, BYTES,     0,  0, 1,        \
      "AtomicBytesArray(*, length, width)\n--\n\n"                          \
      "An array of atomic bytes: every operation takes the element's "      \
      "index first.")

/* The constructors (construct.c). */
#define ATOMICS_DECLARE_NEW(CLS, ...) extern HPyDef CLS##_new;
ATOMICS_FOR_EACH_CLASS(ATOMICS_DECLARE_NEW)
#undef ATOMICS_DECLARE_NEW

#endif /* ATOMICS_CLASSES_H */
