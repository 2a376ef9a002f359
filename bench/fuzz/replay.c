/* SPDX-License-Identifier: MIT */
/* replay: the main() of a fuzz target in a build without libFuzzer. Every argument is a file or
 * a folder whose files (not recursively, in name order) are each fed once to
 * LLVMFuzzerTestOneInput, so that a plain or sanitized build replays the committed corpus and
 * every input the fuzzer once found stays fixed. Exit 0 when every input ran (a bug crashes),
 * 2 on a usage or read error, or when a folder holds no input (a missing corpus must fail). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Feed the file at path to the target. 0, or -1 after saying why. */
static int
replay_file(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                free(buf);
            buf = nb;
        }
    }
    int rerr = ferror(fp);
    fclose(fp);
    if (buf == NULL || rerr) {
        fprintf(stderr, "replay: %s: %s\n", path, buf == NULL ? "out of memory" : "read error");
        free(buf);
        return -1;
    }
    /* A copy of exactly len bytes, so that ASan sees a read past the input's end. */
    uint8_t *input = malloc(len ? len : 1);
    if (input == NULL) {
        free(buf);
        return -1;
    }
    memcpy(input, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(input, len);
    free(input);
    return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int
not_dot(const struct dirent *d) {
    return d->d_name[0] != '.';
}

/* Feed every file of folder dir. The number fed, or -1 after saying why. */
static int
replay_dir(const char *dir) {
    struct dirent **names;
    int n = scandir(dir, &names, not_dot, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int fed = 0, rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(path) != 0)
                rc = -1;
            else
                fed++;
        }
        free(names[i]);
    }
    free(names);
    return rc != 0 ? -1 : fed;
}

int
main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_FOLDER_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        if (S_ISDIR(st.st_mode)) {
            int fed = replay_dir(argv[i]);
            if (fed < 0)
                return 2;
            if (fed == 0) {
                fprintf(stderr, "replay: %s holds no input; a corpus folder must not be empty\n",
                        argv[i]);
                return 2;
            }
            printf("replay: %d inputs of %s ran\n", fed, argv[i]);
        } else if (replay_file(argv[i]) != 0) {
            return 2;
        } else {
            printf("replay: %s ran\n", argv[i]);
        }
    }
    return 0;
}
