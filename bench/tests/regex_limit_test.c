/* SPDX-License-Identifier: MIT */
/* The --filter budget (regex_limit.c): the expanded-size estimate of stacked, nested and
 * counted repetitions, the refusals (one line each) and that ordinary patterns still compile
 * and match. No pattern over the budget is ever given to regcomp here. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "regex_limit.h"

/* pattern refused, with want in a one-line message. */
static bool
refused(const char *pattern, const char *want) {
    char err[2048] = "";
    if (regex_limit_check(pattern, err, sizeof err) != -1)
        return false;
    if (strstr(err, want) == NULL || strchr(err, '\n') != NULL) {
        fprintf(stderr, "for '%s': \"%s\", want \"%s\"\n", pattern, err, want);
        return false;
    }
    return true;
}

static void
test_size(void) {
    CHECK_EQ(regex_limit_size(""), 0);
    CHECK_EQ(regex_limit_size("abc"), 3);
    CHECK_EQ(regex_limit_size("a|b"), 3);
    CHECK_EQ(regex_limit_size("(ab)"), 3);
    CHECK_EQ(regex_limit_size("a*"), 2);
    CHECK_EQ(regex_limit_size("a?"), 2);
    CHECK_EQ(regex_limit_size("a+"), 3);  /* a a* */
    CHECK_EQ(regex_limit_size("a++"), 7); /* each + doubles what it applies to */
    CHECK_EQ(regex_limit_size("a{5}"), 6);
    CHECK_EQ(regex_limit_size("a{2,}"), 4);
    CHECK_EQ(regex_limit_size("a{2,7}"), 8);
    CHECK_EQ(regex_limit_size("a{,7}"), 8);
    CHECK_EQ(regex_limit_size("(a{10}){10}"), 121); /* 10 x (10 + 1 + group) + 1 */
    CHECK_EQ(regex_limit_size("[]a-z{}]{3}"), 4); /* a bracket is one atom, ']' first is literal */
    CHECK_EQ(regex_limit_size("[[:alpha:]]+"), 3);
    CHECK_EQ(regex_limit_size("a{x}"), 4); /* no interval: '{' 'x' '}' are literals */
    CHECK_EQ(regex_limit_size("\\++"), 3);
    /* the pattern: 2^23 - 1 nodes */
    CHECK_EQ(regex_limit_size("-++++++++++++++++++++++"), (1u << 23) - 1);
    /* saturates instead of overflowing */
    CHECK(regex_limit_size("((((((-{30000}){30000}){30000}){30000}){30000}){30000})") >
          REGEX_LIMIT_NODES);
    CHECK(regex_limit_size("-+++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++"
                           "++++++++++++++") > REGEX_LIMIT_NODES);
}

static void
test_refusals(void) {
    CHECK(refused("-++++++++++++++++++++++",
                  "'-++++++++++++++++++++++' repeats too much: its stacked or nested repetitions "
                  "(+, {n,m}) expand to 8388607 elements, more than the 4096 allowed; use one"));
    CHECK(refused("(((((((((((((-+)+)+)+)+)+)+)+)+)+)+)+)+)", "repeats too much"));
    CHECK(refused("(a{100}){100}", "repeats too much"));
    CHECK(refused("a{4096}", "repeats too much"));
    CHECK(refused("(|)(\\1\\1)*", "uses a back-reference"));
    CHECK(refused("(a)\\9", "uses a back-reference"));
    char long_pattern[REGEX_LIMIT_LEN + 2];
    memset(long_pattern, 'a', sizeof long_pattern - 1);
    long_pattern[sizeof long_pattern - 1] = '\0';
    CHECK(refused(long_pattern, "1025 characters long, more than the 1024 allowed"));
    /* a long pattern is shown cut, so that the advice after it survives the caller's buffer */
    char stacked[REGEX_LIMIT_LEN];
    memset(stacked, '+', sizeof stacked - 1);
    stacked[0] = 'x';
    stacked[sizeof stacked - 1] = '\0';
    char err[256];
    CHECK(regex_limit_check(stacked, err, sizeof err) == -1);
    CHECK(strstr(err, "...' repeats too much") != NULL && strstr(err, "elements") != NULL);

    /* within the budget */
    char err2[256];
    CHECK(regex_limit_check("^chan/(spsc|pingpong)/cap=[0-9]+/", err2, sizeof err2) == 0);
    CHECK(regex_limit_check("a{4095}", err2, sizeof err2) == 0);
    CHECK(regex_limit_check("[\\1]", err2, sizeof err2) == 0); /* literal in a bracket */
    CHECK(regex_limit_check("\\.", err2, sizeof err2) == 0);
    memset(long_pattern, 'a', REGEX_LIMIT_LEN);
    long_pattern[REGEX_LIMIT_LEN] = '\0';
    CHECK(regex_limit_check(long_pattern, err2, sizeof err2) == 0);
}

static void
test_compile(void) {
    regex_t re;
    char err[256];
    CHECK(regex_limit_compile(&re, "^chan/spsc/cap=1+/", err, sizeof err) == 0);
    CHECK(regexec(&re, "chan/spsc/cap=11/size=8", 0, NULL, 0) == 0);
    CHECK(regexec(&re, "chan/spsc/cap=0/size=8", 0, NULL, 0) != 0);
    regfree(&re);
    CHECK(regex_limit_compile(&re, "chan/(spsc", err, sizeof err) == -1);
    CHECK(strstr(err, "'chan/(spsc' is not a valid regular expression: ") == err);
    CHECK(regex_limit_compile(&re, "-++++++++++++++++++++++", err, sizeof err) == -1);
    CHECK(strstr(err, "repeats too much") != NULL);
    /* Within the size budget, but regcomp would take minutes (nullable pieces in a row): the
     * trial compilation's CPU limit stops it. */
    char slow[REGEX_LIMIT_LEN + 1] = "";
    for (int i = 0; i < 93; i++)
        strcat(slow, "(((a+)?)+)?");
    CHECK(regex_limit_check(slow, err, sizeof err) == 0);
    CHECK(regex_limit_compile(&re, slow, err, sizeof err) == -1);
    CHECK(strstr(err, "takes more than") != NULL);
}

int
main(void) {
    test_size();
    test_refusals();
    test_compile();
    return check_result("regex_limit_test");
}
