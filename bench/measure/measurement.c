/* SPDX-License-Identifier: MIT */
/* The measurement model (measurement.h). */
#include "measurement.h"

#include <stdlib.h>

void
bench_result_free(struct bench_result *r) {
    for (size_t i = 0; i < r->nreps; i++) {
        free(r->reps[i].pu_requested);
        free(r->reps[i].pu_observed);
    }
    free(r->reps);
    free(r->name_owned);
    r->reps = NULL;
    r->name_owned = NULL;
    r->nreps = 0;
}
