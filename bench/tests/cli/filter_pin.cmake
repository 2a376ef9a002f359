# SPDX-License-Identifier: MIT
# Hostile --filter and bad --pin values: each refused with one line on stderr and exit 2 before
# anything runs. The filters are the kind that make glibc's regcomp take gigabytes (stacked '+')
# or crash its matcher (a back-reference, CVE-2018-20796); chanbench must refuse them without
# compiling them (regex_limit.h). Run by ctest with CHANBENCH, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()

# Were the budget check gone, regcomp would take 28 s and 2.8 GB on the first pattern: a CPU
# limit (which sanitizers tolerate, unlike an address-space one) ends that early, with a status
# other than 2.
function(hostile_filter what)
  execute_process(COMMAND sh -c "ulimit -t 5; exec \"$@\"" sh ${CHANBENCH} ${ARGN}
                  WORKING_DIRECTORY ${WORK} TIMEOUT 60
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "2")
    message(FATAL_ERROR "chanbench ${ARGN}: exit ${rc}, want 2\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines n)
  if(NOT n EQUAL 1 OR NOT out STREQUAL "")
    message(FATAL_ERROR "chanbench ${ARGN}: want one line on stderr only, got:\n${out}${err}")
  endif()
  string(FIND "${err}" "${what}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "chanbench ${ARGN}: want \"${what}\" in: ${err}")
  endif()
endfunction()

set(STACKED "-++++++++++++++++++++++") # the issue's pattern: 2^23 copies of '-'
hostile_filter("chanbench run: --filter '${STACKED}' repeats too much" run --filter "${STACKED}")
hostile_filter("chanbench list: --filter '${STACKED}' repeats too much" list --filter "${STACKED}")
hostile_filter("'a+' rather than 'a++'" list --filter "${STACKED}")
# the same doubling through groups and counted repetitions
hostile_filter("repeats too much" list --filter "((((((((((((((((((((-+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)")
hostile_filter("repeats too much" list --filter "((((-{1000}){1000}){1000}){1000})")
hostile_filter("repeats too much" list --filter "(a?){5000}")
hostile_filter("uses a back-reference" list --filter "(|)(\\1\\1)*")
string(REPEAT "chan/" 300 long)
hostile_filter("--filter the expression is 1500 characters long, more than the 1024 allowed" list
               --filter "${long}")
# Within the budget: an ordinary repetition, a plain alternation of many names and an interval
# still work.
chanbench_expect(RC 0 ARGS list --filter "^chan/spsc/cap=1+/size=8/impl=goc$")
if(NOT out STREQUAL "chan/spsc/cap=1/size=8/impl=goc\n")
  message(FATAL_ERROR "list --filter cap=1+: got\n${out}")
endif()
set(names "")
foreach(cap 0 1 16 64 1024 7 8 9 10 11 12 13 14 15 17 18 19 20 21 22 23 24 25 26 27 28)
  list(APPEND names "chan/spsc/cap=${cap}/size=8/impl=goc")
endforeach()
list(JOIN names "|" alternation)
chanbench_expect(RC 0 ARGS list --filter "^(${alternation})$")
require("${out}" "chan/spsc/cap=1024/size=8/impl=goc\n")
chanbench_expect(RC 0 ARGS list --filter "^chan/spsc/cap=[0-9]{1,4}/size=8/impl=goc$")
require("${out}" "chan/spsc/cap=1024/size=8/impl=goc\n")
chanbench_usage_error("--filter 'chan/(spsc' is not a valid regular expression" run --filter
                      "chan/(spsc")

# Every bad --pin gets the same kind of line: what is wrong; what to give instead.
foreach(pin tightly 3-1 0,,1 1- -1 "0, 1" 99999999999999999999)
  chanbench_usage_error("chanbench run: --pin '${pin}' is not a pin policy; use compact, scatter, smt, none or a PU list such as 0,2 or 0-3"
                        run --pin "${pin}")
endforeach()
# a PU that does not exist is the topology's answer, in the same style
chanbench_usage_error("does not exist on this machine" run --pin 4096)
chanbench_usage_error("; pick PUs from" run --pin 4096)
require_empty(${WORK}/results)
