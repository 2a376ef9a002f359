/* SPDX-License-Identifier: MIT */
/* Parsing the options of `chanbench run` and `chanbench list`. Every error is one line that
 * names the problem and what to do; the caller prints it and exits 2. */
#include "cli.h"
#include "regex_limit.h"
#include "topology.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_FILTER = 'f',
    OPT_HELP = 'h',
    OPT_REPETITIONS = 256,
    OPT_MIN_TIME,
    OPT_THREADS,
    OPT_PIN,
    OPT_IMPL,
    OPT_QUICK,
    OPT_FORMAT,
    OPT_OUT,
    OPT_ROUNDS,
    OPT_SEED,
    OPT_NO_INTERLEAVE,
    OPT_NO_CONTROL,
    OPT_PEER_TIMEOUT,
    OPT_STORE,
    OPT_NO_STORE,
    OPT_RESUME,
    OPT_PROFILE,
};

/* The comparison the README's main job runs (scripts/run.sh): every chart with its curve --
 * capacities 0 to 1024, 1 to 8 threads (over twice the PUs of a small machine: oversubscribed
 * rows are part of the picture), fan-in 2 to 16, read shares 0 to 100 % (at 2 threads, the
 * locks chart's right panel), the three layouts -- and the peers beside libgoc. Every line of
 * every chart gets at least four points. */
#define COMPARE_FILTER                                                                             \
    "^(chan/spsc/cap=[0-9]+/size=8/"                                                               \
    "|chan/pingpong/cap=0/"                                                                        \
    "|chan/mpmc/prod=(1/cons=1|2/cons=2|4/cons=4|8/cons=8)/cap=1024/size=8/"                       \
    "|select/fanin/k=[0-9]+/cap=0/"                                                                \
    "|lock/mutex/threads=[0-9]+/cs=0/"                                                             \
    "|lock/rw/(threads=[0-9]+/read=90|threads=2/read=[0-9]+)/cs=0/"                                \
    "|layout/pipeline/stages=[0-9]+/work=1us/"                                                     \
    "|layout/(pool|replicated)/stages=4/work=1us/threads=[0-9]+/"                                  \
    "|cancel/done/workers=(1|4|16|64)/)"

const struct cli_profile cli_profiles[] = {
    {.name = "full",
     .about = "every benchmark of the grid, in-process implementations (tens of minutes)",
     .rounds = 30,
     .min_time_s = 0.1},
    {.name = "quick",
     .about = "the small grid, fewer and shorter rounds (under a minute); --quick",
     .quick_grid = true,
     .rounds = 6,
     .min_time_s = 0.05},
    {.name = "compare",
     .about = "libgoc against naive, pthread, ck, Go and crossbeam on every chart's curve "
              "(scripts/run.sh; about 2 minutes on 2 PUs)",
     .filter = COMPARE_FILTER,
     .impls = "goc,naive,pthread,ck,ck.br,go,crossbeam",
     .threads = "1,2,4,8",
     .rounds = 10,
     .min_time_s = 0.03},
    {.name = NULL},
};

const struct cli_profile *
cli_profile_find(const char *name) {
    for (const struct cli_profile *p = cli_profiles; p->name != NULL; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

/* "full, quick, compare" into buf. */
static const char *
profile_names(char *buf, size_t len) {
    size_t n = 0;
    buf[0] = '\0';
    for (const struct cli_profile *p = cli_profiles; p->name != NULL && n < len; p++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", p->name);
    return buf;
}

static void
usage_profiles(FILE *out) {
    for (const struct cli_profile *p = cli_profiles; p->name != NULL; p++)
        fprintf(out, "  %-9s %d rounds, %g s chunks: %s\n", p->name, p->rounds, p->min_time_s,
                p->about);
}

static const struct option run_longopts[] = {
    {"filter", required_argument, NULL, OPT_FILTER},
    {"rounds", required_argument, NULL, OPT_ROUNDS},
    {"repetitions", required_argument, NULL, OPT_REPETITIONS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"no-interleave", no_argument, NULL, OPT_NO_INTERLEAVE},
    {"no-control", no_argument, NULL, OPT_NO_CONTROL},
    {"peer-timeout", required_argument, NULL, OPT_PEER_TIMEOUT},
    {"min-time", required_argument, NULL, OPT_MIN_TIME},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"pin", required_argument, NULL, OPT_PIN},
    {"impl", required_argument, NULL, OPT_IMPL},
    {"quick", no_argument, NULL, OPT_QUICK},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"resume", required_argument, NULL, OPT_RESUME},
    {"store", required_argument, NULL, OPT_STORE},
    {"no-store", no_argument, NULL, OPT_NO_STORE},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static const struct option list_longopts[] = {
    {"filter", required_argument, NULL, OPT_FILTER},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"impl", required_argument, NULL, OPT_IMPL},
    {"quick", no_argument, NULL, OPT_QUICK},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

void
cli_usage_run(FILE *out) {
    fprintf(out,
            "usage: chanbench run [options]\n"
            "Run the benchmarks in interleaved rounds, print tables of medians and paired\n"
            "ratios, and write the results as JSON.\n"
            "\n"
            "  --filter REGEX     run the benchmarks whose name matches REGEX (POSIX extended),\n"
            "                     e.g. 'chan/spsc' or 'impl=goc$'; see 'chanbench list'. At most\n"
            "                     1024 bytes, no back-references (\\1), and no repetitions\n"
            "                     stacked or nested deeply (a++++++++++++)\n"
            "  --impl LIST        only these implementations (goc,naive,pthread,...); go and\n"
            "                     crossbeam are executors (bench/peers/), run only when named\n"
            "                     here (one that was not built is skipped with a line);\n"
            "                     default: every in-process implementation\n"
            "  --profile NAME     what to run, with its rounds and chunk length (below);\n"
            "                     default full\n"
            "  --rounds N         rounds (default: the profile's): each runs one chunk of every\n"
            "                     benchmark and implementation; --repetitions N is the same\n"
            "  --min-time S       seconds one chunk lasts at least (default: the profile's)\n"
            "  --seed N           the order's seed (printed by every run), to repeat an order\n"
            "  --no-interleave    measure arm after arm, each with all its rounds back to back\n"
            "                     (the old block order, for comparison with the default)\n"
            "  --no-control       no A/A control (goc measured again as impl=goc.control)\n"
            "  --peer-timeout S   seconds an executor may take to answer, plus 10 chunks\n"
            "                     (default %g)\n"
            "  --threads LIST     thread counts (1,2,4 or 1-4) used instead of the grid's for\n"
            "                     every thread-count parameter (threads=, prod=, cons=, k=...)\n"
            "  --pin POLICY       compact (default), scatter, smt, none, or a PU list (0,2 or "
            "0-3);\n"
            "                     see 'chanbench topology'\n"
            "  --quick            --profile quick\n"
            "  --format FMT       what stdout gets: console (default), json, csv, gobench\n"
            "                     (Go's benchmark format, for benchstat)\n"
            "  --out FILE         where the JSON results go (always written); default\n"
            "                     results/<host>-<UTC YYYYMMDDTHHMMSSZ>.json in the current "
            "folder;\n"
            "                     a regular file only (a symlink writes its target); - writes\n"
            "                     the JSON to stdout and the console table to stderr\n"
            "  --resume JOURNAL   continue an interrupted or failed run from its journal, with\n"
            "                     its options and seed (only --out, --format, --store and\n"
            "                     --no-store may be given)\n"
            "  --store PATH|URL   the results store the run is recorded in: an SQLite file\n"
            "                     (its folder is created) or a postgresql:// URL (default\n"
            "                     $CHANBENCH_STORE, else results/chanbench.sqlite); see\n"
            "                     'chanbench store --help'\n"
            "  --no-store         do not record the run in the results store\n"
            "  -h, --help         this text\n"
            "\n"
            "Profiles (--impl, --threads, --filter, --rounds and --min-time given beside one\n"
            "narrow or override it):\n",
            CLI_PEER_TIMEOUT_S);
    usage_profiles(out);
    fprintf(out,
            "\n"
            "How it measures: each benchmark and implementation (an arm) is calibrated once to\n"
            "an iteration count that lasts --min-time; then every round runs one chunk of each\n"
            "arm, the benchmarks in a fresh random order and each benchmark's arms back to back\n"
            "in a fresh random order, with a core-to-core probe of about a millisecond before\n"
            "and after each chunk. The probes' readings are grouped into machine modes (a VM's\n"
            "host moves its vCPUs: the round trip jumps between levels), and each chunk is\n"
            "tagged with its mode. goc against every other implementation is reported as a\n"
            "paired ratio: the median over rounds of the per-round ratio, with its 95%%\n"
            "confidence interval, overall and per mode; '~' marks an interval that contains 1.\n"
            "goc.control, libgoc measured again as a separate arm, must read 1.\n"
            "\n"
            "The hardware floor (chanbench limit: core-to-core round trip, SPSC ring) is\n"
            "measured first when there is no --filter or it matches a limit/ name (e.g.\n"
            "'^(chan/spsc|limit/)'); chan/ and select/ rows then show their ratio to it.\n"
            "Every finished chunk is appended to a journal, FILE.journal beside the results\n"
            "(removed once they are written); an interrupted run or one whose results could\n"
            "not be written keeps it for --resume. SIGINT/SIGTERM stop after the current\n"
            "chunk and write what finished (marked incomplete); a second signal is absorbed,\n"
            "a third stops at once, keeping only the journal.\n"
            "\n"
            "Once the results file is written (not with --out -), the run is recorded in the\n"
            "results store, an interrupted run too (its --resume replaces it there); a run the\n"
            "store cannot take is a one-line warning, and 'chanbench store import FILE' records\n"
            "it later. A sanitized build records only into a store named by --store or\n"
            "$CHANBENCH_STORE.\n"
            "\n"
            "Exit status: 0 ok, 1 a benchmark failed its own check, an executor failed, or the\n"
            "results could not be written, 2 bad usage, 130/143 interrupted; a run that could\n"
            "not be recorded in the store keeps its status.\n");
}

void
cli_usage_list(FILE *out) {
    fprintf(out, "usage: chanbench list [--filter REGEX] [--profile NAME] [--quick] [--threads "
                 "LIST] [--impl LIST]\n"
                 "Print the name of every benchmark 'chanbench run' would run with the same "
                 "options,\n"
                 "one per line: family/scenario/key=value/.../impl=NAME.\n"
                 "\n"
                 "  --filter REGEX     only names matching REGEX (POSIX extended)\n"
                 "  --profile NAME     what 'chanbench run --profile NAME' runs\n"
                 "  --quick            --profile quick\n"
                 "  --threads LIST     thread counts used for every thread-count parameter\n"
                 "  --impl LIST        only these implementations (go and crossbeam, the\n"
                 "                     executors, only when named)\n"
                 "  -h, --help         this text\n"
                 "\n"
                 "Profiles:\n");
    usage_profiles(out);
}

const char *
cli_format_name(enum out_format f) {
    switch (f) {
    case FORMAT_JSON:
        return "json";
    case FORMAT_CSV:
        return "csv";
    case FORMAT_GOBENCH:
        return "gobench";
    default:
        return "console";
    }
}

static int
fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return 2;
}

/* A strictly parsed long in [lo, hi]; -1 with nothing else on error. */
static int
parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Seconds: "0.5" or "0.5s", above 0 and at most 3600. 0, or -1. */
static int
parse_seconds(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && *end == 's' && end[1] == '\0')
        end++;
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > 3600)
        return -1;
    *out = v;
    return 0;
}

/* "1,2,4" or "1-4" or a mix; counts 1..4096, at most CLI_MAX_THREADS values. */
static int
parse_threads(const char *s, struct run_options *o) {
    char buf[512];
    if (strlen(s) >= sizeof buf || *s == '\0')
        return -1;
    strcpy(buf, s);
    o->nthreads = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        long lo, hi;
        char *dash = strchr(tok, '-');
        if (dash != NULL) {
            *dash = '\0';
            if (parse_long(tok, 1, 4096, &lo) != 0 || parse_long(dash + 1, 1, 4096, &hi) != 0 ||
                hi < lo)
                return -1;
        } else {
            if (parse_long(tok, 1, 4096, &lo) != 0)
                return -1;
            hi = lo;
        }
        for (long t = lo; t <= hi; t++) {
            bool dup = false;
            for (int i = 0; i < o->nthreads; i++)
                dup = dup || o->threads[i] == t;
            if (dup)
                continue;
            if (o->nthreads == CLI_MAX_THREADS)
                return -1;
            o->threads[o->nthreads++] = (int)t;
        }
    }
    return o->nthreads > 0 ? 0 : -1;
}

static int
parse_impls(const char *s, struct run_options *o) {
    free(o->impl_list);
    o->nimpls = 0;
    if ((o->impl_list = strdup(s)) == NULL)
        return -1;
    char *save = NULL;
    for (char *tok = strtok_r(o->impl_list, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (o->nimpls == CLI_MAX_IMPLS)
            return -1;
        o->impls[o->nimpls++] = tok;
    }
    return o->nimpls > 0 ? 0 : -1;
}

int
cli_parse(int argc, char **argv, bool list, struct run_options *o, char *err, size_t errlen) {
    const char *cmd = list ? "list" : "run";
    memset(o, 0, sizeof *o);
    o->pin = "compact";
    o->format = FORMAT_CONSOLE;
    o->interleave = true;
    o->control = true;
    o->peer_timeout_s = CLI_PEER_TIMEOUT_S;
    int rc = 0;

    optind = 0; /* GNU: restart scanning (main or a test may have parsed before) */
    opterr = 0;
    for (;;) {
        int longindex = -1;
        int c = getopt_long(argc, argv, ":f:h", list ? list_longopts : run_longopts, &longindex);
        if (c == -1)
            break;
        const char *arg = optarg;
        /* Where the results go (and the store) may change on --resume; what is measured not. */
        if (c != OPT_OUT && c != OPT_FORMAT && c != OPT_RESUME && c != OPT_STORE &&
            c != OPT_NO_STORE && c != OPT_HELP && c != ':' && c != '?')
            o->run_options_given = true;
        switch (c) {
        case OPT_FILTER:
            o->filter = arg;
            break;
        case OPT_ROUNDS:
        case OPT_REPETITIONS: {
            long v;
            if (parse_long(arg, 1, 100000, &v) != 0) {
                rc = fail(err, errlen, "%s wants a whole number from 1 to 100000, not '%s'",
                          c == OPT_ROUNDS ? "--rounds" : "--repetitions", arg);
                goto out;
            }
            o->rounds = (int)v;
            o->rounds_given = true;
            break;
        }
        case OPT_MIN_TIME:
        case OPT_PEER_TIMEOUT: {
            double v;
            if (parse_seconds(arg, &v) != 0) {
                rc = fail(err, errlen,
                          "%s wants seconds above 0 and at most 3600 (e.g. 0.5), not '%s'",
                          c == OPT_MIN_TIME ? "--min-time" : "--peer-timeout", arg);
                goto out;
            }
            if (c == OPT_MIN_TIME) {
                o->min_time_s = v;
                o->min_time_given = true;
            } else {
                o->peer_timeout_s = v;
            }
            break;
        }
        case OPT_SEED: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(arg, &end, 10);
            if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-') {
                rc = fail(err, errlen,
                          "--seed wants a whole number (the seed a run printed), not '%s'", arg);
                goto out;
            }
            o->seed = v;
            o->seed_given = true;
            break;
        }
        case OPT_NO_INTERLEAVE:
            o->interleave = false;
            break;
        case OPT_NO_CONTROL:
            o->control = false;
            break;
        case OPT_THREADS:
            if (parse_threads(arg, o) != 0) {
                rc = fail(err, errlen,
                          "--threads wants thread counts from 1 to 4096 like 1,2,4 or 1-8 (at "
                          "most %d), not '%s'",
                          CLI_MAX_THREADS, arg);
                goto out;
            }
            break;
        case OPT_PIN:
            /* The syntax only; whether the PUs exist is the topology's question (run). */
            if (!topo_policy_syntax_ok(arg)) {
                rc = fail(err, errlen, "--pin '%s' is not a pin policy; use " TOPO_PIN_POLICIES,
                          arg);
                goto out;
            }
            o->pin = arg;
            break;
        case OPT_IMPL:
            if (parse_impls(arg, o) != 0) {
                rc = fail(err, errlen,
                          "--impl wants a comma list of implementation names like goc,naive "
                          "(at most %d), not '%s'",
                          CLI_MAX_IMPLS, arg);
                goto out;
            }
            break;
        case OPT_QUICK:
        case OPT_PROFILE: {
            const char *name = c == OPT_QUICK ? "quick" : arg;
            const struct cli_profile *p = cli_profile_find(name);
            if (p == NULL) {
                char names[128];
                rc = fail(err, errlen, "--profile wants one of %s, not '%s'",
                          profile_names(names, sizeof names), arg);
                goto out;
            }
            if (o->profile != NULL && o->profile != p) {
                rc = fail(err, errlen,
                          "two profiles given (%s and %s): give one of --profile and --quick",
                          o->profile->name, p->name);
                goto out;
            }
            o->profile = p;
            break;
        }
        case OPT_FORMAT:
            if (strcmp(arg, "console") == 0)
                o->format = FORMAT_CONSOLE;
            else if (strcmp(arg, "json") == 0)
                o->format = FORMAT_JSON;
            else if (strcmp(arg, "csv") == 0)
                o->format = FORMAT_CSV;
            else if (strcmp(arg, "gobench") == 0)
                o->format = FORMAT_GOBENCH;
            else {
                rc = fail(err, errlen, "--format wants console, json, csv or gobench, not '%s'",
                          arg);
                goto out;
            }
            break;
        case OPT_OUT:
            if (*arg == '\0') {
                rc = fail(err, errlen, "--out wants a file name");
                goto out;
            }
            o->out = arg;
            break;
        case OPT_RESUME:
            if (*arg == '\0') {
                rc = fail(err, errlen, "--resume wants a journal file (FILE.journal)");
                goto out;
            }
            o->resume = arg;
            break;
        case OPT_STORE:
            if (*arg == '\0') {
                rc = fail(err, errlen,
                          "--store wants the path of a store file (e.g. "
                          "results/chanbench.sqlite) or a postgresql:// URL");
                goto out;
            }
            o->store = arg;
            o->store_given = true;
            break;
        case OPT_NO_STORE:
            o->no_store = true;
            o->store_given = true;
            break;
        case OPT_HELP:
            o->help = true;
            break;
        case ':': {
            const char *opt = argv[optind - 1];
            rc =
                fail(err, errlen, "option '%s' needs a value; see 'chanbench %s --help'", opt, cmd);
            goto out;
        }
        default:
            if (optopt >= 256)
                rc = fail(err, errlen, "option '%s' takes no value; see 'chanbench %s --help'",
                          argv[optind - 1], cmd);
            else if (optopt != 0)
                rc = fail(err, errlen, "unknown option '-%c'; see 'chanbench %s --help'", optopt,
                          cmd);
            else
                rc = fail(err, errlen, "unknown option '%s'; see 'chanbench %s --help'",
                          argv[optind - 1], cmd);
            goto out;
        }
    }
    if (optind < argc) {
        rc = fail(err, errlen, "unexpected argument '%s'; see 'chanbench %s --help'", argv[optind],
                  cmd);
        goto out;
    }
    if (o->resume != NULL && o->run_options_given) {
        rc = fail(err, errlen,
                  "--resume continues a run with the options in its journal; only --out, "
                  "--format, --store and --no-store may be given with it");
        goto out;
    }
    if (o->store != NULL && o->no_store) {
        rc = fail(err, errlen, "--store and --no-store contradict each other: give one of them");
        goto out;
    }
    if (o->out != NULL && strcmp(o->out, "-") == 0 &&
        (o->format == FORMAT_CSV || o->format == FORMAT_GOBENCH)) {
        rc = fail(err, errlen,
                  "--out - writes the JSON results to stdout, where --format %s would go too: "
                  "give --out FILE",
                  cli_format_name(o->format));
        goto out;
    }
    if (o->profile == NULL)
        o->profile = &cli_profiles[0];
    const struct cli_profile *p = o->profile;
    o->quick = p->quick_grid;
    if (!o->rounds_given)
        o->rounds = p->rounds;
    if (!o->min_time_given)
        o->min_time_s = p->min_time_s;
    /* The profile's tables are this file's own: a failure here is a programming error. */
    if (o->nimpls == 0 && p->impls != NULL && parse_impls(p->impls, o) != 0) {
        rc = fail(err, errlen, "profile %s: bad implementation list", p->name);
        goto out;
    }
    if (o->nthreads == 0 && p->threads != NULL && parse_threads(p->threads, o) != 0) {
        rc = fail(err, errlen, "profile %s: bad thread list", p->name);
        goto out;
    }
    if (p->filter != NULL) {
        if (regcomp(&o->profile_re, p->filter, REG_EXTENDED | REG_NOSUB) != 0) {
            rc = fail(err, errlen, "profile %s: bad filter", p->name);
            goto out;
        }
        o->has_profile_re = true;
    }
    if (o->filter != NULL) {
        /* Within a budget: glibc's regcomp can take gigabytes on a short pattern (regex_limit.h).
         */
        char msg[1536];
        if (regex_limit_compile(&o->filter_re, o->filter, msg, sizeof msg) != 0) {
            o->filter = NULL;
            rc = fail(err, errlen, "--filter %s", msg);
            goto out;
        }
    }
out:
    if (rc != 0)
        cli_free(o);
    return rc;
}

void
cli_free(struct run_options *o) {
    if (o->filter != NULL)
        regfree(&o->filter_re);
    o->filter = NULL;
    if (o->has_profile_re)
        regfree(&o->profile_re);
    o->has_profile_re = false;
    free(o->impl_list);
    o->impl_list = NULL;
    o->nimpls = 0;
}
