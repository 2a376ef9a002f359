/* SPDX-License-Identifier: MIT */
/* `chanbench limit`: measure the hardware floor (measure/floor.c), print it, and optionally
 * write it as a results file. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "floor.h"
#include "floor_report.h"
#include "machine.h"
#include "report.h"
#include "topology.h"

static void
limit_usage(FILE *out) {
    fprintf(out,
            "usage: chanbench limit [--pus LIST] [--max-pairs N] [--runs N] [--quick]\n"
            "                       [--out FILE] [--verbose]\n"
            "  The hardware floor: core-to-core round trip of one cache line for pairs of PUs\n"
            "  (a matrix), one-way latency, and a minimal SPSC ring's cost per message.\n"
            "  --pus LIST      measure among these PUs (default: every allowed PU)\n"
            "  --max-pairs N   sample at most N pairs (default 64)\n"
            "  --runs N        timed runs per pair, medians reported (default 7, --quick 3)\n"
            "  --quick         fewer, shorter runs\n"
            "  --out FILE      also write a results file (docs/results-format.md); - writes it\n"
            "                  to stdout and the table to stderr\n"
            "  --verbose       a line per pair on stderr\n");
}

static bool
parse_int(const char *s, int lo, int hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* The results file of `chanbench limit --out`: the harness's context (output/json.c, so that the
 * machine and build are stamped exactly as in a run) with the limit section, and the limit
 * rows with their aggregates. */
static json_t *
limit_document(const struct limit_result *r, const struct limit_opts *lo, const char *command,
               time_t started) {
    struct machine_info m;
    machine_collect(&m);
    struct run_options ro;
    memset(&ro, 0, sizeof ro);
    ro.rounds = r->runs;
    ro.min_time_s = r->run_s;
    ro.quick = lo->quick;
    ro.pin = lo->pus ? lo->pus : topo_allowed_list();
    ro.format = 0;
    struct run_info info = {.machine = &m,
                            .opts = &ro,
                            .command = command,
                            .started = started,
                            .clock_overhead_ns = r->clock_overhead_ns,
                            .complete = true};
    json_t *doc = report_document(&info, NULL, 0);
    limit_add_to_document(doc, r);
    return doc;
}

int
cmd_limit(int argc, char **argv) {
    static const struct option opts[] = {
        {"pus", required_argument, NULL, 'p'},  {"max-pairs", required_argument, NULL, 'm'},
        {"runs", required_argument, NULL, 'r'}, {"quick", no_argument, NULL, 'q'},
        {"out", required_argument, NULL, 'o'},  {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    struct limit_opts lo = {0};
    const char *out_path = NULL;
    optind = 0; /* glibc: reinitialise, argv[0] is the subcommand */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            lo.pus = optarg;
            break;
        case 'm':
            if (!parse_int(optarg, 1, 100000, &lo.max_pairs)) {
                fprintf(stderr, "chanbench limit: --max-pairs wants a number from 1, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'r':
            if (!parse_int(optarg, 1, LIMIT_MAX_RUNS, &lo.runs)) {
                fprintf(stderr, "chanbench limit: --runs wants a number from 1 to %d, not '%s'\n",
                        LIMIT_MAX_RUNS, optarg);
                return 2;
            }
            break;
        case 'q':
            lo.quick = true;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'v':
            lo.verbose = true;
            break;
        case 'h':
            limit_usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, "chanbench limit: %s needs a value (try --help)\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "chanbench limit: unknown option '%s' (try --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "chanbench limit: unexpected argument '%s' (try --help)\n", argv[optind]);
        return 2;
    }
    char err[512];
    /* --out - : the JSON is stdout's, so the table goes to stderr. */
    bool to_stdout = out_path != NULL && strcmp(out_path, "-") == 0;
    if (out_path && !to_stdout && report_check_folder(out_path, NULL, 0, err, sizeof err) < 0) {
        fprintf(stderr, "chanbench limit: %s\n", err);
        return 2;
    }
    if (topo_init(err, sizeof err) < 0) {
        fprintf(stderr, "chanbench limit: %s\n", err);
        return 1;
    }
    if (lo.pus) {
        int one;
        if (!lo.pus[0] || strspn(lo.pus, "0123456789,-") != strlen(lo.pus)) {
            fprintf(stderr,
                    "chanbench limit: --pus wants a PU list such as 0-3 or 0,2 (allowed: "
                    "%s), not '%s'\n",
                    topo_allowed_list(), lo.pus);
            return 2;
        }
        if (topo_plan(lo.pus, 1, &one, err, sizeof err) < 0) {
            fprintf(stderr, "chanbench limit: --pus: %s\n", err);
            return 2;
        }
    }
    time_t started = time(NULL);
    struct limit_result r;
    if (limit_measure(&lo, &r, err, sizeof err) < 0) {
        fprintf(stderr, "chanbench %s\n", err); /* err starts "limit: " */
        return 1;
    }
    limit_print(to_stdout ? stderr : stdout, &r);
    int rc = 0;
    if (out_path) {
        char command[1024];
        size_t used = (size_t)snprintf(command, sizeof command, "chanbench");
        for (int i = 0; i < argc && used < sizeof command; i++)
            used += (size_t)snprintf(command + used, sizeof command - used, " %s", argv[i]);
        json_t *doc = limit_document(&r, &lo, command, started);
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        if (text && to_stdout) {
            puts(text);
            if (fflush(stdout) != 0) {
                fprintf(stderr, "chanbench limit: cannot write the results to stdout\n");
                rc = 1;
            }
        } else if (!text || report_write_file(out_path, text, err, sizeof err) < 0) {
            fprintf(stderr, "chanbench limit: %s\n", text ? err : "out of memory");
            rc = 1;
        } else {
            printf("wrote %s\n", out_path);
        }
        free(text);
        json_decref(doc);
    }
    limit_result_free(&r);
    return rc;
}
