/* SPDX-License-Identifier: MIT */
/* The scratch PostgreSQL server of the ctest fixture `postgresql` (scripts/pg-scratch.sh, set
 * up in bench/tests/CMakeLists.txt) as a test program sees it: $CHANBENCH_TEST_POSTGRESQL
 * names the fixture's state folder, which holds url-DATABASE for each database made for the
 * tests, or `skip`, the reason no server could be started. Header-only. */
#ifndef BENCH_TESTS_PG_FIXTURE_H
#define BENCH_TESTS_PG_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* ctest's SKIP_RETURN_CODE for the tests that need the server. */
#define PG_FIXTURE_SKIPPED 77

/* The first line of path into buf; false when it cannot be read. */
static inline bool
pg_fixture_line(const char *path, char *buf, size_t n) {
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return false;
    bool ok = fgets(buf, (int)n, fp) != NULL;
    fclose(fp);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok && buf[0] != '\0';
}

/* The URL of the fixture's database db into url: 0, or PG_FIXTURE_SKIPPED after one line
 * "TEST: SKIPPED: why" on stdout. */
static inline int
pg_fixture_url(const char *test, const char *db, char *url, size_t n) {
    char why[1536] = "", path[1024];
    const char *state = getenv("CHANBENCH_TEST_POSTGRESQL");
    if (!db_postgresql_built()) {
        snprintf(why, sizeof why,
                 "chanbench was built without PostgreSQL (install libpq-dev and build again)");
    } else if (state == NULL || state[0] == '\0') {
        snprintf(why, sizeof why,
                 "no scratch PostgreSQL server: run it through ctest (fixture postgresql), "
                 "which sets CHANBENCH_TEST_POSTGRESQL");
    } else {
        snprintf(path, sizeof path, "%s/skip", state);
        if (!pg_fixture_line(path, why, sizeof why)) {
            snprintf(path, sizeof path, "%s/url-%s", state, db);
            if (pg_fixture_line(path, url, n))
                return 0;
            snprintf(why, sizeof why, "no database %s on the scratch server (%s is missing)", db,
                     path);
        }
    }
    printf("%s: SKIPPED: %s\n", test, why);
    return PG_FIXTURE_SKIPPED;
}

#endif
