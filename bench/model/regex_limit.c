/* SPDX-License-Identifier: MIT */
/* The budget of a user regular expression (regex_limit.h): a recursive-descent walk of POSIX
 * extended syntax that adds up what glibc's regcomp would build. It need not reject what
 * regcomp rejects (regcomp still judges validity); it only has to never underestimate. */
#include "regex_limit.h"
#include "util.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Sizes saturate here, far above the budget, so that products cannot overflow. */
#define SIZE_CAP ((uint64_t)1 << 40)

struct walk {
    const char *p;
    int depth;    /* open parentheses */
    bool backref; /* saw \1..\9 outside a bracket expression */
};

static uint64_t
sat_add(uint64_t a, uint64_t b) {
    return a + b > SIZE_CAP ? SIZE_CAP : a + b;
}

static uint64_t
sat_mul(uint64_t a, uint64_t b) {
    if (a == 0 || b == 0)
        return 0;
    return a > SIZE_CAP / b ? SIZE_CAP : a * b;
}

/* A decimal number at *p (at most RE_DUP_MAX-ish digits); false when there is none. */
static bool
number(const char **p, uint64_t *v) {
    if (**p < '0' || **p > '9')
        return false;
    *v = 0;
    while (**p >= '0' && **p <= '9') {
        *v = sat_add(sat_mul(*v, 10), (uint64_t)(**p - '0'));
        (*p)++;
    }
    return true;
}

/* An interval {n}, {n,}, {,m} or {n,m} at w->p (which is at '{'): how many copies of its
 * operand regcomp makes, or 0 (w->p unchanged) when this is no interval, which regcomp then
 * reads as a literal or refuses. */
static uint64_t
interval(struct walk *w) {
    const char *p = w->p + 1;
    uint64_t lo = 0, hi = 0;
    bool have_lo = number(&p, &lo), have_hi = false, open = false;
    if (*p == ',') {
        p++;
        have_hi = number(&p, &hi);
        open = !have_hi;
    } else {
        hi = lo;
        have_hi = have_lo;
    }
    if (*p != '}' || (!have_lo && !have_hi))
        return 0;
    w->p = p + 1;
    /* x{n,} is n copies and x*; x{n,m} is n copies and m-n optional ones. */
    uint64_t copies = open ? lo + 1 : (hi > lo ? hi : lo);
    return copies ? copies : 1;
}

/* Skip a bracket expression [...] (w->p at '['), with its [:class:], [.coll.] and [=equiv=]
 * parts and a leading ']' taken literally. */
static void
bracket(struct walk *w) {
    const char *p = w->p + 1;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    while (*p != '\0' && *p != ']') {
        if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            char close = p[1];
            const char *end = p + 2;
            while (*end != '\0' && !(end[0] == close && end[1] == ']'))
                end++;
            p = *end ? end + 2 : end;
            continue;
        }
        p++;
    }
    w->p = *p ? p + 1 : p;
}

static uint64_t alternation(struct walk *w);

/* One atom: a group, a bracket expression, an escaped character or any other character. */
static uint64_t
atom(struct walk *w) {
    switch (*w->p) {
    case '(': {
        w->p++;
        w->depth++;
        uint64_t n = alternation(w);
        if (*w->p == ')')
            w->p++;
        w->depth--;
        return sat_add(n, 1);
    }
    case '[':
        bracket(w);
        return 1;
    case '\\':
        w->p++;
        if (*w->p >= '1' && *w->p <= '9')
            w->backref = true;
        if (*w->p != '\0')
            w->p++;
        return 1;
    default:
        w->p++;
        return 1;
    }
}

/* An atom and its repetition operators, each multiplying what it applies to. */
static uint64_t
piece(struct walk *w) {
    uint64_t n = atom(w);
    for (;;) {
        uint64_t copies;
        if (*w->p == '*' || *w->p == '?') {
            w->p++;
            copies = 1;
        } else if (*w->p == '+') {
            w->p++;
            copies = 2; /* x+ is x x* */
        } else if (*w->p == '{' && (copies = interval(w)) != 0) {
            /* w->p moved past the interval */
        } else {
            return n;
        }
        n = sat_add(sat_mul(n, copies), 1);
    }
}

static uint64_t
alternation(struct walk *w) {
    uint64_t n = 0;
    for (;;) {
        while (*w->p != '\0' && *w->p != '|' && !(*w->p == ')' && w->depth > 0))
            n = sat_add(n, piece(w));
        if (*w->p != '|')
            return n;
        w->p++;
        n = sat_add(n, 1);
    }
}

/* The whole pattern: its expanded size, and whether it has a back-reference. */
static uint64_t
walk_all(const char *pattern, bool *backref) {
    struct walk w = {.p = pattern};
    uint64_t n = 0;
    /* An unmatched ')' at the top ends alternation(); regcomp refuses it, count it and go on. */
    while (*w.p != '\0') {
        n = sat_add(n, alternation(&w));
        if (*w.p == ')')
            w.p++;
    }
    *backref = w.backref;
    return n;
}

size_t
regex_limit_size(const char *pattern) {
    bool backref;
    uint64_t n = walk_all(pattern, &backref);
    return n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}

/* A message shows at most this much of the pattern, so that its advice fits the caller's line. */
#define SHOWN 60

int
regex_limit_check(const char *pattern, char *err, size_t errlen) {
    size_t len = strlen(pattern);
    if (len > REGEX_LIMIT_LEN) {
        bench_seterr(err, errlen,
                     "the expression is %zu characters long, more than the %d allowed; match a "
                     "shorter part of the names",
                     len, REGEX_LIMIT_LEN);
        return -1;
    }
    bool backref;
    uint64_t n = walk_all(pattern, &backref);
    if (backref) {
        bench_seterr(err, errlen,
                     "'%.*s%s' uses a back-reference (\\1 to \\9), which chanbench does not "
                     "accept; write out the text it would repeat",
                     SHOWN, pattern, len > SHOWN ? "..." : "");
        return -1;
    }
    if (n > REGEX_LIMIT_NODES) {
        bench_seterr(err, errlen,
                     "'%.*s%s' repeats too much: its stacked or nested repetitions (+, {n,m}) "
                     "expand to %s%llu elements, more than the %d allowed; use one repetition "
                     "operator per atom, e.g. 'a+' rather than 'a++', and smaller counts",
                     SHOWN, pattern, len > SHOWN ? "..." : "", n >= SIZE_CAP ? "over " : "",
                     (unsigned long long)n, REGEX_LIMIT_NODES);
        return -1;
    }
    return 0;
}

/* Compile pattern in a child process whose CPU time is limited to REGEX_LIMIT_CPU_S: true
 * when regcomp finished there (valid or not), false when the limit stopped it. A fork that
 * fails proves nothing either way; the caller then compiles without the trial. */
static bool
trial_compile_finishes(const char *pattern) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return true;
    if (pid == 0) {
        struct rlimit cpu = {REGEX_LIMIT_CPU_S, REGEX_LIMIT_CPU_S + 1};
        setrlimit(RLIMIT_CPU, &cpu);
        regex_t re;
        int rerr = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
        _exit(rerr == REG_ESPACE ? 3 : 0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int
regex_limit_compile(regex_t *re, const char *pattern, char *err, size_t errlen) {
    if (regex_limit_check(pattern, err, errlen) != 0)
        return -1;
    if (!trial_compile_finishes(pattern)) {
        bench_seterr(err, errlen,
                     "'%.*s%s' takes more than %d s of CPU to compile (repetitions stacked or "
                     "nested inside optional groups, like 'a+?+?' or '((a+)?)+'); use one "
                     "repetition operator per atom and fewer nested groups",
                     SHOWN, pattern, strlen(pattern) > SHOWN ? "..." : "", REGEX_LIMIT_CPU_S);
        return -1;
    }
    int rerr = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rerr != 0) {
        char msg[128];
        regerror(rerr, re, msg, sizeof msg);
        bench_seterr(err, errlen, "'%.*s%s' is not a valid regular expression: %s", SHOWN, pattern,
                     strlen(pattern) > SHOWN ? "..." : "", msg);
        return -1;
    }
    return 0;
}
