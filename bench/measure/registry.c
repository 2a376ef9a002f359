/* SPDX-License-Identifier: MIT */
/* The expansion of scenario families' parameter grids into named benchmark instances, and the
 * accessors scenarios read their parameters with. The list of families is the commands'
 * (commands/families.c). */
#include "registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "topology.h"
#include "util.h"

/* ---- instance accessors (harness.h) ----------------------------------------------------- */

const char *
bench_name(const struct bench_instance *inst) {
    return inst->name;
}

const char *
bench_impl_name(const struct bench_instance *inst) {
    return inst->impl->name;
}

static const struct bench_kv *
find_kv(const struct bench_instance *inst, const char *key) {
    for (int i = 0; i < inst->nparams; i++)
        if (strcmp(inst->params[i].key, key) == 0)
            return &inst->params[i];
    fprintf(stderr,
            "chanbench: %s: the scenario asked for parameter '%s', which its grid does "
            "not declare\n",
            inst->name, key);
    abort();
}

const char *
bench_param_str(const struct bench_instance *inst, const char *key) {
    return find_kv(inst, key)->value;
}

long
bench_allowed_pus(void) {
    long pus = topo_num_allowed();
    return pus > 0 ? pus : 1;
}

bool
bench_threads_fit(const struct bench_instance *inst, const char *key) {
    return inst->threads_asked || bench_param_int(inst, key) <= 2 * bench_allowed_pus();
}

long long
bench_param_int(const struct bench_instance *inst, const char *key) {
    const struct bench_kv *kv = find_kv(inst, key);
    char *end;
    errno = 0;
    long long v = strtoll(kv->value, &end, 10);
    if (errno != 0 || end == kv->value || *end != '\0') {
        fprintf(stderr, "chanbench: %s: parameter %s=%s is not an integer\n", inst->name, key,
                kv->value);
        abort();
    }
    return v;
}

/* "0", "500ns", "1us", "100us", "2ms", "1s" (a bare number is ns) -> ns; -1 if malformed. */
static int64_t
parse_duration(const char *s) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || v < 0)
        return -1;
    double mult;
    if (*end == '\0' || strcmp(end, "ns") == 0)
        mult = 1;
    else if (strcmp(end, "us") == 0)
        mult = 1e3;
    else if (strcmp(end, "ms") == 0)
        mult = 1e6;
    else if (strcmp(end, "s") == 0)
        mult = 1e9;
    else
        return -1;
    return (int64_t)(v * mult + 0.5);
}

int64_t
bench_param_ns(const struct bench_instance *inst, const char *key) {
    const struct bench_kv *kv = find_kv(inst, key);
    int64_t ns = parse_duration(kv->value);
    if (ns < 0) {
        fprintf(stderr, "chanbench: %s: parameter %s=%s is not a duration\n", inst->name, key,
                kv->value);
        abort();
    }
    return ns;
}

/* ---- expansion -------------------------------------------------------------------------- */

int
registry_thread_count(const char *value) {
    const char *p = value;
    long k = 1;
    if (isdigit((unsigned char)*p)) {
        char *end;
        errno = 0;
        k = strtol(p, &end, 10);
        if (errno != 0 || k < 0 || k > 100000)
            return -1;
        p = end;
        if (*p == '\0')
            return k >= 1 ? (int)k : -1;
    }
    long unit;
    if (strcmp(p, "pus") == 0)
        unit = topo_num_allowed();
    else if (strcmp(p, "cores") == 0)
        unit = topo_num_allowed_cores();
    else
        return -1;
    if (unit < 1)
        unit = 1;
    return k >= 1 ? (int)(k * unit) : -1;
}

/* The values of one parameter after --quick and --threads, as owned strings. */
struct value_list {
    char **v;
    int n;
};

static void
free_values(struct value_list *l) {
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int
push_value(struct value_list *l, const char *s) {
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 0; /* duplicates (2 and "pus" on a 2-PU machine) run once */
    char **nv = realloc(l->v, (size_t)(l->n + 1) * sizeof *nv);
    if (nv == NULL)
        return -1;
    l->v = nv;
    if ((l->v[l->n] = strdup(s)) == NULL)
        return -1;
    l->n++;
    return 0;
}

static int
param_values(const struct bench_family *f, const struct bench_scenario *sc,
             const struct bench_param *p, const struct bench_select *sel, struct value_list *out,
             char *err, size_t errlen) {
    out->v = NULL;
    out->n = 0;
    if (p->kind == BENCH_PARAM_THREADS && sel->threads != NULL) {
        for (int i = 0; i < sel->nthreads; i++) {
            char buf[24];
            snprintf(buf, sizeof buf, "%d", sel->threads[i]);
            if (push_value(out, buf) != 0)
                goto nomem;
        }
        return 0;
    }
    const char *const *src = p->values;
    const char *const first[] = {p->values != NULL ? p->values[0] : NULL, NULL};
    if (sel->quick)
        src = p->quick != NULL ? p->quick : first;
    if (p->values == NULL || p->values[0] == NULL) {
        bench_seterr(err, errlen, "family %s, scenario %s: parameter %s has no values", f->name,
                     sc->name, p->key);
        return -1;
    }
    for (int i = 0; src[i] != NULL; i++) {
        char buf[24];
        const char *v = src[i];
        if (p->kind == BENCH_PARAM_THREADS) {
            int t = registry_thread_count(v);
            if (t < 1) {
                bench_seterr(err, errlen, "family %s, scenario %s: %s=%s is not a thread count",
                             f->name, sc->name, p->key, v);
                free_values(out);
                return -1;
            }
            snprintf(buf, sizeof buf, "%d", t);
            v = buf;
        } else if (p->kind == BENCH_PARAM_DURATION && parse_duration(v) < 0) {
            bench_seterr(err, errlen, "family %s, scenario %s: %s=%s is not a duration", f->name,
                         sc->name, p->key, v);
            free_values(out);
            return -1;
        }
        if (push_value(out, v) != 0)
            goto nomem;
    }
    return 0;
nomem:
    free_values(out);
    bench_seterr(err, errlen, "out of memory");
    return -1;
}

/* Whether --impl selects impl: when given, the impls it names; by default every in-process
 * impl that was built (an executor, or an impl built without, runs only when named; the
 * engine then skips a missing one with its reason). */
static bool
impl_selected(const struct bench_select *sel, const struct bench_impl *impl) {
    if (sel->impls == NULL)
        return !impl->executor && impl->missing == NULL;
    for (int i = 0; i < sel->nimpls; i++)
        if (strcmp(sel->impls[i], impl->name) == 0)
            return true;
    return false;
}

struct instance_vec {
    struct bench_instance *v;
    size_t n, cap;
};

static void
free_instance(struct bench_instance *inst) {
    free(inst->name);
    for (int i = 0; i < inst->nparams; i++)
        free(inst->params[i].value);
}

/* Build the instance for one combination and impl; keep it if valid and selected. */
static int
add_instance(struct instance_vec *vec, const struct bench_family *f,
             const struct bench_scenario *sc, const struct bench_impl *impl,
             const struct value_list *lists, const int *idx, int nparams,
             const struct bench_select *sel) {
    struct bench_instance inst = {.family = f,
                                  .scenario = sc,
                                  .impl = impl,
                                  .nparams = nparams,
                                  .threads_asked = sel->threads != NULL};
    struct names_kv kv[BENCH_MAX_PARAMS];
    for (int i = 0; i < nparams; i++) {
        inst.params[i].key = sc->params[i].key;
        inst.params[i].kind = sc->params[i].kind;
        inst.params[i].value = lists[i].v[idx[i]];
        kv[i] = (struct names_kv){sc->params[i].key, lists[i].v[idx[i]]};
    }
    char name[1024];
    if (names_build(name, sizeof name, f->name, sc->name, kv, nparams, impl->name) >= sizeof name)
        return -1;
    inst.name = name;
    if (sel->filter != NULL && regexec(sel->filter, name, 0, NULL, 0) != 0)
        return 0;
    if (sel->profile_filter != NULL && regexec(sel->profile_filter, name, 0, NULL, 0) != 0)
        return 0;
    if (sc->valid != NULL && !sc->valid(&inst))
        return 0;
    /* Keep it: own the strings. */
    inst.name = strdup(name);
    if (inst.name == NULL)
        return -1;
    for (int i = 0; i < nparams; i++)
        inst.params[i].value = NULL;
    for (int i = 0; i < nparams; i++)
        if ((inst.params[i].value = strdup(lists[i].v[idx[i]])) == NULL) {
            free_instance(&inst);
            return -1;
        }
    if (vec->n == vec->cap) {
        size_t ncap = vec->cap ? vec->cap * 2 : 64;
        struct bench_instance *nv = realloc(vec->v, ncap * sizeof *nv);
        if (nv == NULL) {
            free_instance(&inst);
            return -1;
        }
        vec->v = nv;
        vec->cap = ncap;
    }
    vec->v[vec->n++] = inst;
    return 0;
}

static int
expand_scenario(struct instance_vec *vec, const struct bench_family *f,
                const struct bench_scenario *sc, const struct bench_select *sel, char *err,
                size_t errlen) {
    int nparams = 0;
    while (sc->params != NULL && sc->params[nparams].key != NULL)
        nparams++;
    if (nparams > BENCH_MAX_PARAMS) {
        bench_seterr(err, errlen, "family %s, scenario %s: more than %d parameters", f->name,
                     sc->name, BENCH_MAX_PARAMS);
        return -1;
    }
    if (sc->impls == NULL || sc->impls[0].name == NULL || sc->run == NULL || sc->op == NULL) {
        bench_seterr(err, errlen, "family %s, scenario %s: needs op, run and at least one impl",
                     f->name, sc->name);
        return -1;
    }
    for (const struct bench_impl *im = sc->impls; im->name != NULL; im++)
        if (im->executor && sc->threads == NULL) {
            bench_seterr(err, errlen,
                         "family %s, scenario %s: executor impl %s needs the scenario's threads()",
                         f->name, sc->name, im->name);
            return -1;
        }
    struct value_list lists[BENCH_MAX_PARAMS] = {{0}};
    int rc = 0;
    bool empty = false;
    for (int i = 0; i < nparams; i++) {
        if (param_values(f, sc, &sc->params[i], sel, &lists[i], err, errlen) != 0) {
            rc = -1;
            goto out;
        }
        if (lists[i].n == 0)
            empty = true; /* e.g. left out of --quick */
    }
    if (empty)
        goto out;
    int idx[BENCH_MAX_PARAMS] = {0};
    for (;;) {
        for (const struct bench_impl *im = sc->impls; im->name != NULL; im++) {
            if (!impl_selected(sel, im))
                continue;
            if (add_instance(vec, f, sc, im, lists, idx, nparams, sel) != 0) {
                bench_seterr(err, errlen, "out of memory, or a name over 1023 characters in %s/%s",
                             f->name, sc->name);
                rc = -1;
                goto out;
            }
        }
        /* Next combination: the last parameter varies fastest. */
        int i = nparams - 1;
        while (i >= 0 && ++idx[i] == lists[i].n) {
            idx[i] = 0;
            i--;
        }
        if (i < 0)
            break;
    }
out:
    for (int i = 0; i < nparams; i++)
        free_values(&lists[i]);
    return rc;
}

int
registry_expand(const struct bench_family *const *families, const struct bench_select *sel,
                struct bench_instance **out, size_t *n, char *err, size_t errlen) {
    struct instance_vec vec = {0};
    for (int fi = 0; families[fi] != NULL; fi++) {
        const struct bench_family *f = families[fi];
        for (const struct bench_scenario *sc = f->scenarios; sc != NULL && sc->name != NULL; sc++) {
            if (expand_scenario(&vec, f, sc, sel, err, errlen) != 0) {
                registry_free(vec.v, vec.n);
                return -1;
            }
        }
    }
    *out = vec.v;
    *n = vec.n;
    return 0;
}

void
registry_free(struct bench_instance *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free_instance(&v[i]);
    free(v);
}

bool
registry_has_impl(const struct bench_family *const *families, const char *name) {
    for (int fi = 0; families[fi] != NULL; fi++)
        for (const struct bench_scenario *sc = families[fi]->scenarios;
             sc != NULL && sc->name != NULL; sc++)
            for (const struct bench_impl *im = sc->impls; im != NULL && im->name != NULL; im++)
                if (strcmp(im->name, name) == 0)
                    return true;
    return false;
}

void
registry_impl_names(const struct bench_family *const *families, char *buf, size_t len) {
    const char *seen[64];
    int nseen = 0;
    size_t used = 0;
    buf[0] = '\0';
    for (int fi = 0; families[fi] != NULL; fi++)
        for (const struct bench_scenario *sc = families[fi]->scenarios;
             sc != NULL && sc->name != NULL; sc++)
            for (const struct bench_impl *im = sc->impls; im != NULL && im->name != NULL; im++) {
                bool dup = false;
                for (int k = 0; k < nseen && !dup; k++)
                    dup = strcmp(seen[k], im->name) == 0;
                if (dup || nseen == 64)
                    continue;
                seen[nseen++] = im->name;
                if (used < len)
                    used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                                             im->name);
            }
}
