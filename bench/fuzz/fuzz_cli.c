/* SPDX-License-Identifier: MIT */
/* Fuzz target: the option parser of `chanbench run` and `chanbench list` (commands/cli.c),
 * which parses and checks only: it runs nothing, starts no executor and writes no file. The
 * input is a command line: its first byte chooses run (even) or list (odd), the rest is split
 * into arguments, each ended by a NUL or a newline. A filter that compiles is then matched against
 * a benchmark name, as list and run match every name. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    bool list = data[0] & 1;
    /* One copy of the arguments, NUL-terminated, and argv pointing into it. */
    char *args = malloc(size);
    char **argv = malloc((size + 2) * sizeof *argv);
    if (args == NULL || argv == NULL)
        abort();
    memcpy(args, data + 1, size - 1);
    args[size - 1] = '\0';
    static char run_word[] = "run", list_word[] = "list";
    int argc = 0;
    argv[argc++] = list ? list_word : run_word;
    /* A NUL or newline ends an argument; the input's end ends a last one that is not empty. */
    char *start = args;
    for (size_t i = 0; i + 1 < size; i++) {
        if (args[i] == '\n' || args[i] == '\0') {
            args[i] = '\0';
            argv[argc++] = start;
            start = args + i + 1;
        }
    }
    if (*start != '\0')
        argv[argc++] = start;
    argv[argc] = NULL;

    struct run_options o;
    char err[512];
    if (cli_parse(argc, argv, list, &o, err, sizeof err) == 0) {
        if (o.filter != NULL)
            (void)regexec(&o.filter_re, "chan/spsc/cap=1024/size=8/impl=goc", 0, NULL, 0);
        (void)cli_format_name(o.format);
        cli_free(&o);
    }
    free(argv);
    free(args);
    return 0;
}
