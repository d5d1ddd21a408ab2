/* SPDX-License-Identifier: MIT */
/*
 * Argument parsing for the atomic methods.
 *
 * HPyArg_ParseKeywords matches keyword names by decoding and comparing
 * strings on every call, which costs ten times an atomic op. A call site
 * passes the same (constant, interned) kwnames tuple every time, so each
 * method remembers the last tuple it saw and how its names map to parameters:
 * a repeated keyword call then costs one identity check.
 */

#include <stdio.h>
#include <string.h>

#include "atomic.h"

atomics_kwcache_t atomics_kwcaches[ATOMICS_PARAMS_COUNT];

static int kw_error(HPyContext *ctx, const char *method, const char *fmt,
                    const char *what)
{
    char buf[200];
    snprintf(buf, sizeof buf, fmt, method, what);
    HPyErr_SetString(ctx, ctx->h_TypeError, buf);
    return -1;
}

/* Work out which parameter each keyword names, and cache the answer. */
static int map_keywords(HPyContext *ctx, const atomics_params_t *params,
                        const char *method, HPy kwnames, HPy_ssize_t nkw)
{
    int8_t map[4] = {-1, -1, -1, -1};
    HPy_ssize_t k;
    if (nkw > params->count)
        return kw_error(ctx, method, "%s() got too many keyword arguments%s",
                        "");
    for (k = 0; k < nkw; ++k) {
        HPy name = HPy_GetItem_i(ctx, kwnames, k);
        const char *utf8;
        int j;
        if (HPy_IsNull(name))
            return -1;
        utf8 = HPyUnicode_AsUTF8AndSize(ctx, name, NULL);
        if (utf8 == NULL) {
            HPy_Close(ctx, name);
            return -1;
        }
        for (j = 0; j < params->count; ++j)
            if (strcmp(utf8, params->names[j]) == 0)
                break;
        if (j == params->count) {
            kw_error(ctx, method,
                     "%s() got an unexpected keyword argument '%.50s'", utf8);
            HPy_Close(ctx, name);
            return -1;
        }
        HPy_Close(ctx, name);
        map[k] = (int8_t)j;
    }
    memcpy(params->kwcache->map, map, sizeof map);
    params->kwcache->count = (int8_t)nkw;
    params->kwcache->operands_from = -1;
    if (nkw > 0 && map[nkw - 1] == params->required - 1) {
        for (k = 1; k < nkw && map[k] == map[k - 1] + 1; ++k)
            ;
        if (k == nkw)
            params->kwcache->operands_from = map[0];
    }
    HPyGlobal_Store(ctx, &params->kwcache->kwnames, kwnames);
    return 0;
}

int atomics_parse_args(HPyContext *ctx, const atomics_params_t *params,
                       const char *method, const HPy *args, size_t nargs,
                       HPy kwnames, HPy *out)
{
    int i;
    if (nargs > (size_t)params->count) {
        char buf[120];
        snprintf(buf, sizeof buf, "%s() takes at most %d arguments (%zu given)",
                 method, params->count, nargs);
        HPyErr_SetString(ctx, ctx->h_TypeError, buf);
        return -1;
    }
    for (i = 0; i < params->count; ++i)
        out[i] = (size_t)i < nargs ? args[i] : HPy_NULL;

    if (!HPy_IsNull(kwnames)) {
        HPy cached = HPyGlobal_Load(ctx, params->kwcache->kwnames);
        int hit = HPy_Is(ctx, cached, kwnames);
        HPy_ssize_t nkw, k;
        HPy_Close(ctx, cached);
        if (hit) {
            nkw = params->kwcache->count;
        } else {
            nkw = HPy_Length(ctx, kwnames);
            if (map_keywords(ctx, params, method, kwnames, nkw) < 0)
                return -1;
        }
        for (k = 0; k < nkw; ++k) {
            int j = params->kwcache->map[k];
            if (!HPy_IsNull(out[j]))
                return kw_error(ctx, method,
                                "%s() got multiple values for argument '%s'",
                                params->names[j]);
            out[j] = args[nargs + (size_t)k];
        }
    }
    for (i = 0; i < params->required; ++i)
        if (HPy_IsNull(out[i]))
            return kw_error(ctx, method,
                            "%s() missing required argument '%s'",
                            params->names[i]);
    return 0;
}

int atomics_operands_only(HPyContext *ctx, const atomics_params_t *params,
                          size_t nargs, HPy kwnames)
{
    const atomics_kwcache_t *cache = params->kwcache;
    HPy cached;
    int hit;
    if (cache->count == 0 || cache->operands_from != (int)nargs)
        return 0;
    cached = HPyGlobal_Load(ctx, cache->kwnames);
    hit = HPy_Is(ctx, cached, kwnames);
    HPy_Close(ctx, cached);
    return hit;
}

int atomics_parse_order(HPyContext *ctx, HPy arg)
{
    HPy cls;
    int is_order;
    int32_t value;
    if (HPy_IsNull(arg))
        return patomic_SEQ_CST;
    cls = HPyGlobal_Load(ctx, atomics_hooks[ATOMICS_HOOK_MEMORY_ORDER]);
    is_order = HPy_TypeCheck(ctx, arg, cls);
    HPy_Close(ctx, cls);
    if (!is_order)
        return atomics_raise_operand_type(
            ctx, arg, "a memory order (a MemoryOrder member is required)");
    value = HPyLong_AsInt32_t(ctx, arg);
    if (value == -1 && HPyErr_Occurred(ctx))
        return -1;
    return value;
}

/* tp_new's keywords as a dict (CPython's hpy.universal). */
static int new_kwargs_from_dict(HPyContext *ctx, HPy kw,
                                const char *const *names, int count,
                                HPy *out)
{
    HPy_ssize_t found = 0;
    int j;
    for (j = 0; j < count; ++j) {
        out[j] = HPy_GetItem_s(ctx, kw, names[j]);
        if (!HPy_IsNull(out[j])) {
            ++found;
        } else if (HPyErr_ExceptionMatches(ctx, ctx->h_KeyError)) {
            HPyErr_Clear(ctx);
        } else {
            return -1;
        }
    }
    return found == HPy_Length(ctx, kw) ? 0 : 1;
}

/* tp_new's keywords vectorcall-style (PyPy): names in a tuple, values after
 * the positional arguments. */
static int new_kwargs_from_names(HPyContext *ctx, const HPy *args,
                                 HPy_ssize_t nargs, HPy kwnames,
                                 const char *const *names, int count,
                                 HPy *out)
{
    HPy_ssize_t k, nkw = HPy_Length(ctx, kwnames);
    for (k = 0; k < nkw; ++k) {
        HPy name = HPy_GetItem_i(ctx, kwnames, k);
        const char *utf8 = HPy_IsNull(name)
                               ? NULL
                               : HPyUnicode_AsUTF8AndSize(ctx, name, NULL);
        int j;
        if (utf8 == NULL) {
            if (!HPy_IsNull(name))
                HPy_Close(ctx, name);
            return -1;
        }
        for (j = 0; j < count && strcmp(utf8, names[j]) != 0; ++j)
            ;
        HPy_Close(ctx, name);
        if (j == count || !HPy_IsNull(out[j]))
            return 1;
        out[j] = HPy_Dup(ctx, args[nargs + k]);
    }
    return 0;
}

int atomics_new_kwargs(HPyContext *ctx, HPy cls, const HPy *args,
                       HPy_ssize_t nargs, HPy kw, const char *const *names,
                       int count, HPy *out)
{
    int j, rc;
    for (j = 0; j < count; ++j)
        out[j] = HPy_NULL;
    if (HPy_IsNull(kw))
        return 0;
    if (HPyDict_Check(ctx, kw))
        rc = new_kwargs_from_dict(ctx, kw, names, count, out);
    else
        rc = new_kwargs_from_names(ctx, args, nargs, kw, names, count, out);
    if (rc == 0)
        return 0;
    for (j = 0; j < count; ++j) {
        if (!HPy_IsNull(out[j]))
            HPy_Close(ctx, out[j]);
        out[j] = HPy_NULL;
    }
    if (rc > 0) {
        char name[100];
        atomics_type_name(ctx, cls, name, sizeof name);
        HPyErr_Format(ctx, ctx->h_TypeError,
                      "%s() got an unexpected keyword argument", name);
    }
    return -1;
}
