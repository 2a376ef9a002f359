/* SPDX-License-Identifier: MIT */
/* Option parsing of `run` and `list`: defaults, the profiles, every option's good form (the
 * store's too), and one-line errors (exit status 2) for unknown options, bad numbers and bad
 * values. */
#include "cli.h"

#include "check.h"

/* Parse a NULL-terminated argument list; returns the status and leaves err. */
static int
parse(bool list, struct run_options *o, char *err, size_t errlen, const char **args) {
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)(list ? "list" : "run");
    for (; *args != NULL; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    err[0] = '\0';
    return cli_parse(argc, argv, list, o, err, errlen);
}

#define ARGS(...) ((const char *[]){__VA_ARGS__, NULL})

/* A bad command line: status 2, a one-line message mentioning want. */
static void
bad(bool list, const char **args, const char *want) {
    struct run_options o;
    char err[512];
    int rc = parse(list, &o, err, sizeof err, args);
    if (rc != 2 || strstr(err, want) == NULL || strchr(err, '\n') != NULL) {
        fprintf(stderr, "args starting '%s': status %d, message '%s' (want 2 and '%s')\n", args[0],
                rc, err, want);
        check_failures++;
    }
}

int
main(void) {
    struct run_options o;
    char err[512];

    /* Defaults. */
    CHECK(parse(false, &o, err, sizeof err, (const char *[]){NULL}) == 0);
    const struct cli_profile *full = cli_profile_find("full");
    const struct cli_profile *quick = cli_profile_find("quick");
    const struct cli_profile *compare = cli_profile_find("compare");
    CHECK(full == &cli_profiles[0] && quick != NULL && compare != NULL);
    CHECK(cli_profile_find("fast") == NULL);
    CHECK(o.profile == full && !o.has_profile_re);
    CHECK(o.rounds == full->rounds && !o.rounds_given);
    CHECK_NEAR(o.min_time_s, full->min_time_s, 0);
    CHECK(o.interleave && o.control && !o.seed_given);
    CHECK_NEAR(o.peer_timeout_s, CLI_PEER_TIMEOUT_S, 0);
    CHECK_STR(o.pin, "compact");
    CHECK(o.format == FORMAT_CONSOLE && !o.quick && o.filter == NULL && o.out == NULL);
    CHECK(o.nthreads == 0 && o.nimpls == 0 && !o.help);
    cli_free(&o);

    /* --quick changes the defaults, explicit values win. */
    CHECK(parse(false, &o, err, sizeof err, ARGS("--quick")) == 0);
    CHECK(o.quick && o.profile == quick && o.rounds == quick->rounds);
    CHECK_NEAR(o.min_time_s, quick->min_time_s, 0);
    cli_free(&o);
    CHECK(parse(false, &o, err, sizeof err, ARGS("--profile", "quick", "--quick")) == 0);
    CHECK(o.profile == quick);
    cli_free(&o);

    /* A profile brings its filter, implementations and threads; given options win. */
    CHECK(parse(false, &o, err, sizeof err, ARGS("--profile", "compare")) == 0);
    CHECK(o.profile == compare && !o.quick && o.rounds == compare->rounds);
    CHECK(o.has_profile_re && o.filter == NULL);
    CHECK(regexec(&o.profile_re, "chan/spsc/cap=64/size=8/impl=go", 0, NULL, 0) == 0);
    CHECK(regexec(&o.profile_re, "chan/spsc/cap=64/size=512/impl=go", 0, NULL, 0) != 0);
    CHECK(o.nimpls > 2 && strcmp(o.impls[0], "goc") == 0);
    CHECK(o.nthreads == 4 && o.threads[3] == 8);
    cli_free(&o);
    CHECK(parse(false, &o, err, sizeof err,
                ARGS("--profile=compare", "--impl", "goc,go", "--threads", "2", "--rounds", "3",
                     "--filter", "chan/")) == 0);
    CHECK(o.nimpls == 2 && o.nthreads == 1 && o.threads[0] == 2 && o.rounds == 3);
    CHECK(o.has_profile_re && o.filter != NULL);
    cli_free(&o);
    CHECK(parse(true, &o, err, sizeof err, ARGS("--profile", "compare")) == 0);
    CHECK(o.profile == compare && o.has_profile_re);
    cli_free(&o);
    CHECK(parse(false, &o, err, sizeof err,
                ARGS("--min-time", "0.3s", "--quick", "--repetitions", "7")) == 0);
    CHECK(o.rounds == 7 && o.rounds_given); /* --repetitions is --rounds */
    CHECK_NEAR(o.min_time_s, 0.3, 1e-12);
    cli_free(&o);

    /* Every option. */
    CHECK(parse(false, &o, err, sizeof err,
                ARGS("--filter", "chan/(spsc|pingpong)", "--repetitions=9", "--min-time", "1.5",
                     "--threads", "1,4-6,2,4", "--pin", "0,1", "--impl", "goc,naive", "--format",
                     "gobench", "--out", "x.json")) == 0);
    CHECK_STR(o.filter, "chan/(spsc|pingpong)");
    CHECK(regexec(&o.filter_re, "chan/pingpong/cap=0/impl=goc", 0, NULL, 0) == 0);
    CHECK(regexec(&o.filter_re, "lock/mutex/threads=2/impl=goc", 0, NULL, 0) != 0);
    CHECK(o.rounds == 9);
    CHECK_NEAR(o.min_time_s, 1.5, 0);
    CHECK(o.nthreads == 5 && o.threads[0] == 1 && o.threads[1] == 4 && o.threads[2] == 5 &&
          o.threads[3] == 6 && o.threads[4] == 2);
    CHECK_STR(o.pin, "0,1");
    CHECK(o.nimpls == 2);
    CHECK_STR(o.impls[0], "goc");
    CHECK_STR(o.impls[1], "naive");
    CHECK(o.format == FORMAT_GOBENCH);
    CHECK_STR(o.out, "x.json");
    cli_free(&o);
    CHECK(parse(false, &o, err, sizeof err,
                ARGS("--rounds", "12", "--seed", "123456789012", "--no-interleave", "--no-control",
                     "--peer-timeout", "2.5")) == 0);
    CHECK(o.rounds == 12 && o.seed == 123456789012ull && o.seed_given);
    CHECK(!o.interleave && !o.control);
    CHECK_NEAR(o.peer_timeout_s, 2.5, 0);
    cli_free(&o);

    const char *formats[] = {"console", "json", "csv", "gobench"};
    for (int i = 0; i < 4; i++) {
        CHECK(parse(false, &o, err, sizeof err, ARGS("--format", formats[i])) == 0);
        CHECK_STR(cli_format_name(o.format), formats[i]);
        cli_free(&o);
    }
    const char *pins[] = {"compact", "scatter", "smt", "none", "3", "0-3,6"};
    for (int i = 0; i < 6; i++) {
        CHECK(parse(false, &o, err, sizeof err, ARGS("--pin", pins[i])) == 0);
        CHECK_STR(o.pin, pins[i]);
        cli_free(&o);
    }
    CHECK(parse(false, &o, err, sizeof err, ARGS("--help")) == 0 && o.help);
    cli_free(&o);
    CHECK(parse(false, &o, err, sizeof err, ARGS("-h")) == 0 && o.help);
    cli_free(&o);

    /* Parsing twice in one process starts afresh (getopt's state is reset). */
    CHECK(parse(true, &o, err, sizeof err, ARGS("--filter", "spsc", "--quick")) == 0);
    CHECK(o.quick);
    cli_free(&o);
    CHECK(parse(true, &o, err, sizeof err, (const char *[]){NULL}) == 0);
    CHECK(!o.quick && o.filter == NULL);
    cli_free(&o);

    /* Errors. */
    bad(false, ARGS("--bogus"), "unknown option '--bogus'");
    bad(false, ARGS("-x"), "unknown option '-x'");
    bad(false, ARGS("--quick=1"), "takes no value");
    bad(false, ARGS("--profile", "fast"),
        "--profile wants one of full, quick, compare, not 'fast'");
    bad(false, ARGS("--quick", "--profile", "compare"), "two profiles given (quick and compare)");
    bad(true, ARGS("--profile"), "needs a value");
    bad(false, ARGS("--filter"), "needs a value");
    bad(false, ARGS("--repetitions", "abc"), "--repetitions");
    bad(false, ARGS("--repetitions", "0"), "--repetitions");
    bad(false, ARGS("--repetitions", "3x"), "--repetitions");
    bad(false, ARGS("--repetitions", "99999999999999999999"), "--repetitions");
    bad(false, ARGS("--rounds", "0"), "--rounds");
    bad(false, ARGS("--rounds", "x"), "--rounds");
    bad(false, ARGS("--seed", "-3"), "--seed");
    bad(false, ARGS("--seed", "12ab"), "--seed");
    bad(false, ARGS("--seed", "99999999999999999999999"), "--seed");
    bad(false, ARGS("--peer-timeout", "0"), "--peer-timeout");
    bad(false, ARGS("--no-interleave=yes"), "takes no value");
    bad(false, ARGS("--min-time", "-1"), "--min-time");
    bad(false, ARGS("--min-time", "0"), "--min-time");
    bad(false, ARGS("--min-time", "nan"), "--min-time");
    bad(false, ARGS("--min-time", "1ms"), "--min-time");
    bad(false, ARGS("--threads", "0"), "--threads");
    bad(false, ARGS("--threads", "a,b"), "--threads");
    bad(false, ARGS("--threads", "4-2"), "--threads");
    bad(false, ARGS("--threads", ""), "--threads");
    bad(false, ARGS("--pin", "tight"), "--pin");
    bad(false, ARGS("--pin", ""), "--pin");
    bad(false, ARGS("--impl", ","), "--impl");
    bad(false, ARGS("--format", "xml"), "--format");
    bad(false, ARGS("--out", ""), "--out");
    bad(false, ARGS("--filter", "(unclosed"), "not a valid regular expression");
    bad(false, ARGS("stray"), "unexpected argument 'stray'");
    bad(true, ARGS("--format", "json"), "unknown option '--format'");
    bad(true, ARGS("--repetitions", "3"), "unknown option '--repetitions'");
    bad(true, ARGS("--rounds", "3"), "unknown option '--rounds'");

    /* The results store: --store PATH or --no-store, not both; like --out, they may be given
     * with --resume (where to record is not what is measured). */
    CHECK(parse(false, &o, err, sizeof err, (const char *[]){NULL}) == 0);
    CHECK(o.store == NULL && !o.no_store && !o.store_given);
    cli_free(&o);
    CHECK(parse(false, &o, err, sizeof err, ARGS("--store", "s/x.sqlite")) == 0);
    CHECK_STR(o.store, "s/x.sqlite");
    CHECK(!o.no_store && o.store_given && !o.run_options_given);
    cli_free(&o);
    CHECK(parse(false, &o, err, sizeof err, ARGS("--resume", "r.json.journal", "--no-store")) == 0);
    CHECK(o.no_store && o.store_given && o.store == NULL);
    cli_free(&o);
    CHECK(parse(false, &o, err, sizeof err, ARGS("--resume", "j", "--store=t.sqlite")) == 0);
    cli_free(&o);
    bad(false, ARGS("--store", "a.sqlite", "--no-store"), "contradict");
    bad(false, ARGS("--store", ""), "--store wants");
    bad(false, ARGS("--no-store=yes"), "takes no value");
    bad(false, ARGS("--resume", "j", "--rounds", "3"), "--store and --no-store may be given");
    bad(true, ARGS("--no-store"), "unknown option '--no-store'");

    return check_result("cli_test");
}
