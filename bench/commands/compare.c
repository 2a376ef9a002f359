/* SPDX-License-Identifier: MIT */
/* `chanbench compare BASE NEW...`: per benchmark, the median of each file's repetitions with
 * its confidence interval, the ratio NEW/BASE of the medians and a Mann-Whitney U p-value, as
 * benchstat reports them. This file is the command: its arguments, loading the files, and the
 * exit status; the comparison and its printing are output/compare_table.c's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare_table.h"
#include "results.h"
#include "store.h"

#define CMP_MAX_FILES 26

static const char compare_usage[] =
    "usage: chanbench compare [options] BASE NEW [NEW...]\n"
    "\n"
    "BASE and NEW are results files, or runs of the results store (chanbench store):\n"
    "@HOST (the latest run of that machine), @RUNID (4 to 16 hex digits of a run id) or\n"
    "@commit:SHA (the latest run built from that commit); ./@NAME is a file.\n"
    "\n"
    "Compares chanbench results files benchmark by benchmark (matched by name). For each\n"
    "benchmark and file: the median of the repetitions with its 95% confidence interval\n"
    "(distribution-free, from order statistics; needs >= 6 repetitions), the ratio NEW/BASE of\n"
    "the medians, and the two-sided Mann-Whitney U p-value of NEW's repetitions against BASE's\n"
    "(exact for up to 50 repetitions in all, else the normal approximation with tie and\n"
    "continuity corrections). A difference with p >= 0.05 is shown as '~' (not significant);\n"
    "with fewer than 4 repetitions on a side no difference can reach p < 0.05. The last row is\n"
    "the geometric mean over the benchmarks present in every file. Repetitions of different\n"
    "files are never pooled; files from different machines are compared with a warning.\n"
    "\n"
    "options:\n"
    "  --format console|markdown|csv   output format (default console); csv writes the\n"
    "                                  header and warnings to stderr, the table to stdout\n"
    "  --metric real|cpu               real_time (wall ns per operation, default) or cpu_time\n"
    "                                  (CPU ns per operation summed over the threads)\n"
    "  --normalize limit               divide each file's figures by its own hardware floor\n"
    "                                  (context.chanbench.limit, from `chanbench limit`):\n"
    "                                  chan/pingpong rows by c2c_round_trip_ns, every other\n"
    "                                  chan/ and select/ row by ring_ns_per_msg; chan/paced,\n"
    "                                  chan/idle and rows of other families have no floor and\n"
    "                                  are left out (listed)\n"
    "  --store PATH|URL                the store @ references read: an SQLite file or a\n"
    "                                  postgresql:// URL (default $CHANBENCH_STORE, else\n"
    "                                  results/chanbench.sqlite)\n"
    "  -h, --help                      this text\n"
    "\n"
    "exit status: 0 compared; 2 bad usage or bad input (a missing, truncated or\n"
    "non-chanbench file, a file without a limit section under --normalize limit, files with\n"
    "no benchmark in common, an @ reference the store lacks, or a store that is corrupt or\n"
    "of a newer schema), with a one-line error naming the file; 1 the store could not be\n"
    "read.\n";

static int
parse_args(struct compare *cmp, int argc, char **argv, const char **paths, size_t *npaths,
           const char **store_path) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        const char *opt = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(compare_usage, stdout);
            return 1;
        }
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) {
                if (*npaths >= CMP_MAX_FILES)
                    goto toomany;
                paths[(*npaths)++] = argv[i];
            }
            break;
        }
        static const char *const opts[] = {"--format", "--metric", "--normalize", "--store"};
        for (size_t k = 0; k < 4; k++) {
            size_t l = strlen(opts[k]);
            if (strncmp(a, opts[k], l) == 0 && (a[l] == '\0' || a[l] == '=')) {
                opt = opts[k];
                if (a[l] == '=') {
                    val = a + l + 1;
                } else if (i + 1 < argc) {
                    val = argv[++i];
                } else {
                    fprintf(stderr, "chanbench compare: %s needs a value\n", opt);
                    return -1;
                }
            }
        }
        if (opt == NULL && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "chanbench compare: unknown option %s (see chanbench compare --help)\n",
                    a);
            return -1;
        }
        if (opt == NULL) {
            if (*npaths >= CMP_MAX_FILES)
                goto toomany;
            paths[(*npaths)++] = a;
        } else if (strcmp(opt, "--format") == 0) {
            if (strcmp(val, "console") == 0)
                cmp->format = FMT_CONSOLE;
            else if (strcmp(val, "markdown") == 0 || strcmp(val, "md") == 0)
                cmp->format = FMT_MARKDOWN;
            else if (strcmp(val, "csv") == 0)
                cmp->format = FMT_CSV;
            else {
                fprintf(stderr, "chanbench compare: --format %s: use console, markdown or csv\n",
                        val);
                return -1;
            }
        } else if (strcmp(opt, "--metric") == 0) {
            if (strcmp(val, "real") == 0 || strcmp(val, "real_time") == 0)
                cmp->cpu = false;
            else if (strcmp(val, "cpu") == 0 || strcmp(val, "cpu_time") == 0)
                cmp->cpu = true;
            else {
                fprintf(stderr, "chanbench compare: --metric %s: use real or cpu\n", val);
                return -1;
            }
        } else if (strcmp(opt, "--store") == 0) {
            *store_path = val;
        } else {
            if (strcmp(val, "limit") != 0) {
                fprintf(stderr, "chanbench compare: --normalize %s: the only choice is limit\n",
                        val);
                return -1;
            }
            cmp->normalize = true;
        }
    }
    if (*npaths < 2) {
        fprintf(stderr, "chanbench compare: need a BASE and at least one NEW results file "
                        "(see chanbench compare --help)\n");
        return -1;
    }
    return 0;
toomany:
    fprintf(stderr, "chanbench compare: at most %d files\n", CMP_MAX_FILES);
    return -1;
}

int
cmd_compare(int argc, char **argv) {
    struct compare cmp = {.out = stdout, .note = stdout};
    const char *paths[CMP_MAX_FILES];
    size_t npaths = 0;
    const char *store_path = store_default_path();
    struct store *store = NULL;
    int rc = parse_args(&cmp, argc, argv, paths, &npaths, &store_path);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (cmp.format == FMT_CSV)
        cmp.note = stderr;

    cmp.files = calloc(npaths, sizeof *cmp.files);
    if (cmp.files == NULL)
        return 1;
    rc = 2;
    for (size_t i = 0; i < npaths; i++) {
        char err[1024];
        /* A results file, or a run of the store loaded from its stored bytes. */
        int code = store_load_arg(&store, store_path, paths[i], &cmp.files[i], err, sizeof err);
        if (code != 0) {
            fprintf(stderr, "chanbench compare: %s\n", err);
            rc = code;
            goto out;
        }
        cmp.nf++;
        if (cmp.normalize) {
            json_t *lim = json_object_get(cmp.files[i].chanbench, "limit");
            if (!json_is_object(lim)) {
                fprintf(stderr,
                        "chanbench compare: %s: no limit section (context.chanbench.limit) to "
                        "normalize by; run the limit benchmarks (chanbench limit) on that "
                        "machine\n",
                        cmp.files[i].path);
                goto out;
            }
        }
    }
    for (size_t f = 1; f < cmp.nf; f++) {
        size_t common = 0;
        for (size_t i = 0; i < cmp.files[f].nbenches; i++)
            common += results_find(&cmp.files[0], cmp.files[f].benches[i].name) != NULL;
        if (common == 0) {
            fprintf(stderr, "chanbench compare: %s: no benchmark in common with %s\n",
                    cmp.files[f].path, cmp.files[0].path);
            goto out;
        }
    }
    if (compare_build(&cmp) != 0)
        goto out;
    if (cmp.nrows == 0) {
        fprintf(stderr,
                "chanbench compare: %s: no chan/ or select/ benchmark in common to normalize\n",
                cmp.files[0].path);
        goto out;
    }

    compare_print(&cmp);
    rc = 0;
out:
    store_close(store);
    compare_free(&cmp);
    for (size_t i = 0; i < cmp.nf; i++)
        results_free(&cmp.files[i]);
    free(cmp.files);
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "chanbench compare: cannot write the output\n");
        rc = 1;
    }
    return rc;
}
