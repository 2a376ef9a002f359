/* SPDX-License-Identifier: MIT */
/* Fuzz target: what chanbench reads from an executor (measure/executor.c, protocol 2 of
 * docs/results-format.md): the input is everything an executor sends, one answer per line.
 * The first line answers hello (as impl "go"); each further line answers the next run order
 * (ids 1, 2, ...), as executor_run reads them, until an answer that would end the executor
 * (one it kills, or a failed check). The figures of an accepted answer are summarised as the
 * engine summarises a chunk's. */
#include <stdlib.h>
#include <string.h>

#include "executor.h"
#include "fuzz.h"
#include "hist.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* The lines, NUL-terminated in a copy, as executor.c's read_line makes them: a line ends
     * at a newline, and a NUL inside it becomes a control character (that JSON refuses). */
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    for (size_t i = 0; i < size; i++)
        text[i] = data[i] == '\0' ? '\x01' : (char)data[i];
    text[size] = '\0';
    char *line = text, *end = text + size;
    char msg[512];
    char *nl = memchr(line, '\n', (size_t)(end - line));
    if (nl == NULL)
        goto out; /* no whole line: the reader would still be waiting */
    *nl = '\0';
    json_t *info = executor_parse_hello(line, "go", msg, sizeof msg);
    if (info == NULL)
        goto out;
    json_decref(info);
    for (uint64_t id = 1;; id++) {
        line = nl + 1;
        nl = memchr(line, '\n', (size_t)(end - line));
        if (nl == NULL)
            break;
        *nl = '\0';
        struct executor_figures fig;
        enum executor_status st = executor_parse_answer(line, id, &fig, msg, sizeof msg);
        if (st == EXEC_OK) {
            struct bench_latency lat;
            if (fig.hist != NULL)
                bench_hist_summary(fig.hist, &lat);
            executor_figures_free(&fig);
        } else if (st != EXEC_REFUSED) {
            break; /* the executor is killed (broken) or stops (failed check) */
        }
    }
out:
    free(text);
    return 0;
}
