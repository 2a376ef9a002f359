/* SPDX-License-Identifier: MIT */
/* Fuzz target: the results loader (model/results.c), which compare and plot run on files a
 * user names. The input is the file's content; it is put in a memory file (memfd) and loaded
 * through its /proc/self/fd path, so that results_load runs exactly as on a file on disk.
 * What a loaded file offers (every benchmark by name, its params, the context) is then read
 * as compare and plot read it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "results.h"

/* The memory file every input is written to, opened once per process. */
static int
memory_file(void) {
    static int fd = -1;
    if (fd < 0) {
        fd = memfd_create("fuzz_results", MFD_CLOEXEC);
        if (fd < 0) {
            perror("fuzz_results: memfd_create");
            abort();
        }
    }
    return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int fd = memory_file();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
        perror("fuzz_results: writing the memory file");
        abort();
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct result_file f;
    char err[512];
    if (results_load(path, &f, err, sizeof err) == 0) {
        volatile double sink = 0;
        for (size_t i = 0; i < f.nbenches; i++) {
            const struct result_bench *b = results_find(&f, f.benches[i].name);
            if (b != &f.benches[i])
                abort(); /* the index must find every benchmark it holds */
            for (size_t r = 0; r < b->nreps; r++)
                sink += b->real_time[r] + b->cpu_time[r];
            sink += results_param(b, "threads");
        }
        (void)results_context_str(&f, "host");
        (void)results_context_str(&f, "git_commit");
        (void)sink;
    }
    results_free(&f);
    return 0;
}
