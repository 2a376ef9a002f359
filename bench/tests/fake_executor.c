/* SPDX-License-Identifier: MIT */
/* A stand-in executor for the tests (docs/results-format.md, "Executors"): it speaks protocol
 * 2 on stdin/stdout, or misbehaves in the way FAKE_EXECUTOR_MODE says, so that the harness's
 * handling of every kind of executor trouble is tested without Go or Rust:
 *   ok       answers every run with made-up figures: 100 ns per operation, a histogram of
 *            iters values of 250 ns for chan/pingpong, extra.fake 1
 *   version  answers hello with protocol 1 and an error, and exits 2
 *   impl     says it is impl "other"
 *   silent   exits before answering hello
 *   hang     answers hello, then never answers a run
 *   die      answers hello, then exits with status 3 at the first run
 *   kill     answers hello, then kills itself with SIGKILL at the first run
 *   garbage  answers the first run with a line that is not JSON
 *   nul      answers every run with a line that is a whole answer, a NUL byte, and more
 *   wrongid  answers the first run with another id
 *   badhist  answers with a histogram whose counts do not add up
 *   fail     answers the first run with "failed" (its check failed) and exits 1
 *   refuse   answers runs of chan/pingpong with "error", the others as ok
 * FAKE_EXECUTOR_LOG, when set, names a file that gets every request line. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
word(const char *line, const char *key, char *buf, size_t len) {
    size_t kl = strlen(key);
    for (const char *p = line; (p = strstr(p, key)) != NULL; p++) {
        if ((p == line || p[-1] == ' ') && p[kl] == '=') {
            size_t n = strcspn(p + kl + 1, " \n");
            if (n >= len)
                n = len - 1;
            memcpy(buf, p + kl + 1, n);
            buf[n] = '\0';
            return buf;
        }
    }
    return NULL;
}

int
main(int argc, char **argv) {
    if (argc != 2 || strcmp(argv[1], "--serve") != 0) {
        fprintf(stderr, "usage: fake_executor --serve\n");
        return 2;
    }
    const char *mode = getenv("FAKE_EXECUTOR_MODE");
    mode = mode ? mode : "ok";
    const char *logpath = getenv("FAKE_EXECUTOR_LOG");
    FILE *log = logpath ? fopen(logpath, "a") : NULL;
    setvbuf(stdout, NULL, _IOLBF, 0);
    char line[4096];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (log != NULL) {
            fputs(line, log);
            fflush(log);
        }
        char id[32] = "0", bench[512] = "", iters[32] = "1";
        if (strncmp(line, "hello", 5) == 0) {
            if (strcmp(mode, "silent") == 0)
                return 0;
            if (strcmp(mode, "version") == 0) {
                printf("{\"protocol\":1,\"error\":\"this executor speaks protocol 1\"}\n");
                return 2;
            }
            printf("{\"protocol\":2,\"impl\":\"%s\",\"version\":\"fake 1.0\","
                   "\"library_version\":\"fake-lib 2.0\",\"cpu_time_scope\":\"none\","
                   "\"pinning\":\"none\"}\n",
                   strcmp(mode, "impl") == 0 ? "other" : "go");
            continue;
        }
        if (strncmp(line, "quit", 4) == 0)
            return 0;
        if (strncmp(line, "run ", 4) != 0) {
            printf("{\"ok\":false,\"error\":\"unknown request\"}\n");
            continue;
        }
        word(line, "id", id, sizeof id);
        word(line, "bench", bench, sizeof bench);
        word(line, "iters", iters, sizeof iters);
        long long n = atoll(iters);
        if (strcmp(mode, "hang") == 0) {
            pause();
            return 0;
        }
        if (strcmp(mode, "die") == 0)
            return 3;
        if (strcmp(mode, "kill") == 0)
            raise(SIGKILL);
        if (strcmp(mode, "garbage") == 0) {
            printf("this is not JSON\n");
            continue;
        }
        if (strcmp(mode, "nul") == 0) {
            printf("{\"id\":%s,\"ok\":true,\"ops\":1,\"wall_ns\":1,\"cpu_ns\":1,\"vcsw\":0,"
                   "\"ivcsw\":0,\"threads\":1}%c{\"id\":%lld}\n",
                   id, '\0', atoll(id) + 1);
            continue;
        }
        if (strcmp(mode, "wrongid") == 0) {
            printf("{\"id\":%lld,\"ok\":true}\n", atoll(id) + 100);
            continue;
        }
        if (strcmp(mode, "fail") == 0) {
            printf("{\"id\":%s,\"ok\":false,\"failed\":\"message 7 arrived twice\"}\n", id);
            return 1;
        }
        if (strcmp(mode, "refuse") == 0 && strstr(bench, "pingpong") != NULL) {
            printf("{\"id\":%s,\"ok\":false,\"error\":\"no pingpong here\"}\n", id);
            continue;
        }
        char hist[256] = "";
        if (strstr(bench, "pingpong") != NULL || strcmp(mode, "badhist") == 0)
            /* 250 ns is bucket 250 (values below 2048 are exact). */
            snprintf(hist, sizeof hist,
                     ",\"hist\":{\"count\":%lld,\"min\":250,\"max\":250,\"counts\":[[250,%lld]]}",
                     n + (strcmp(mode, "badhist") == 0), n);
        printf("{\"id\":%s,\"ok\":true,\"ops\":%lld,\"wall_ns\":%lld,\"cpu_ns\":%lld,\"vcsw\":1,"
               "\"ivcsw\":2,\"threads\":2,\"affinity\":\"0\",\"gomaxprocs\":null%s,"
               "\"extra\":{\"fake\":1}}\n",
               id, n, n * 100, n * 150, hist);
    }
    return 0;
}
