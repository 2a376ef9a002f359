/* SPDX-License-Identifier: MIT */
/* Writing a chart of `chanbench plot` out (plot_draw.h): its .dat file, gnuplot run on its
 * script, and the files and paths around that. What a chart holds is plot_charts.c's. */
#define _GNU_SOURCE
#include "plot_draw.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "textable.h"
#include "util.h"

extern char **environ;

/* ---- the files of the chart being drawn, for a signal ----------------------------------- */

/* A chart's temporary files (data, gnuplot's log, its two images), kept where a signal handler
 * can remove them: a plot stopped by SIGINT, SIGTERM, SIGHUP or SIGPIPE (its reader gone)
 * leaves no half-drawn chart. Set and cleared by the one drawing thread; the handler reads them
 * only while armed. */
enum { TEMP_DATA, TEMP_LOG, TEMP_PNG, TEMP_SVG, NTEMPS };
static char temp_paths[NTEMPS][4096];
static volatile sig_atomic_t temps_armed;
static volatile sig_atomic_t gnuplot_pid;

static void
remove_temps_and_die(int sig) {
    if (gnuplot_pid > 0) {
        kill((pid_t)gnuplot_pid, SIGTERM);
        waitpid((pid_t)gnuplot_pid, NULL, 0);
    }
    if (temps_armed)
        for (int i = 0; i < NTEMPS; i++)
            if (temp_paths[i][0] != '\0')
                unlink(temp_paths[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Note the temporary files of the chart stem in dir (paths too long to note are not). */
static void
temps_arm(const char *dir, const char *stem) {
    static const char *const fmt[NTEMPS] = {"%s/.%s.dat.tmp", "%s/.%s.gnuplot.log",
                                            "%s/.%s.tmp.png", "%s/.%s.tmp.svg"};
    temps_armed = 0;
    for (int i = 0; i < NTEMPS; i++) {
        int n = snprintf(temp_paths[i], sizeof temp_paths[i], fmt[i], dir, stem);
        if (n < 0 || (size_t)n >= sizeof temp_paths[i])
            temp_paths[i][0] = '\0';
    }
    temps_armed = 1;
}

void
plot_guard_signals(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = remove_temps_and_die;
        sigemptyset(&sa.sa_mask);
        for (size_t j = 0; j < sizeof sigs / sizeof sigs[0]; j++)
            sigaddset(&sa.sa_mask, sigs[j]); /* one handler at a time */
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Write c's data to tmp, then rename it to path (when path is not NULL; else the caller
 * renames it once the chart is drawn). 0, or -1 with tmp removed after saying why. */
static int
write_data(const struct chart *c, const char *tmp, const char *path) {
    FILE *o = fopen(tmp, "w");
    if (o == NULL) {
        fprintf(stderr, "chanbench plot: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    fprintf(o, "# chanbench plot data for scripts/%s.gp\n", c->script);
    fprintf(o, "# machine: %s\n", c->machine);
    fprintf(o, "# subtitle: %s\n", c->subtitle);
    fprintf(o, "# source: %s\n", c->source);
    fprintf(o, "# columns: %s\n", c->columns);
    if (c->raw != NULL) {
        fputs(c->raw, o);
    } else if (c->npu > 0) {
        fputs("\"PU\"", o);
        for (size_t j = 0; j < c->npu; j++)
            fprintf(o, " %d", c->pu[j]);
        fputc('\n', o);
        for (size_t i = 0; i < c->npu; i++) {
            fprintf(o, "%d", c->pu[i]);
            for (size_t j = 0; j < c->npu; j++) {
                if (isnan(c->c2c[i][j]))
                    fputs(" NaN", o);
                else
                    fprintf(o, " %.4g", c->c2c[i][j]);
            }
            fputc('\n', o);
        }
    } else {
        for (int b = 0; b < 2 && c->t[b] != NULL; b++) {
            if (b > 0)
                fputs("\n\n", o);
            fprintf(o, "# block %d\n", b);
            stab_write(c->t[b], o, c->xname[b]);
        }
    }
    int rc = 0;
    if (fflush(o) != 0 || ferror(o) || fsync(fileno(o)) != 0)
        rc = -1;
    if (fclose(o) != 0)
        rc = -1;
    if (rc == 0 && path != NULL && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "chanbench plot: cannot write %s: %s\n", path ? path : tmp,
                strerror(errno));
        unlink(tmp);
    }
    return rc;
}

/* mkdir -p. 0, or -1 with errno set. */
int
plot_mkdirs(const char *dir) {
    char *p = tx_strdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    if (rc == 0) {
        struct stat st;
        if (stat(dir, &st) != 0)
            return -1;
        if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return -1;
        }
    }
    return rc;
}

/* The full path of prog on PATH, or NULL. */
char *
plot_find_on_path(const char *prog) {
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0')
        return NULL;
    char *copy = tx_strdup(path);
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
        char *full = tx_fmt("%s/%s", *d ? d : ".", prog);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
            free(copy);
            return full;
        }
        free(full);
    }
    free(copy);
    return NULL;
}

static bool
is_dir_with(const char *dir, const char *file) {
    char *p = tx_fmt("%s/%s", dir, file);
    bool ok = access(p, R_OK) == 0;
    free(p);
    return ok;
}

/* Where the .gp scripts are: $CHANBENCH_SCRIPTS, the source tree, ./scripts. */
char *
plot_find_scripts(void) {
    const char *env = getenv("CHANBENCH_SCRIPTS");
    if (env != NULL && *env != '\0')
        return tx_strdup(env);
    char dir[4096];
    if (bench_exe_dir(dir, sizeof dir)) { /* installed: PREFIX/bin/chanbench */
        char *installed = tx_fmt("%s/../share/chanbench", dir);
        if (is_dir_with(installed, "chan_capacity.gp"))
            return installed;
        free(installed);
    }
    if (is_dir_with(CHANBENCH_SOURCE_DIR "/scripts", "chan_capacity.gp"))
        return tx_strdup(CHANBENCH_SOURCE_DIR "/scripts");
    return tx_strdup("scripts");
}

/* A gnuplot single-quoted string literal: quotes doubled. */
static char *
gp_quote(const char *s) {
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 2 : 1;
    char *q = malloc(n), *d = q;
    if (q == NULL)
        plot_oom();
    *d++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            *d++ = '\'';
        *d++ = *p;
    }
    *d++ = '\'';
    *d = '\0';
    return q;
}

static off_t
file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Run gnuplot on c's script and its data (the temporary data file): draws
 * dir/.stem.tmp.{png,svg}, renamed into place when both are there and non-empty. 0, or -1
 * after printing what went wrong (gnuplot's first lines with it), leaving no file behind:
 * neither the images, whole or partial, nor gnuplot's log. */
static int
draw(const struct chart *c, const char *dir, const char *data, const char *scripts,
     const char *gnuplot) {
    char *script = tx_fmt("%s/%s.gp", scripts, c->script);
    char *tmpout = tx_fmt("%s/.%s.tmp", dir, c->stem);
    char *log = tx_fmt("%s/.%s.gnuplot.log", dir, c->stem);
    char *qd = gp_quote(data), *qo = gp_quote(tmpout), *qm = gp_quote(c->machine),
         *qs = gp_quote(c->subtitle);
    char *expr = tx_fmt("datafile=%s; out=%s; machine=%s; subtitle=%s", qd, qo, qm, qs);
    int rc = -1;

    if (access(script, R_OK) != 0) {
        fprintf(stderr,
                "chanbench plot: %s: %s (set CHANBENCH_SCRIPTS to the folder of the .gp "
                "scripts)\n",
                script, strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)gnuplot, "-e", expr, script, NULL};
    pid_t pid;
    int err = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) {
        fprintf(stderr, "chanbench plot: cannot run %s: %s\n", gnuplot, strerror(err));
        goto out;
    }
    gnuplot_pid = pid;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            gnuplot_pid = 0;
            fprintf(stderr, "chanbench plot: waitpid: %s\n", strerror(errno));
            goto out;
        }
    gnuplot_pid = 0;
    static const char *const ext[] = {"png", "svg"};
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    fflush(stdout);
    for (int e = 0; e < 2 && ok; e++) {
        char *t = tx_fmt("%s.%s", tmpout, ext[e]);
        ok = file_size(t) > 0;
        free(t);
    }
    if (!ok) {
        fprintf(stderr,
                "chanbench plot: gnuplot failed on %s drawing %s/%s (its data, images and log "
                "removed); it said:\n",
                script, dir, c->stem);
        FILE *l = fopen(log, "r");
        char line[512];
        for (int i = 0; l != NULL && i < 8 && fgets(line, sizeof line, l) != NULL; i++)
            fprintf(stderr, "  %s%s", line, strchr(line, '\n') ? "" : "\n");
        if (l != NULL)
            fclose(l);
        for (int e = 0; e < 2; e++) {
            char *t = tx_fmt("%s.%s", tmpout, ext[e]);
            unlink(t);
            free(t);
        }
        goto out;
    }
    rc = 0;
    for (int e = 0; e < 2; e++) {
        char *t = tx_fmt("%s.%s", tmpout, ext[e]);
        char *final = tx_fmt("%s/%s.%s", dir, c->stem, ext[e]);
        if (rename(t, final) != 0) {
            fprintf(stderr, "chanbench plot: cannot rename %s to %s: %s\n", t, final,
                    strerror(errno));
            rc = -1;
        }
        free(t);
        free(final);
    }
out:
    unlink(log); /* absent when gnuplot never ran */
    free(script);
    free(tmpout);
    free(log);
    free(qd);
    free(qo);
    free(qm);
    free(qs);
    free(expr);
    return rc;
}

/* A file's label: its name without folders and .json, in [A-Za-z0-9._-]. */
char *
plot_label_for(const char *path) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *l = tx_strdup(b);
    size_t n = strlen(l);
    if (n > 5 && strcmp(l + n - 5, ".json") == 0)
        l[n - 5] = '\0';
    for (char *p = l; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '_';
    return l;
}

/* Write c's data and draw it (or say why not); takes ownership of c. */
void
plot_emit(struct plot_state *st, struct chart *c, bool have, const char *why, const char *what) {
    if (!have) {
        printf("skipped %-15s %s: %s\n", c->script, what, why);
        st->skipped++;
        plot_chart_free(c);
        return;
    }
    /* The data is drawn from a temporary file, renamed to CHART.dat beside the images only
     * once they are drawn: a chart that fails leaves nothing, and an earlier run's CHART.dat
     * stays with its images. Without gnuplot the data files are the output. */
    char *path = tx_fmt("%s/%s.dat", st->dir, c->stem);
    char *tmp = tx_fmt("%s/.%s.dat.tmp", st->dir, c->stem);
    temps_arm(st->dir, c->stem);
    if (write_data(c, tmp, st->gnuplot == NULL ? path : NULL) != 0) {
        st->failed++;
    } else if (st->gnuplot == NULL) {
        st->written++;
        printf("data    %-15s %s\n", c->script, path);
    } else if (draw(c, st->dir, tmp, st->scripts, st->gnuplot) != 0) {
        unlink(tmp);
        st->failed++;
    } else if (rename(tmp, path) != 0) {
        fprintf(stderr, "chanbench plot: cannot rename %s to %s: %s\n", tmp, path, strerror(errno));
        unlink(tmp);
        st->failed++;
    } else {
        st->written++;
        printf("chart   %-15s %s/%s.png %s/%s.svg\n", c->script, st->dir, c->stem, st->dir,
               c->stem);
        struct plot_drawn *cs = realloc(st->charts, (st->drawn + 1) * sizeof *cs);
        if (cs == NULL)
            plot_oom();
        st->charts = cs;
        cs[st->drawn] =
            (struct plot_drawn){c->script, tx_strdup(c->stem), tx_strdup(c->machine),
                                tx_strdup(c->subtitle ? c->subtitle : ""), tx_strdup(c->source)};
        st->drawn++;
    }
    temps_armed = 0;
    fflush(stdout);
    free(path);
    free(tmp);
    plot_chart_free(c);
}

void
plot_state_free(struct plot_state *st) {
    for (size_t i = 0; i < st->drawn; i++) {
        free(st->charts[i].stem);
        free(st->charts[i].machine);
        free(st->charts[i].subtitle);
        free(st->charts[i].source);
    }
    free(st->charts);
    free(st->scripts);
    free(st->gnuplot);
    memset(st, 0, sizeof *st);
}
