/* SPDX-License-Identifier: MIT */
/* `chanbench store`: import results files into the results store, list it, export a run
 * byte for byte, and put machines side by side. The store itself is store/store.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"
#include "store.h"

static const char store_usage[] =
    "usage: chanbench store [--store PATH] COMMAND [ARGS]\n"
    "\n"
    "The results store: every run's results file, kept byte for byte in one SQLite file with\n"
    "its machine, its rows and its paired ratios.\n"
    "\n"
    "commands:\n"
    "  import FILE...            bring results files in; a run already there is skipped with\n"
    "                            a line (an interrupted run is replaced by its complete file)\n"
    "  list                      the machines, then the runs: id, machine, commit, date, rows\n"
    "  export RUN [--out FILE]   write run RUN (its id, or 4+ of its first hex digits) back as\n"
    "                            the results file it was imported from, byte for byte; to\n"
    "                            stdout without --out\n"
    "  machines                  one row per benchmark, one column per machine (its latest\n"
    "                            run): time per operation in multiples of the machine's floor,\n"
    "                            then the paired ratios goc/go and goc/crossbeam\n"
    "\n"
    "options:\n"
    "  --store PATH   the store (default $CHANBENCH_STORE, else results/chanbench.sqlite);\n"
    "                 import creates it, the other commands need it\n"
    "  -h, --help     this text\n"
    "\n"
    "A run's id is a hash of its host name, start date and seed: a copy of a file, or a\n"
    "resumed run's file and its interrupted one, are one run.\n"
    "\n"
    "exit status: 0 done (import: every file imported or already there); 1 the store could\n"
    "not be written or read (SQLite, the disk); 2 bad usage or bad input: a results file that\n"
    "does not load (import goes on with the others), an unknown run, or a store that is\n"
    "corrupt, not a chanbench store or of a newer schema (left untouched).\n";

static int
usage_error(const char *msg, const char *arg) {
    fprintf(stderr, "chanbench store: %s%s (see chanbench store --help)\n", msg, arg);
    return 2;
}

static int
do_import(const char *path, char **files, int nfiles) {
    char err[1024];
    struct store *s;
    int code = store_open(path, true, &s, err, sizeof err);
    if (code != 0) {
        fprintf(stderr, "chanbench store: %s\n", err);
        return code;
    }
    int rc = 0;
    for (int i = 0; i < nfiles; i++) {
        enum store_import what;
        char id[STORE_ID_LEN];
        code = store_import(s, files[i], &what, id, err, sizeof err);
        if (code == 1) {
            /* The store itself failed: the next file would too. */
            fprintf(stderr, "chanbench store import: %s\n", err);
            rc = 1;
            break;
        }
        if (code != 0) {
            fprintf(stderr, "chanbench store import: %s\n", err);
            rc = 2;
        } else if (what == STORE_DUPLICATE) {
            fprintf(stderr, "chanbench store import: %s\n", err);
        } else {
            printf("%s %s %s\n", what == STORE_REPLACED ? "replaced" : "imported", id, files[i]);
        }
    }
    store_close(s);
    return rc;
}

static int
do_export(const char *path, const char *ref, const char *out) {
    char err[1024];
    struct store *s;
    int code = store_open(path, false, &s, err, sizeof err);
    if (code != 0) {
        fprintf(stderr, "chanbench store: %s\n", err);
        return code;
    }
    char *buf, id[STORE_ID_LEN];
    size_t len;
    /* A bad --out is bad usage (2), found before anything is read, as run's --out. */
    if (out != NULL && strcmp(out, "-") != 0 &&
        report_check_folder(out, NULL, 0, err, sizeof err) != 0) {
        store_close(s);
        fprintf(stderr, "chanbench store export: %s\n", err);
        return 2;
    }
    code = store_run_bytes(s, ref, &buf, &len, id, err, sizeof err);
    store_close(s);
    if (code != 0) {
        fprintf(stderr, "chanbench store export: %s\n", err);
        return code;
    }
    if (out == NULL || strcmp(out, "-") == 0) {
        if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
            fprintf(stderr, "chanbench store export: cannot write to stdout\n");
            code = 1;
        }
    } else if (memchr(buf, '\0', len) != NULL) {
        /* report_write_file writes text; a results file that loaded never holds a NUL. */
        fprintf(stderr, "chanbench store export: run %s holds a NUL byte; export it to stdout\n",
                id);
        code = 1;
    } else if (report_write_file(out, buf, err, sizeof err) != 0) {
        fprintf(stderr, "chanbench store export: %s\n", err);
        code = 1;
    }
    free(buf);
    return code;
}

/* list and machines: open the store, print, close. */
static int
do_print(const char *path, int (*fn)(struct store *, FILE *, char *, size_t)) {
    char err[1024];
    struct store *s;
    int code = store_open(path, false, &s, err, sizeof err);
    if (code == 0) {
        code = fn(s, stdout, err, sizeof err);
        store_close(s);
    }
    if (code != 0)
        fprintf(stderr, "chanbench store: %s\n", err);
    else if (fflush(stdout) != 0) {
        fprintf(stderr, "chanbench store: cannot write the output\n");
        code = 1;
    }
    return code;
}

int
cmd_store(int argc, char **argv) {
    const char *path = store_default_path(), *out = NULL;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    int nargs = 0;
    if (args == NULL)
        return 1;
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(store_usage, stdout);
            rc = 0;
            goto done;
        }
        const char **dst = NULL;
        const char *val = NULL;
        if (strncmp(a, "--store", 7) == 0 && (a[7] == '\0' || a[7] == '='))
            dst = &path, val = a[7] == '=' ? a + 8 : NULL;
        else if (strncmp(a, "--out", 5) == 0 && (a[5] == '\0' || a[5] == '='))
            dst = &out, val = a[5] == '=' ? a + 6 : NULL;
        if (dst != NULL) {
            if (val == NULL && i + 1 >= argc) {
                rc = usage_error("a value is missing after ", a);
                goto done;
            }
            *dst = val != NULL ? val : argv[++i];
            if ((*dst)[0] == '\0') {
                rc = usage_error("an empty value for ", a);
                goto done;
            }
            continue;
        }
        if (strcmp(a, "--") == 0) {
            while (++i < argc)
                args[nargs++] = argv[i];
            break;
        }
        if (a[0] == '-' && a[1] != '\0') {
            rc = usage_error("unknown option ", a);
            goto done;
        }
        args[nargs++] = argv[i];
    }
    if (nargs == 0) {
        rc = usage_error("which command? import, list, export or machines", "");
        goto done;
    }
    const char *cmd = args[0];
    if (out != NULL && strcmp(cmd, "export") != 0) {
        rc = usage_error("--out is an option of export, not of ", cmd);
        goto done;
    }
    if (strcmp(cmd, "import") == 0) {
        if (nargs < 2)
            rc = usage_error("import needs at least one results file", "");
        else
            rc = do_import(path, args + 1, nargs - 1);
    } else if (strcmp(cmd, "export") == 0) {
        if (nargs != 2)
            rc = usage_error("export takes one run id; 'chanbench store list' shows them", "");
        else
            rc = do_export(path, args[1], out);
    } else if (strcmp(cmd, "list") == 0 || strcmp(cmd, "machines") == 0) {
        if (nargs != 1)
            rc = usage_error("no arguments are taken by ", cmd);
        else
            rc = do_print(path, strcmp(cmd, "list") == 0 ? store_list : store_machines);
    } else {
        rc = usage_error("unknown command ", cmd);
    }
done:
    free(args);
    return rc;
}
