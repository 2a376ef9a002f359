/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the harness, the scenarios and the tools; see util.h. */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
bench_seterr(char *err, size_t errlen, const char *fmt, ...) {
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int
bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int64_t
bench_thread_cpu_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool
bench_exe_dir(char *buf, size_t len) {
    if (len < 2)
        return false;
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0 || (size_t)n >= len - 1)
        return false;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash == NULL)
        return false;
    *slash = '\0';
    return true;
}

char *
bench_json_line(const json_t *v, size_t flags) {
    char *text = json_dumps(v, flags);
    if (text == NULL)
        return NULL;
    size_t len = strlen(text);
    char *t = realloc(text, len + 2);
    if (t == NULL) {
        free(text);
        return NULL;
    }
    t[len] = '\n';
    t[len + 1] = '\0';
    return t;
}
