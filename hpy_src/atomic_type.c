/* SPDX-License-Identifier: MIT */
/*
 * The atomic classes as types: their lifetime (GC traversal, destroy,
 * release of views), their properties, and their specs, which the package
 * turns into classes (`make_type`). Construction is in construct.c, the
 * operations in atomic_ops.c and wait.c; the classes themselves are listed
 * once, in classes.h.
 *
 * One C struct (AtomicObject) is behind three families:
 *
 *   Atomic ............ an atomic with memory of its own, or shared memory
 *                       (atomics.base)
 *   AtomicView ........ works on a buffer export held by an AtomicCore
 *                       (atomics.view)
 *   AtomicArray ....... many atomics of one width (atomics.array)
 *
 * Each single family is Root -> Integral -> Int/Uint and Root -> Bytes. The
 * classes are created when the package asks (`make_type`), because their
 * bases include Python classes: the type tags (ANY, INT, ...) and a mixin
 * with the Python-level conveniences. Those bases have no instance layout,
 * so every class has exactly one struct-defining ancestor and multiple
 * inheritance stays simple on every interpreter.
 */

#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "classes.h"

/* ---- lifetime --------------------------------------------------------- */

int atomics_check_live(HPyContext *ctx, const AtomicObject *self)
{
    if (self->addr != NULL)
        return 1;
    HPyErr_SetString(ctx, ctx->h_ValueError,
                     "Operation forbidden on released AtomicCore object.");
    return 0;
}

HPyDef_SLOT(Atomic_traverse, HPy_tp_traverse)
static int Atomic_traverse_impl(void *self, HPyFunc_visitproc visit, void *arg)
{
    HPy_VISIT(&((AtomicObject *)self)->owner);
    return 0;
}

/* The object no longer has memory: its address goes, and the native path
 * with it, whose cases do not check the address (run_plain). */
static void forget_memory(AtomicObject *data)
{
    data->addr = NULL;
    data->native = ATOMICS_NATIVE_NONE;
}

HPyDef_SLOT(Atomic_destroy, HPy_tp_destroy)
static void Atomic_destroy_impl(void *self)
{
    /* free(NULL) on a second call: see CLASS_SPEC */
    AtomicObject *data = self;
    free(data->owned);
    data->owned = NULL;
    forget_memory(data);
}

/* ---- properties ------------------------------------------------------- */

/* The properties are Python properties (atomics/_classes.py) over this one
 * method: PyPy 7.3.19 loses an exception raised by an HPy getter (the
 * property reads as None), and a released view's properties must raise. */
HPyDef_METH(Atomic_properties, "_properties", HPyFunc_NOARGS,
            .doc = "_properties($self)\n--\n\n"
                   "(width, readonly, signed, ops mask); ValueError once "
                   "released.")
static HPy Atomic_properties_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self;
    HPy items[4];
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    if (!atomics_check_live(ctx, self))
        return HPy_NULL;
    items[0] = HPyLong_FromInt32_t(ctx, self->width);
    items[1] = HPyBool_FromBool(ctx, self->readonly != 0);
    items[2] = HPyBool_FromBool(ctx, self->is_signed != 0);
    items[3] = HPyLong_FromUInt32_t(ctx, self->ops_mask);
    return atomics_tuple_steal(ctx, items, 4);
}

HPyDef_METH(Atomic_owner, "_owner", HPyFunc_NOARGS,
            .doc = "_owner($self)\n--\n\n"
                   "The AtomicCore this object's memory belongs to, or None "
                   "(its own memory).")
static HPy Atomic_owner_impl(HPyContext *ctx, HPy h_self)
{
    AtomicObject *self;
    if (atomics_away())
        return atomics_away_reply(ctx);
    self = AtomicObject_AsStruct(ctx, h_self);
    if (self->owned != NULL)
        return HPy_Dup(ctx, ctx->h_None);
    return HPyField_Load(ctx, h_self, self->owner);
}

/* ---- the classes ------------------------------------------------------ */

/* The most HPyDefs a class lists (checked when listing them). */
#define MAX_DEFINES 80

/* A class: its spec, what it fixes, and the HPyDefs it lists (made once,
 * by make_type, from the op table and the class's kind). */
typedef struct {
    HPyType_Spec spec;
    atomics_class_config_t config;
    HPyDef *new_def;
    HPyDef *defines[MAX_DEFINES];
} class_t;

/* Every class states the struct size: PyPy does not inherit it from an HPy
 * base, and would allocate no struct for a subclass that says 0. */
#define CLASS(CLS, MODULE, KIND, SIGNED, INTEGRAL, ARRAY, VIEW, DOC)        \
    {.spec = {.name = MODULE "." #CLS,                                      \
              .basicsize = (int)sizeof(AtomicObject),                       \
              .builtin_shape = SHAPE(AtomicObject),                         \
              .flags = HPy_TPFLAGS_DEFAULT | HPy_TPFLAGS_HAVE_GC |          \
                       HPy_TPFLAGS_BASETYPE,                                \
              .doc = DOC},                                                  \
     .config = ATOMICS_CLASS_CONFIG(KIND, SIGNED, INTEGRAL, ARRAY, VIEW),   \
     .new_def = &CLS##_new},
static class_t classes[] = {ATOMICS_FOR_EACH_CLASS(CLASS)};

static HPyDef **append(HPyDef **out, HPyDef *const *defs)
{
    while (*defs != NULL)
        *out++ = *defs++;
    return out;
}

/*
 * What a class lists: its constructor, and its GC traversal and destroy,
 * which PyPy 7.3.19 does not inherit from an HPy base (it would never free
 * an owned atomic's memory; CPython's HPy runs the destroy of every class
 * in the MRO, so destroy must be idempotent); then the properties (root
 * classes, ANY) or the operations of its kind and the rest.
 *
 * Every concrete class lists its operations itself, instead of inheriting
 * them: CPython 3.11 specializes a method call only when the object's type
 * is exactly the type that defines the method, and the unspecialized call
 * costs as much as the atomic operation.
 */
static void list_methods(class_t *cls)
{
    static HPyDef *const root[] = {&Atomic_properties, &Atomic_owner, NULL};
    static HPyDef *const waits[] = {&Atomic_wait_slice, &Atomic_notify_one,
                                    &Atomic_notify_all, NULL};
    static HPyDef *const array_waits[] = {&Array_wait_slice,
                                          &Array_notify_one,
                                          &Array_notify_all, NULL};
    const atomics_class_config_t *config = &cls->config;
    HPyDef **out = cls->defines;
    *out++ = cls->new_def;
    *out++ = &Atomic_traverse;
    *out++ = &Atomic_destroy;
    if (config->kind == ATOMICS_KIND_ANY) {
        out = append(out, root);
    } else {
        out = atomics_list_op_methods(out, (atomics_kind_t)config->kind,
                                      config->is_array);
        if (!config->is_array)
            *out++ = config->kind == ATOMICS_KIND_INTEGRAL ? &Atomic_int
                                                           : &Atomic_bytes;
        /* GraalPy 24's other threads: integer operations only (away.c) */
        if (config->kind == ATOMICS_KIND_INTEGRAL)
            *out++ = config->is_array ? &Array_away : &Atomic_away;
        out = append(out, config->is_array ? array_waits : waits);
    }
    if (config->is_array)
        *out++ = &Array_len;
    *out = NULL;
    if (out >= cls->defines + MAX_DEFINES)
        abort(); /* overflowed: raise MAX_DEFINES */
    cls->spec.defines = cls->defines;
}

/* The roots of the classes whose objects can be released (views, arrays),
 * kept to check what `release_view` is given. */
HPyGlobal atomics_view_root;
HPyGlobal atomics_array_root;

HPyDef_METH(atomics_make_type, "make_type", HPyFunc_VARARGS,
            .doc = "make_type(qualified_name, bases)\n--\n\n"
                   "Create one of the atomic classes (internal).")
static HPy atomics_make_type_impl(HPyContext *ctx, HPy module,
                                  const HPy *args, size_t nargs)
{
    const char *name;
    size_t i;
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    if (nargs != 2) {
        HPyErr_SetString(ctx, ctx->h_TypeError,
                         "make_type() takes exactly 2 arguments");
        return HPy_NULL;
    }
    name = HPyUnicode_AsUTF8AndSize(ctx, args[0], NULL);
    if (name == NULL)
        return HPy_NULL;
    for (i = 0; i < sizeof classes / sizeof classes[0]; ++i) {
        class_t *cls = &classes[i];
        if (strcmp(name, cls->spec.name) == 0) {
            HPyType_SpecParam spec_params[] = {
                {HPyType_SpecParam_BasesTuple, args[1]},
                {(HPyType_SpecParam_Kind)0, HPy_NULL},
            };
            HPy type;
            if (cls->spec.defines == NULL)
                list_methods(cls);
            type = HPyType_FromSpec(ctx, &cls->spec, spec_params);
            if (HPy_IsNull(type) || cls->config.kind != ATOMICS_KIND_ANY)
                return type;
            /* the roots of the classes whose objects are released */
            if (cls->new_def == &AtomicView_new)
                HPyGlobal_Store(ctx, &atomics_view_root, type);
            if (cls->new_def == &AtomicArray_new)
                HPyGlobal_Store(ctx, &atomics_array_root, type);
            return type;
        }
    }
    HPyErr_SetString(ctx, ctx->h_ValueError, "unknown atomic class");
    return HPy_NULL;
}

HPyDef_METH(atomics_release_view, "release_view", HPyFunc_O,
            .doc = "release_view(view)\n--\n\n"
                   "Detach a view from its memory; every later use raises "
                   "ValueError (internal).")
static HPy atomics_release_view_impl(HPyContext *ctx, HPy module, HPy view)
{
    HPy view_root;
    HPy array_root;
    int is_view;
    AtomicObject *data;
    (void)module;
    if (atomics_away())
        return HPy_NULL;
    view_root = HPyGlobal_Load(ctx, atomics_view_root);
    array_root = HPyGlobal_Load(ctx, atomics_array_root);
    is_view = (!HPy_Is(ctx, view_root, ctx->h_None) &&
               HPy_TypeCheck(ctx, view, view_root)) ||
              (!HPy_Is(ctx, array_root, ctx->h_None) &&
               HPy_TypeCheck(ctx, view, array_root));
    HPy_Close(ctx, view_root);
    HPy_Close(ctx, array_root);
    if (!is_view) {
        HPyErr_SetString(ctx, ctx->h_TypeError, "release_view() needs a view");
        return HPy_NULL;
    }
    data = AtomicObject_AsStruct(ctx, view);
    forget_memory(data); /* the owner (already released) goes with the view */
    return HPy_Dup(ctx, ctx->h_None);
}
