/* SPDX-License-Identifier: MIT */
/* User regular expressions (--filter) compiled within a bounded budget. glibc's regcomp copies
 * a subexpression once per repetition it expands ('x+' is 'xx*', 'x{3}' is 'xxx'), so stacked
 * or nested repetitions double its work and memory each time: '-' with 22 '+' needs about
 * 2.8 GB. Before regcomp sees a pattern, regex_limit_check walks it once (linear time, no
 * allocation) and estimates the size of the expanded expression; a pattern over the budget, or
 * longer than REGEX_LIMIT_LEN, or using a back-reference (a glibc extension to ERE whose
 * matcher can crash or take exponential time, CVE-2018-20796), is refused with one line.
 * The estimate bounds memory, not time: repetitions stacked ('a+?+?+?') or nested in optional
 * groups ('(((a+)?)+)?' repeated) make regcomp's epsilon closures take seconds to minutes in
 * little memory. So a pattern within the budget is first compiled in a child process limited
 * to REGEX_LIMIT_CPU_S of CPU time, and refused if that limit stops it. */
#ifndef BENCH_REGEX_LIMIT_H
#define BENCH_REGEX_LIMIT_H

#include <regex.h>
#include <stddef.h>

/* The longest pattern accepted, in bytes. */
#define REGEX_LIMIT_LEN 1024
/* The largest expanded expression accepted, in regcomp's syntax-tree nodes (about one per
 * pattern character, repetitions expanded). regcomp's epsilon closures grow with the square of
 * this: at 4096 the worst patterns found ('(c?h?a?n?/?){400}', '(.?){1300}$') take under
 * 40 MB and 0.2 s to compile and match every benchmark name, where plain text of the longest
 * accepted length stays near 1100 nodes. */
#define REGEX_LIMIT_NODES 4096

/* The CPU time, in seconds, a pattern's trial compilation may take (filters people write
 * compile in well under a millisecond). */
#define REGEX_LIMIT_CPU_S 2

/* The estimated size of pattern (POSIX extended syntax) once its repetitions are expanded,
 * saturating at a value above REGEX_LIMIT_NODES. Exposed for tests. */
size_t regex_limit_size(const char *pattern);

/* 0 when pattern is within the budget; -1 with err set to one line without a prefix,
 * "'PATTERN' ...; ..." (what is wrong; what to do), when it is not. */
int regex_limit_check(const char *pattern, char *err, size_t errlen);

/* regex_limit_check, the trial compilation, then regcomp(re, pattern, REG_EXTENDED | REG_NOSUB).
 * 0, or -1 with err set to one line (regcomp's complaint for an invalid pattern) and re not to be
 * freed. Forks: call it before starting threads. */
int regex_limit_compile(regex_t *re, const char *pattern, char *err, size_t errlen);

#endif
