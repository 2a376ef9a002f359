/* SPDX-License-Identifier: MIT */
/* Options of `chanbench run` and `chanbench list`: parsing (getopt_long) and help texts.
 * Harness-internal. */
#ifndef BENCH_CLI_H
#define BENCH_CLI_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum out_format { FORMAT_CONSOLE, FORMAT_JSON, FORMAT_CSV, FORMAT_GOBENCH };

#define CLI_MAX_THREADS 64
#define CLI_MAX_IMPLS 16

#define CLI_PEER_TIMEOUT_S 60.0

/* A named run: which part of the grid, which implementations, how many rounds of how long a
 * chunk (a round runs every benchmark's every impl once; --min-time is the length a chunk is
 * calibrated to). `run --profile NAME` picks one; options given beside it win. The table is
 * cli_profiles[], ended by a NULL name; the first entry is the default. */
struct cli_profile {
    const char *name;
    const char *about;   /* for --help: what it measures and about how long it takes */
    bool quick_grid;     /* the grids' small value lists (the family files' --quick column) */
    const char *filter;  /* a regex every name must match as well as --filter's, or NULL */
    const char *impls;   /* the --impl it implies, or NULL: every in-process implementation */
    const char *threads; /* the --threads it implies, or NULL: the grids' thread counts */
    int rounds;
    double min_time_s;
};

extern const struct cli_profile cli_profiles[];

/* The profile called name, or NULL. */
const struct cli_profile *cli_profile_find(const char *name);

struct run_options {
    bool help;          /* --help: print usage, run nothing */
    const char *filter; /* --filter REGEX, or NULL */
    regex_t filter_re;  /* compiled when filter != NULL */
    int rounds;         /* --rounds (or its alias --repetitions), or the profile's default */
    bool rounds_given;
    double min_time_s; /* --min-time: seconds a chunk lasts at least, or the profile's default */
    bool min_time_given;
    uint64_t seed; /* --seed, or one from the clock (cli_parse leaves 0 when not given) */
    bool seed_given;
    bool interleave;       /* false with --no-interleave: arm after arm, rounds back to back */
    bool control;          /* false with --no-control: no goc.control arm */
    double peer_timeout_s; /* --peer-timeout: base of every executor answer's deadline */
    int threads[CLI_MAX_THREADS]; /* --threads LIST */
    int nthreads;                 /* 0: not given */
    const char *pin; /* --pin, default "compact" (validated against the machine later) */
    char *impl_list; /* --impl LIST (owned copy), split into impls */
    char *impls[CLI_MAX_IMPLS];
    int nimpls;                        /* 0: not given */
    const struct cli_profile *profile; /* --profile (--quick is --profile quick) */
    bool quick;                        /* the profile uses the grids' small value lists */
    regex_t profile_re;                /* profile->filter, compiled when has_profile_re */
    bool has_profile_re;
    enum out_format format;
    const char *out;        /* --out FILE, "-" for stdout, or NULL for the default name */
    const char *resume;     /* --resume JOURNAL, or NULL */
    const char *store;      /* --store PATH, or NULL: store_default_path() */
    bool no_store;          /* --no-store: the run is not recorded in the results store */
    bool store_given;       /* --store or --no-store on this command line (wins on --resume) */
    bool run_options_given; /* an option other than --out, --format, --resume, --store,
                               --no-store, --help */
};

/* Parse argv (argv[0] is the subcommand, "run" or "list"; list accepts only --filter, --quick,
 * --profile, --threads, --impl and --help). Returns 0, or 2 with err set to one line saying what is
 * wrong and what to do (without the "chanbench run: " prefix). Impl names are checked against the
 * registry by the caller. On success cli_free releases what o holds. */
int cli_parse(int argc, char **argv, bool list, struct run_options *o, char *err, size_t errlen);
void cli_free(struct run_options *o);

void cli_usage_run(FILE *out);
void cli_usage_list(FILE *out);

const char *cli_format_name(enum out_format f);

#endif
