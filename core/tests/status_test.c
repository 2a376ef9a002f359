/* SPDX-License-Identifier: MIT */
/* Status codes (docs/design.md, "libgoc"): values, goc_strstatus for each one and for unknown
 * values. Channel behaviour is in chan_test.c. */
#include "testutil.h"

#include <errno.h>
#include <limits.h>

struct named_status {
    int status;
    const char *name;
};

static const struct named_status statuses[] = {
    {GOC_OK, "GOC_OK"},
    {GOC_CLOSED, "GOC_CLOSED"},
    {GOC_WOULDBLOCK, "GOC_WOULDBLOCK"},
    {GOC_TIMEDOUT, "GOC_TIMEDOUT"},
    {GOC_CANCELED, "GOC_CANCELED"},
    {GOC_DEADLINE, "GOC_DEADLINE"},
    {GOC_EINVAL, "GOC_EINVAL"},
    {GOC_ENOMEM, "GOC_ENOMEM"},
};
#define NSTATUS (sizeof statuses / sizeof statuses[0])

static const char unknown_text[] = "unknown libgoc status";

/* GOC_OK is 0, every other status is negative, and all are distinct (a goc_select index is
 * >= 0, so a status must never look like one). */
static void
test_values(void) {
    CHECK_EQ(GOC_OK, 0);
    for (size_t i = 1; i < NSTATUS; i++) {
        CHECK(statuses[i].status < 0);
        for (size_t j = 0; j < i; j++)
            CHECK(statuses[i].status != statuses[j].status);
    }
    /* Negated errno values, so strerror(-status) reads well. */
    CHECK_EQ(GOC_CLOSED, -EPIPE);
    CHECK_EQ(GOC_WOULDBLOCK, -EAGAIN);
    CHECK_EQ(GOC_TIMEDOUT, -ETIMEDOUT);
    CHECK_EQ(GOC_EINVAL, -EINVAL);
    CHECK_EQ(GOC_ENOMEM, -ENOMEM);
}

/* Every status has its own text, which starts with the status's name. */
static void
test_strstatus_known(void) {
    for (size_t i = 0; i < NSTATUS; i++) {
        const char *s = goc_strstatus(statuses[i].status);
        CHECK_OR_RETURN(s != NULL);
        if (strncmp(s, statuses[i].name, strlen(statuses[i].name)) != 0) {
            fprintf(stderr, "goc_strstatus(%d) = \"%s\", want it to start with %s\n",
                    statuses[i].status, s, statuses[i].name);
            exit(1);
        }
        /* "GOC_CLOSED" must not be matched by "GOC_CLOSEDX...": the name ends there. */
        char after = s[strlen(statuses[i].name)];
        CHECK(after == '\0' || after == ':' || after == ' ');
        CHECK(strcmp(s, unknown_text) != 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(s, goc_strstatus(statuses[j].status)) != 0);
    }
}

/* Anything else, positive or negative, is "unknown libgoc status", never NULL. */
static void
test_strstatus_unknown(void) {
    static const int unknown[] = {1, 2, 7, 100, INT_MAX, -1, -2, -12345, INT_MIN, -EBADF};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = goc_strstatus(unknown[i]);
        CHECK_OR_RETURN(s != NULL);
        if (strcmp(s, unknown_text) != 0) {
            fprintf(stderr, "goc_strstatus(%d) = \"%s\", want \"%s\"\n", unknown[i], s,
                    unknown_text);
            exit(1);
        }
    }
}

/* goc_strstatus is thread-safe: call it from several threads at once (TSan checks it). */
static void *
strstatus_thread(void *arg) {
    (void)arg;
    for (int k = 0; k < 1000; k++)
        for (size_t i = 0; i < NSTATUS; i++)
            CHECK(goc_strstatus(statuses[i].status) != NULL);
    return NULL;
}

static void
test_strstatus_threads(void) {
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        t[i] = test_spawn(strstatus_thread, NULL);
    for (int i = 0; i < 4; i++)
        test_join(t[i]);
}

int
main(void) {
    test_values();
    test_strstatus_known();
    test_strstatus_unknown();
    test_strstatus_threads();
    return check_result("status_test");
}
