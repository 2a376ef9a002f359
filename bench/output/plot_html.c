/* SPDX-License-Identifier: MIT */
/* The page of `chanbench plot` (plot_html.h): DIR/index.html with every chart drawn, inline,
 * and each results file's machine header and paired ratios, as console.c prints them. Nothing
 * in it is fetched: no script, stylesheet, font or image from elsewhere. */
#define _GNU_SOURCE /* open_memstream */
#include "plot_html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_table.h"
#include "report.h"
#include "textable.h"

/* The first line of each chart's title, as scripts/<script>.gp sets it. */
static const struct {
    const char *script, *title;
} chart_titles[] = {
    {"chan_capacity", "Channel throughput against capacity"},
    {"select_latency", "Select fan-in latency percentiles"},
    {"locks", "Mutex, rwmutex, pthread and spin locks"},
    {"layout", "Concurrent vs parallel layouts"},
    {"cancel", "Cancellation latency"},
    {"c2c_heatmap", "Core-to-core latency"},
    {"forest", "Paired ratios, goc against each implementation"},
    {"drift", "The run over time"},
    {"scaling", "Scaling with threads, per pin policy"},
    {"cross_machine", "Across machines: time per operation relative to the first file"},
};

static const char *
title_of(const char *script) {
    for (size_t i = 0; i < sizeof chart_titles / sizeof chart_titles[0]; i++)
        if (strcmp(chart_titles[i].script, script) == 0)
            return chart_titles[i].title;
    return script;
}

/* Inline, plain and readable: the charts scale to the page, wide tables scroll on their own. */
static const char page_css[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;"
    "background:#fafafa;margin:0}\n"
    "main{max-width:1240px;margin:0 auto;padding:16px 24px 48px}\n"
    "h1{font-size:1.6em;margin:.4em 0 .2em}h2{font-size:1.3em;margin:1.6em 0 .4em;"
    "border-bottom:1px solid #ccc;padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .3em}\n"
    "p.note{color:#555;margin:.3em 0}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;background:#fff;font-size:.93em}\n"
    "th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}\n"
    "table.kv th{background:#f0f0f0;white-space:nowrap;font-weight:600}\n"
    "table.kv td{overflow-wrap:anywhere}\n"
    "table.paired th{background:#f0f0f0}\n"
    "table.paired td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "table.paired td.name{font-family:ui-monospace,monospace;white-space:nowrap}\n"
    "td.faster{color:#117a5c}td.slower{color:#b34700}td.same{color:#777}\n"
    "td small{display:block;color:#888;font-size:.82em}td.control{background:#f6f5fb}\n"
    "details{margin:.6em 0}summary{cursor:pointer;color:#2a5db0}\n"
    "code{font-family:ui-monospace,monospace;font-size:.92em;overflow-wrap:anywhere}\n"
    "ul.toc{columns:2;padding-left:1.2em}\n"
    "figure{margin:1.2em 0 2em;background:#fff;border:1px solid #ddd;padding:10px}\n"
    "div.chart{margin:0 auto}figure svg{display:block;width:100%;height:auto}\n"
    /* the heatmap is a few pixels wide, one per PU: cells, not a blur */
    "figure svg image{image-rendering:pixelated}\n"
    "figcaption{margin-top:6px;color:#444}figcaption b{color:#222}\n"
    "figcaption a{color:#2a5db0}\n";

/* A ratio or a bound, to three places where that is readable: an interval's 1.005 must not
 * read 1. */
static void
put_num(FILE *o, double x) {
    if (!isfinite(x))
        fputs("-", o);
    else if (x >= 0.1 && x < 100)
        fprintf(o, "%.3f", x);
    else
        fprintf(o, "%.3g", x);
}

/* s with & < > " ' as entities: safe in text and in quoted attributes. */
static void
put_esc(FILE *o, const char *s) {
    for (; s != NULL && *s; s++)
        switch (*s) {
        case '&':
            fputs("&amp;", o);
            break;
        case '<':
            fputs("&lt;", o);
            break;
        case '>':
            fputs("&gt;", o);
            break;
        case '"':
            fputs("&quot;", o);
            break;
        case '\'':
            fputs("&#39;", o);
            break;
        default:
            fputc(*s, o);
        }
}

static const char *
ctx_str(const struct result_file *f, const char *key) {
    return results_context_str(f, key);
}

/* A header row: "<tr><th>key</th><td>" then the caller's cells, closed by row_end. */
static void
row_start(FILE *o, const char *key) {
    fprintf(o, "<tr><th>%s</th><td>", key);
}

static void
row_end(FILE *o) {
    fputs("</td></tr>\n", o);
}

static void
row_str(FILE *o, const char *key, const char *value) {
    if (value == NULL || value[0] == '\0')
        return;
    row_start(o, key);
    put_esc(o, value);
    row_end(o);
}

static long long
int_of(json_t *obj, const char *key, long long dflt) {
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

/* The machine: CPU, PUs and cores, virtualised or not (console.c's first header line). */
static void
machine_rows(FILE *o, const struct result_file *f) {
    row_str(o, "CPU", ctx_str(f, "cpu_model"));
    json_t *topo = json_object_get(f->chanbench, "topology");
    if (json_is_object(topo)) {
        long long pus = int_of(topo, "pus", -1), cores = int_of(topo, "cores", -1),
                  pk = int_of(topo, "packages", -1), numa = int_of(topo, "numa_nodes", -1);
        const char *allowed = json_string_value(json_object_get(topo, "allowed_cpus"));
        row_start(o, "cores / PUs");
        if (pus >= 0)
            fprintf(o, "%lld PUs", pus);
        if (allowed != NULL) {
            fputs(", allowed ", o);
            put_esc(o, allowed);
        }
        if (cores >= 0)
            fprintf(o, "; %lld cores", cores);
        if (pk >= 0)
            fprintf(o, ", %lld package%s", pk, pk == 1 ? "" : "s");
        if (numa >= 0)
            fprintf(o, ", %lld NUMA node%s", numa, numa == 1 ? "" : "s");
        json_t *smt = json_object_get(topo, "smt");
        if (json_is_boolean(smt))
            fprintf(o, ", SMT %s", json_is_true(smt) ? "on" : "off");
        row_end(o);
        json_t *virt = json_object_get(topo, "virtualized");
        if (json_is_boolean(virt)) {
            const char *hv = json_string_value(json_object_get(topo, "hypervisor"));
            row_start(o, "virtualised");
            fputs(json_is_true(virt) ? "yes" : "no (bare metal)", o);
            if (json_is_true(virt) && hv != NULL && hv[0] != '\0') {
                fputs(", ", o);
                put_esc(o, hv);
            }
            row_end(o);
        }
    } else if (json_is_integer(json_object_get(f->context, "num_cpus"))) {
        row_start(o, "cores / PUs");
        fprintf(o, "%lld CPUs", int_of(f->context, "num_cpus", 0));
        row_end(o);
    }
    row_str(o, "kernel", ctx_str(f, "kernel"));
}

/* The build: commit, build type, compiler, allocator, sanitizer (console.c's second line). */
static void
build_rows(FILE *o, const struct result_file *f) {
    row_str(o, "commit", ctx_str(f, "git_commit"));
    const char *keys[] = {"build_type", "compiler", "allocator", "sanitizer"};
    const char *names[] = {"", "", "allocator ", "sanitizer "};
    bool any = false;
    for (size_t k = 0; k < 4; k++) {
        const char *v = ctx_str(f, keys[k]);
        if (v == NULL || v[0] == '\0')
            continue;
        if (!any)
            row_start(o, "build");
        fputs(any ? ", " : "", o);
        fputs(names[k], o);
        put_esc(o, v);
        any = true;
    }
    if (any)
        row_end(o);
}

/* The run: rounds, order, seed, pin policy, and whether it was interrupted. */
static void
run_rows(FILE *o, const struct result_file *f) {
    json_t *cb = f->chanbench;
    json_t *rounds = json_object_get(cb, "rounds");
    row_start(o, "run");
    if (json_is_object(rounds))
        fprintf(o, "%lld of %lld %s rounds, %lld chunks", int_of(rounds, "completed", 0),
                int_of(rounds, "asked", 0),
                json_is_false(json_object_get(rounds, "interleaved")) ? "blocked" : "interleaved",
                int_of(rounds, "chunks", 0));
    else
        fputs("no rounds (a file from before rounds)", o);
    if (json_is_integer(json_object_get(cb, "seed")))
        fprintf(o, ", seed %lld", int_of(cb, "seed", 0));
    const char *pin = ctx_str(f, "pin_policy");
    if (pin != NULL) {
        fputs(", pin ", o);
        put_esc(o, pin);
    }
    if (!f->complete)
        fputs(", <b>interrupted</b> (complete: false)", o);
    row_end(o);
}

/* The machine modes the floor probes fell into (console.c's "machine modes" lines). */
static void
mode_rows(FILE *o, const struct result_file *f) {
    json_t *modes = json_object_get(f->chanbench, "modes");
    json_t *list = json_object_get(modes, "modes");
    if (!json_is_array(list))
        return;
    size_t n = json_array_size(list), i;
    json_t *m;
    row_start(o, "machine modes");
    fprintf(o,
            "%zu, from %lld core-to-core probes (%lld chunk%s straddled two modes, %lld "
            "unprobed)",
            n, int_of(modes, "probes", 0), int_of(modes, "straddling", 0),
            int_of(modes, "straddling", 0) == 1 ? "" : "s", int_of(modes, "unprobed", 0));
    json_t *steal = json_object_get(json_object_get(f->chanbench, "rounds"), "steal_ms");
    if (json_is_number(steal))
        fprintf(o, "; steal %.0f ms over the run", json_number_value(steal));
    json_array_foreach(list, i, m) {
        fputs("<br>mode ", o);
        put_esc(o, json_string_value(json_object_get(m, "label")));
        fprintf(o, ": round trip %.1f ns, %.1f%% of the probes",
                json_number_value(json_object_get(m, "floor_ns")),
                json_number_value(json_object_get(m, "share")) * 100);
    }
    row_end(o);
}

/* The floor and the executors that ran. */
static void
extra_rows(FILE *o, const struct result_file *f) {
    json_t *limit = json_object_get(f->chanbench, "limit");
    if (json_is_number(json_object_get(limit, "c2c_round_trip_ns"))) {
        row_start(o, "floor");
        fprintf(o, "core-to-core round trip %.1f ns, SPSC ring %.2f ns/msg",
                json_number_value(json_object_get(limit, "c2c_round_trip_ns")),
                json_number_value(json_object_get(limit, "ring_ns_per_msg")));
        row_end(o);
    }
    json_t *peers = json_object_get(f->chanbench, "peers");
    if (json_array_size(peers) > 0) {
        size_t i;
        json_t *p;
        row_start(o, "executors");
        json_array_foreach(peers, i, p) {
            fputs(i ? "; " : "", o);
            put_esc(o, json_string_value(json_object_get(p, "impl")));
            fputs(" ", o);
            put_esc(o, json_string_value(json_object_get(p, "version")));
        }
        row_end(o);
    }
    const char *cmd = ctx_str(f, "command");
    if (cmd != NULL) {
        row_start(o, "command");
        fputs("<code>", o);
        put_esc(o, cmd);
        fputs("</code>", o);
        row_end(o);
    }
}

static void
header(FILE *o, const struct result_file *f) {
    fputs("<div class=\"scroll\"><table class=\"kv\">\n", o);
    row_str(o, "host", ctx_str(f, "host_name"));
    machine_rows(o, f);
    row_str(o, "date", json_string_value(json_object_get(f->context, "date")));
    build_rows(o, f);
    run_rows(o, f);
    mode_rows(o, f);
    extra_rows(o, f);
    row_str(o, "file", f->path);
    fputs("</table></div>\n", o);
}

/* Whether name is in list (n entries). */
static bool
listed(const char *const *list, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

/* The overall (mode "all") paired row of metric for benchmark b against den, or NULL. */
static json_t *
paired_row(json_t *pa, const char *metric, const char *b, const char *den) {
    size_t i;
    json_t *p;
    json_array_foreach(pa, i, p) {
        const char *me = json_string_value(json_object_get(p, "metric"));
        const char *mode = json_string_value(json_object_get(p, "mode"));
        const char *pb = json_string_value(json_object_get(p, "benchmark"));
        const char *pd = json_string_value(json_object_get(p, "denominator"));
        if (me != NULL && strcmp(me, metric) == 0 && mode != NULL && strcmp(mode, "all") == 0 &&
            pb != NULL && strcmp(pb, b) == 0 && pd != NULL && strcmp(pd, den) == 0)
            return p;
    }
    return NULL;
}

/* One metric's overall paired ratios as the console prints them: a row per benchmark, a
 * column per implementation goc is divided by (the A/A control last), each cell the ratio
 * with its interval, coloured by what the interval says. 0 rows: nothing. */
static size_t
paired_table(FILE *o, const struct result_file *f, const char *metric, const char *what) {
    json_t *pa = json_object_get(f->chanbench, "paired");
    size_t n = json_array_size(pa), nb = 0, nd = 0, i;
    const char **bench = calloc(n + 1, sizeof *bench), **dens = calloc(n + 1, sizeof *dens);
    if (bench == NULL || dens == NULL)
        plot_oom();
    json_t *p;
    for (int pass = 0; pass < 2; pass++)
        json_array_foreach(pa, i, p) {
            const char *me = json_string_value(json_object_get(p, "metric"));
            const char *mode = json_string_value(json_object_get(p, "mode"));
            const char *b = json_string_value(json_object_get(p, "benchmark"));
            const char *den = json_string_value(json_object_get(p, "denominator"));
            if (me == NULL || strcmp(me, metric) != 0 || mode == NULL || strcmp(mode, "all") != 0 ||
                b == NULL || den == NULL)
                continue;
            if (pass == 0 && !listed(bench, nb, b))
                bench[nb++] = b;
            if ((strstr(den, ".control") != NULL) == (pass == 1) && !listed(dens, nd, den))
                dens[nd++] = den;
        }
    if (nb > 0) {
        fputs("<h3>", o);
        fputs(what, o);
        fputs("</h3>\n<div class=\"scroll\"><table class=\"paired\">\n<tr><th>benchmark</th>", o);
        for (size_t d = 0; d < nd; d++) {
            fputs("<th>goc/", o);
            put_esc(o, dens[d]);
            fputs("</th>", o);
        }
        fputs("</tr>\n", o);
    }
    for (size_t k = 0; k < nb; k++) {
        fputs("<tr><td class=\"name\">", o);
        put_esc(o, bench[k]);
        fputs("</td>", o);
        for (size_t d = 0; d < nd; d++) {
            bool control = strstr(dens[d], ".control") != NULL;
            json_t *row = paired_row(pa, metric, bench[k], dens[d]);
            if (row == NULL) {
                fprintf(o, "<td class=\"none%s\"></td>", control ? " control" : "");
                continue;
            }
            json_t *ci = json_object_get(row, "ci");
            double r = json_number_value(json_object_get(row, "ratio"));
            double lo = json_number_value(json_array_get(ci, 0)),
                   hi = json_number_value(json_array_get(ci, 1));
            bool ci_ok = json_is_true(json_object_get(row, "ci_ok"));
            bool holds1 = lo <= 1 && hi >= 1;
            fprintf(o, "<td class=\"num %s%s\" title=\"%lld rounds\">",
                    holds1  ? "same"
                    : r < 1 ? "faster"
                            : "slower",
                    control ? " control" : "", int_of(row, "rounds", 0));
            put_num(o, r);
            fputs(" <small>[", o);
            put_num(o, lo);
            fputs(" &ndash; ", o);
            put_num(o, hi);
            fprintf(o, "]%s%s</small></td>", holds1 ? " ~" : "", ci_ok ? "" : " ?");
        }
        fputs("</tr>\n", o);
    }
    if (nb > 0)
        fputs("</table></div>\n", o);
    free(bench);
    free(dens);
    return nb;
}

/* What makes a figure shaky, one item per benchmark, as the console says it. */
static void
warnings(FILE *o, json_t *pa) {
    size_t i, nw = 0;
    json_t *p;
    const char *last = NULL;
    json_array_foreach(pa, i, p) {
        const char *w = json_string_value(json_object_get(p, "warnings"));
        const char *me = json_string_value(json_object_get(p, "metric"));
        const char *mode = json_string_value(json_object_get(p, "mode"));
        const char *b = json_string_value(json_object_get(p, "benchmark"));
        if (w == NULL || w[0] == '\0' || me == NULL || strcmp(me, "real_time") != 0 ||
            mode == NULL || strcmp(mode, "all") != 0 || b == NULL)
            continue;
        if (nw++ == 0)
            fputs("<details><summary>stability warnings (wall time)</summary>\n<ul>\n", o);
        bool same = last != NULL && strcmp(last, b) == 0;
        if (!same) {
            fputs(last != NULL ? "</li>\n<li><code>" : "<li><code>", o);
            put_esc(o, b);
            fputs("</code>", o);
        }
        fputs(same ? "; goc/" : ": goc/", o);
        put_esc(o, json_string_value(json_object_get(p, "denominator")));
        fputs(" ", o);
        put_esc(o, w);
        last = b;
    }
    if (nw > 0)
        fputs("</li>\n</ul>\n</details>\n", o);
}

static void
paired(FILE *o, const struct result_file *f) {
    json_t *pa = json_object_get(f->chanbench, "paired");
    if (json_array_size(pa) == 0) {
        fputs("<p class=\"note\">No paired ratios: a run with one implementation, or from "
              "before rounds.</p>\n",
              o);
        return;
    }
    fputs("<p class=\"note\">Paired ratios over all rounds: the median of the per-round ratios "
          "goc/<em>impl</em> with its 95% interval; below 1 (green): goc is faster, above 1 "
          "(orange): slower; ~ and grey: no difference (the interval holds 1); ? too few rounds "
          "for an interval (the range is shown). The A/A control (goc against itself) must read "
          "1. Hover a cell for its rounds.</p>\n",
          o);
    paired_table(o, f, "real_time", "wall time per operation");
    fputs("<details><summary>CPU time per operation and p99 latency</summary>\n", o);
    paired_table(o, f, "cpu_time", "CPU time per operation");
    paired_table(o, f, "p99", "p99 latency");
    fputs("</details>\n", o);
    warnings(o, pa);
}

/* Whether s at p starts with lit. */
static bool
at(const char *p, const char *lit) {
    return strncmp(p, lit, strlen(lit)) == 0;
}

/* The SVG text svg from its <svg element on, with every id and reference to one prefixed
 * (gnuplot names its marks gpPt0... in every chart, and an id must be unique on a page), and
 * gnuplot's <title> replaced by the chart's. */
static void
put_svg(FILE *o, const char *svg, const char *prefix, const char *title) {
    static const char *const refs[] = {" id=\"", " id='",    "\tid=\"", "\tid='", "\nid=\"",
                                       "\nid='", "href=\"#", "href='#", "url(#"};
    const char *p = strstr(svg, "<svg");
    for (; p != NULL && *p; p++) {
        if (at(p, "<title>Gnuplot</title>")) {
            fputs("<title>", o);
            put_esc(o, title);
            fputs("</title>", o);
            p += strlen("<title>Gnuplot</title>") - 1;
            continue;
        }
        bool done = false;
        for (size_t k = 0; k < sizeof refs / sizeof refs[0] && !done; k++)
            if (at(p, refs[k])) {
                fputs(refs[k], o);
                fputs(prefix, o);
                p += strlen(refs[k]) - 1;
                done = true;
            }
        if (!done)
            fputc(*p, o);
    }
    fputc('\n', o);
}

/* The whole text of path, or NULL. */
static char *
slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 + 1 > cap) {
            cap = (len + 65536 + 1) * 2;
            char *nb = realloc(buf, cap);
            if (nb == NULL)
                plot_oom();
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static void
figure(FILE *o, const char *dir, const struct plot_drawn *c, size_t n) {
    const char *title = title_of(c->script);
    fputs("<figure id=\"chart-", o);
    put_esc(o, c->stem);
    fputs("\">\n", o);
    char *path = tx_fmt("%s/%s.svg", dir, c->stem);
    char *svg = slurp(path);
    if (svg != NULL && strstr(svg, "<svg") != NULL) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "c%zu-", n);
        /* No larger than gnuplot drew it: a small heatmap stays small on a wide page. */
        const char *vb = strstr(svg, "viewBox=\"");
        double vw = 0, vh = 0;
        if (vb != NULL && sscanf(vb, "viewBox=\"%*f %*f %lf %lf", &vw, &vh) == 2 && vw > 0)
            fprintf(o, "<div class=\"chart\" style=\"max-width:%.0fpx\">\n", vw);
        else
            fputs("<div class=\"chart\">\n", o);
        put_svg(o, svg, prefix, title);
        fputs("</div>\n", o);
    } else {
        fputs("<p class=\"note\">(the SVG file could not be read)</p>\n", o);
    }
    free(svg);
    free(path);
    fputs("<figcaption><b>", o);
    put_esc(o, title);
    fputs("</b> &mdash; ", o);
    put_esc(o, c->machine);
    fputs(".<br>", o);
    put_esc(o, c->subtitle);
    fputs(".<br>From ", o);
    put_esc(o, c->source);
    fputs(". Files: <a href=\"", o);
    put_esc(o, c->stem);
    fputs(".png\">PNG</a>, <a href=\"", o);
    put_esc(o, c->stem);
    fputs(".svg\">SVG</a>, <a href=\"", o);
    put_esc(o, c->stem);
    fputs(".dat\">data</a>.</figcaption>\n</figure>\n", o);
}

/* Forest charts first (the run's verdict), then the others as they were drawn. */
static void
chart_order(const struct plot_state *st, size_t *order) {
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < st->drawn; i++)
            if ((strcmp(st->charts[i].script, "forest") == 0) == (pass == 0))
                order[k++] = i;
}

int
plot_html_write(const struct plot_state *st, const struct result_file *files, size_t nf) {
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (o == NULL)
        plot_oom();
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          o);
    const char *host = nf > 0 ? ctx_str(&files[0], "host_name") : NULL;
    if (nf == 1) {
        fputs("chanbench: ", o);
        put_esc(o, host != NULL ? host : "unknown host");
        fputs(" ", o);
        put_esc(o, json_string_value(json_object_get(files[0].context, "date")));
    } else {
        fprintf(o, "chanbench: %zu results files", nf);
    }
    fprintf(o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", page_css);
    if (nf == 1) {
        fputs("<h1>chanbench on ", o);
        put_esc(o, host != NULL ? host : "unknown host");
        fputs("</h1>\n", o);
    } else {
        fprintf(o, "<h1>chanbench: %zu results files</h1>\n", nf);
    }
    for (size_t i = 0; i < nf; i++) {
        if (nf > 1) {
            fprintf(o, "<h2>%c: ", (char)(i < 26 ? 'A' + i : '?'));
            put_esc(o, ctx_str(&files[i], "host_name"));
            fputs(" &mdash; ", o);
            put_esc(o, files[i].path);
            fputs("</h2>\n", o);
        }
        header(o, &files[i]);
    }
    fputs("<h2>Charts</h2>\n", o);
    size_t *order = calloc(st->drawn + 1, sizeof *order);
    if (order == NULL)
        plot_oom();
    chart_order(st, order);
    if (st->drawn == 0) {
        fputs(st->gnuplot == NULL
                  ? "<p class=\"note\">No charts: gnuplot is not installed (Debian/Ubuntu: apt "
                    "install gnuplot-nox); the data files are in this folder.</p>\n"
                  : "<p class=\"note\">No charts: the files have none of the rows a chart "
                    "needs.</p>\n",
              o);
    } else {
        fputs("<ul class=\"toc\">\n", o);
        for (size_t k = 0; k < st->drawn; k++) {
            const struct plot_drawn *c = &st->charts[order[k]];
            fputs("<li><a href=\"#chart-", o);
            put_esc(o, c->stem);
            fputs("\">", o);
            put_esc(o, title_of(c->script));
            fputs("</a> <small>(", o);
            put_esc(o, c->stem);
            fputs(")</small></li>\n", o);
        }
        fputs("</ul>\n", o);
    }
    for (size_t k = 0; k < st->drawn; k++)
        figure(o, st->dir, &st->charts[order[k]], k);
    free(order);
    /* The tables after the charts: the forest chart says the same at a glance. */
    fputs("<h2>Paired ratios</h2>\n", o);
    for (size_t i = 0; i < nf; i++) {
        if (nf > 1) {
            fprintf(o, "<h3>%c: ", (char)(i < 26 ? 'A' + i : '?'));
            put_esc(o, files[i].path);
            fputs("</h3>\n", o);
        }
        paired(o, &files[i]);
    }
    fputs("</main>\n</body>\n</html>\n", o);
    if (fclose(o) != 0)
        plot_oom();
    char *path = tx_fmt("%s/index.html", st->dir);
    char err[1024];
    int rc = report_write_file(path, buf, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "chanbench plot: cannot write the page %s: %s\n", path, err);
    else
        printf("page    %-15s %s\n", "index.html", path);
    free(path);
    free(buf);
    return rc;
}
