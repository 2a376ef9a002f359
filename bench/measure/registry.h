/* SPDX-License-Identifier: MIT */
/* The expansion of families' grids into named benchmark instances, selected by the run
 * options. Harness-internal: scenarios use harness.h. */
#ifndef BENCH_REGISTRY_H
#define BENCH_REGISTRY_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define BENCH_MAX_PARAMS 12

/* One key=value of a name. value is owned by the instance. */
struct bench_kv {
    const char *key;
    enum bench_param_kind kind;
    char *value;
};

struct bench_instance {
    char *name; /* family/scenario/key=value/.../impl=NAME (owned) */
    const struct bench_family *family;
    const struct bench_scenario *scenario;
    const struct bench_impl *impl;
    int nparams;
    struct bench_kv params[BENCH_MAX_PARAMS];
    bool threads_asked; /* thread counts from --threads, not the grid */
};

/* What to expand. filter NULL keeps every name, and so does profile_filter (a name must match
 * both); threads NULL keeps the grids' thread counts; impls NULL keeps every in-process impl
 * (executor impls only when named). */
struct bench_select {
    const regex_t *filter;
    const regex_t *profile_filter;
    bool quick;
    const int *threads;
    int nthreads;
    char *const *impls;
    int nimpls;
};

/* Expand every family's grid (resolving symbolic thread counts through topology.h) into
 * *out (an array of *n instances, owned: registry_free). Returns 0, or -1 with err set when a
 * grid is malformed (a programming error in a family file) or memory runs out. An empty
 * selection is not an error here (*n is 0). */
int registry_expand(const struct bench_family *const *families, const struct bench_select *sel,
                    struct bench_instance **out, size_t *n, char *err, size_t errlen);
void registry_free(struct bench_instance *v, size_t n);

/* True when some scenario of families offers impl name. */
bool registry_has_impl(const struct bench_family *const *families, const char *name);

/* Every impl name of families, comma-separated, into buf (for error messages). */
void registry_impl_names(const struct bench_family *const *families, char *buf, size_t len);

/* Resolve one thread-count value ("4", "pus", "2pus", "cores") to a count; -1 if malformed. */
int registry_thread_count(const char *value);

#endif
