/* SPDX-License-Identifier: MIT */
/* The charts of `chanbench plot` that take several results files (plot_charts.h): scaling
 * (the files of one machine) and cross_machine (every file against the first). The charts of
 * one file are in plot_charts.c; writing and drawing in plot_draw.c. */
#include "plot_charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "textable.h"

/* scaling: files of one machine; a line per implementation and pin policy. */
bool
plot_build_scaling(struct chart *c, struct result_file *files, const size_t *idx, size_t n,
                   const char **labels, const char **why) {
    struct plot_pick cap = {.want = 1024}, size = {.want = 8}, cs = {.want = 0};
    bool mpmc = false;
    for (size_t k = 0; k < n; k++) {
        const struct result_file *f = &files[idx[k]];
        for (size_t i = 0; i < f->nbenches; i++) {
            const struct result_bench *b = &f->benches[i];
            if (names_in(b->name, "chan/mpmc/") && plot_param(b, "prod") == plot_param(b, "cons")) {
                mpmc = true;
                plot_pick_see(&cap, plot_param(b, "cap"));
                plot_pick_see(&size, plot_param(b, "size"));
            } else if (names_in(b->name, "lock/mutex/")) {
                plot_pick_see(&cs, plot_param(b, "cs"));
            }
        }
    }
    if (!mpmc && !cs.any) {
        *why = "no chan/mpmc or lock/mutex rows";
        return false;
    }
    double cp = plot_pick_get(&cap, true), sz = plot_pick_get(&size, false),
           csv = plot_pick_get(&cs, false);
    c->t[0] = stab_new(1);
    c->xname[0] = "threads";
    for (size_t k = 0; k < n; k++) {
        const struct result_file *f = &files[idx[k]];
        const char *pin = results_context_str(f, "pin_policy");
        /* the same pin policy in two files of this machine: tell them apart by file */
        bool dup = false;
        for (size_t j = 0; j < n; j++) {
            const char *pj = results_context_str(&files[idx[j]], "pin_policy");
            dup |= j != k && pin != NULL && pj != NULL && strcmp(pin, pj) == 0;
        }
        for (size_t i = 0; i < f->nbenches; i++) {
            const struct result_bench *b = &f->benches[i];
            char cb[64];
            double t;
            if (strcmp(plot_impl_of(b, cb, sizeof cb), "goc.control") == 0)
                continue; /* the A/A control: libgoc again, a second goc line */
            if (mpmc) {
                if (!names_in(b->name, "chan/mpmc/") ||
                    plot_param(b, "prod") != plot_param(b, "cons") || plot_param(b, "cap") != cp ||
                    plot_param(b, "size") != sz)
                    continue;
                t = plot_param(b, "prod") + plot_param(b, "cons");
            } else {
                if (!names_in(b->name, "lock/mutex/") || plot_param(b, "cs") != csv)
                    continue;
                t = plot_param(b, "threads");
            }
            char ib[64], sn[256];
            if (dup)
                snprintf(sn, sizeof sn, "%s, pin %s (%s)", plot_impl_of(b, ib, sizeof ib),
                         pin ? pin : "?", labels[idx[k]]);
            else
                snprintf(sn, sizeof sn, "%s, pin %s", plot_impl_of(b, ib, sizeof ib),
                         pin ? pin : "?");
            double v = 1e9 / plot_med_real(b);
            stab_set(c->t[0], t, NULL, sn, &v);
        }
    }
    if (mpmc) {
        c->subtitle = tx_fmt("chan/mpmc, as many producers as consumers, capacity %g, %g-byte "
                             "elements; threads = producers + consumers",
                             cp, sz);
        c->columns = tx_strdup("threads, then messages per second per implementation and pin "
                               "policy");
    } else {
        c->subtitle = tx_fmt("lock/mutex, critical section %g ns (no chan/mpmc rows)", csv);
        c->columns = tx_strdup("threads, then lock+unlock operations per second per "
                               "implementation and pin policy");
    }
    return true;
}

/* cross_machine: per family/scenario and implementation, the geometric mean over the common
 * benchmarks of each file's median divided by the first file's. */
bool
plot_build_cross(struct chart *c, struct result_file *files, size_t nf, const char **labels,
                 const char **why) {
    char mb[256];
    c->t[0] = stab_new(1);
    c->xname[0] = "group";
    const struct result_file *base = &files[0];
    for (size_t f = 1; f < nf; f++) {
        char sn[384];
        snprintf(sn, sizeof sn, "%s: %s", labels[f], plot_machine_of(&files[f], mb, sizeof mb));
        /* Group order follows the base file; groups are accumulated in a json object. */
        json_t *acc = json_object();
        json_t *order = json_array();
        for (size_t i = 0; i < base->nbenches; i++) {
            const struct result_bench *a = &base->benches[i];
            const struct result_bench *b = results_find(&files[f], a->name);
            double ma = plot_med_real(a), mbv;
            if (b == NULL || !(ma > 0) || !((mbv = plot_med_real(b)) > 0))
                continue;
            char fam[64], scen[64], ib[64], g[256];
            names_segment(a->name, 0, fam, sizeof fam);
            if (!names_segment(a->name, 1, scen, sizeof scen) || strchr(scen, '=') != NULL)
                scen[0] = '\0';
            bool has_impl = names_param(a->name, "impl", ib, sizeof ib);
            snprintf(g, sizeof g, "%s%s%s%s%s", fam, scen[0] ? "/" : "", scen, has_impl ? " " : "",
                     has_impl ? ib : "");
            json_t *e = json_object_get(acc, g);
            if (e == NULL) {
                e = json_pack("[f, i]", 0.0, (json_int_t)0);
                json_object_set_new(acc, g, e);
                json_array_append_new(order, json_string(g));
            }
            json_array_set_new(e, 0,
                               json_real(json_real_value(json_array_get(e, 0)) + log(mbv / ma)));
            json_array_set_new(e, 1, json_integer(json_integer_value(json_array_get(e, 1)) + 1));
        }
        size_t k;
        json_t *gname;
        json_array_foreach(order, k, gname) {
            json_t *e = json_object_get(acc, json_string_value(gname));
            double v = exp(json_real_value(json_array_get(e, 0)) /
                           (double)json_integer_value(json_array_get(e, 1)));
            stab_set(c->t[0], NAN, json_string_value(gname), sn, &v);
        }
        json_decref(acc);
        json_decref(order);
    }
    if (stab_points(c->t[0]) == 0) {
        *why = "no benchmark in common with the first file";
        return false;
    }
    c->subtitle = tx_fmt("geometric mean of median ratios against %s: %s; below 1: faster",
                         labels[0], plot_machine_of(base, mb, sizeof mb));
    c->columns = tx_strdup("family/scenario and implementation, then per file the geometric mean "
                           "ratio of its medians to the first file's");
    return true;
}
