/* SPDX-License-Identifier: MIT */
/* Every scenario family of chanbench, in one array: add yours here. It sits above both the
 * registry (measure/registry.c, which expands whatever families it is given) and the family
 * files (scenarios/), so neither refers to the other. */
#include "commands.h"
#include "harness.h"

extern const struct bench_family bench_chan;    /* scenarios/chan.c */
extern const struct bench_family bench_lock;    /* scenarios/lock.c */
extern const struct bench_family bench_select;  /* scenarios/select.c */
extern const struct bench_family bench_layout;  /* scenarios/layout.c */
extern const struct bench_family bench_cancel;  /* scenarios/cancel.c */
extern const struct bench_family bench_alloc;   /* scenarios/alloc.c */
extern const struct bench_family bench_pitfall; /* scenarios/pitfall.c */

const struct bench_family *const bench_families[] = {
    &bench_chan,   &bench_select, &bench_lock,    &bench_layout,
    &bench_cancel, &bench_alloc,  &bench_pitfall, NULL,
};
