# SPDX-License-Identifier: MIT
# `chanbench run --impl ...,go`: executors (docs/results-format.md) through the stand-in
# executor (FAKE_EXECUTOR, bench/tests/fake_executor.c, pointed to by CHANBENCH_PEER_GO), so
# that no Go or Rust toolchain is needed: a missing program is skipped with one line and the
# run goes on; an executor's chunks become rows like goc's, in the same rounds, with paired
# ratios and its context entry; an executor that hangs, dies, speaks another protocol or
# answers garbage fails its rows with one line naming it, after the rest is written. And the
# hardware floor in a filtered run: context.chanbench.limit, limit/ rows, ratio_to_floor. No
# timings are checked. Run by ctest with CHANBENCH, FAKE_EXECUTOR, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()
set(FAST --quick --min-time 0.01)
set(SPSC "^chan/spsc/cap=1024/size=8/")

# chanbench with environment assignments: peer_expect(RC n ENV A=B... ARGS ...).
function(peer_expect)
  cmake_parse_arguments(X "" "RC" "ENV;ARGS" ${ARGN})
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${X_ENV} ${CHANBENCH} ${X_ARGS}
                  WORKING_DIRECTORY ${WORK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${X_RC}")
    message(FATAL_ERROR "${X_ENV} chanbench ${X_ARGS}: exit ${rc}, want ${X_RC}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()


# The index of the row named name in doc (-1 if none) into var.
function(row_index doc name var)
  string(JSON n LENGTH "${doc}" benchmarks)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON rn GET "${doc}" benchmarks ${i} name)
    if(rn STREQUAL "${name}")
      set(${var} ${i} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${var} -1 PARENT_SCOPE)
endfunction()

function(require_row doc name)
  row_index("${doc}" "${name}" i)
  if(i EQUAL -1)
    message(FATAL_ERROR "no row ${name}")
  endif()
endfunction()

function(require_no_row doc name)
  row_index("${doc}" "${name}" i)
  if(NOT i EQUAL -1)
    message(FATAL_ERROR "unexpected row ${name}")
  endif()
endfunction()

function(require_num doc want)
  string(JSON v GET "${doc}" ${ARGN})
  if(NOT v EQUAL ${want})
    message(FATAL_ERROR "${ARGN} is ${v}, want ${want}")
  endif()
endfunction()

# 1. A missing program: one skip line naming the executor, exit 0, the in-process rows written.
peer_expect(RC 0 ENV CHANBENCH_PEER_GO=${WORK}/no-such-peer
            ARGS run --impl goc,go --filter "${SPSC}" ${FAST} --rounds 2 --out ${WORK}/skip.json)
one_line_with("${err}" "skipping impl=go: ")
require("${err}" "no-such-peer")
file(READ ${WORK}/skip.json doc)
require_row("${doc}" "chan/spsc/cap=1024/size=8/impl=goc")
require_no_row("${doc}" "chan/spsc/cap=1024/size=8/impl=go")
string(JSON peers ERROR_VARIABLE none GET "${doc}" context chanbench peers)
if(NOT none)
  message(FATAL_ERROR "context.chanbench.peers written without an executor: ${peers}")
endif()
# Only a skipped executor asked for: nothing to run, said so, exit 0, nothing written.
peer_expect(RC 0 ENV CHANBENCH_PEER_CROSSBEAM=${WORK}/no-such-peer
            ARGS run --impl crossbeam --filter "${SPSC}" ${FAST} --out ${WORK}/none.json)
one_line_with("${err}" "skipping impl=crossbeam: ")
require("${err}" "nothing left to run")
if(EXISTS ${WORK}/none.json)
  message(FATAL_ERROR "a run with nothing to run wrote ${WORK}/none.json")
endif()

# 2. An executor's chunks: calibrated and run in the same rounds as goc's, rows with the
#    harness's aggregates, the paired ratios goc/go and the control, its context entry.
peer_expect(RC 0 ENV CHANBENCH_PEER_GO=${FAKE_EXECUTOR} FAKE_EXECUTOR_MODE=ok
                 FAKE_EXECUTOR_LOG=${WORK}/orders.log
            ARGS run --impl goc,go --filter "^chan/(spsc/cap=1024/size=8|pingpong/cap=0)/"
                 ${FAST} --rounds 3 --out ${WORK}/good-run.json)
file(READ ${WORK}/orders.log orders)
if(NOT orders MATCHES "^hello protocol=2\n"
   OR NOT orders MATCHES "\nrun id=[0-9]+ bench=chan/spsc/cap=1024/size=8 iters=[0-9]+ pus=[0-9]+,[0-9]+\n"
   OR NOT orders MATCHES "\nquit\n$")
  message(FATAL_ERROR "the executor was sent:\n${orders}")
endif()
require("${out}" "chan/spsc/cap=1024/size=8/impl=go ")
require("${out}" "paired ratios of wall time")
require("${out}" "goc/go")
require("${out}" "goc/goc.control")
file(READ ${WORK}/good-run.json doc)
set(GO "chan/spsc/cap=1024/size=8/impl=go")
row_index("${doc}" "${GO}_median" i)
require_num("${doc}" 100 benchmarks ${i} real_time) # the stand-in's 100 ns per operation
require_num("${doc}" 150 benchmarks ${i} cpu_time)
require_num("${doc}" 3 benchmarks ${i} repetitions)
row_index("${doc}" "${GO}" i)
require_num("${doc}" 1 benchmarks ${i} extra fake)
string(JSON round GET "${doc}" benchmarks ${i} round)
string(JSON before GET "${doc}" benchmarks ${i} probe_ns before)
row_index("${doc}" "chan/pingpong/cap=0/impl=go" i)
require_num("${doc}" 250 benchmarks ${i} latency_ns p50) # the stand-in's 250 ns values
string(JSON impl GET "${doc}" context chanbench peers 0 impl)
string(JSON version GET "${doc}" context chanbench peers 0 version)
string(JSON prog GET "${doc}" context chanbench peers 0 program)
if(NOT impl STREQUAL "go" OR NOT version STREQUAL "fake 1.0" OR NOT prog STREQUAL "${FAKE_EXECUTOR}")
  message(FATAL_ERROR "peers[0]: ${impl} ${version} ${prog}")
endif()
string(JSON np LENGTH "${doc}" context chanbench paired)
set(found "")
math(EXPR last "${np} - 1")
foreach(k RANGE ${last})
  string(JSON b GET "${doc}" context chanbench paired ${k} benchmark)
  string(JSON d GET "${doc}" context chanbench paired ${k} denominator)
  string(JSON m GET "${doc}" context chanbench paired ${k} metric)
  string(JSON r GET "${doc}" context chanbench paired ${k} rounds)
  if(b STREQUAL "chan/spsc/cap=1024/size=8" AND m STREQUAL "real_time" AND r EQUAL 3)
    list(APPEND found ${d})
  endif()
endforeach()
list(SORT found)
if(NOT found MATCHES "go" OR NOT found MATCHES "goc.control")
  message(FATAL_ERROR "paired rows for chan/spsc/cap=1024/size=8: ${found}")
endif()
# list shows the executor's names, without running it.
peer_expect(RC 0 ENV CHANBENCH_PEER_GO=${WORK}/no-such-peer ARGS list --impl go --filter pingpong)
if(NOT out STREQUAL "chan/pingpong/cap=0/impl=go\nchan/pingpong/cap=1/impl=go\n")
  message(FATAL_ERROR "list --impl go: ${out}")
endif()

# 3. An executor that speaks another protocol, says it is another impl, hangs past its
#    deadline, dies, answers garbage or fails its check: one FAILED line naming it, exit 1,
#    goc's rows still written.
foreach(bad "version:speaks protocol 1" "impl:says it is impl 'other'"
            "hang:answered nothing within" "die:exited with status 3"
            "garbage:not a JSON object" "fail:its own check failed")
  string(REPLACE ":" ";" bad "${bad}")
  list(GET bad 0 which)
  list(GET bad 1 what)
  peer_expect(RC 1 ENV CHANBENCH_PEER_GO=${FAKE_EXECUTOR} FAKE_EXECUTOR_MODE=${which}
              ARGS run --impl goc,go --filter "${SPSC}" ${FAST} --rounds 2 --peer-timeout 1
                   --out ${WORK}/${which}.json)
  one_line_with("${err}" "FAILED impl=go: ")
  one_line_with("${err}" "${what}")
  require("${err}" "${FAKE_EXECUTOR}")
  file(READ ${WORK}/${which}.json doc)
  require_row("${doc}" "chan/spsc/cap=1024/size=8/impl=goc")
  require_no_row("${doc}" "chan/spsc/cap=1024/size=8/impl=go")
endforeach()

# 4. The hardware floor in a filtered run: measured when the filter matches limit/ names, with
#    context.chanbench.limit, the limit/ rows and ratio_to_floor on chan/ rows (an executor's
#    too);
#    not measured when the filter does not ask for it.
execute_process(COMMAND ${CHANBENCH} topology --json OUTPUT_VARIABLE topo)
string(JSON allowed GET "${topo}" allowed_cpus)
peer_expect(RC 0 ENV CHANBENCH_PEER_GO=${FAKE_EXECUTOR} FAKE_EXECUTOR_MODE=ok
            ARGS run --impl goc,go --filter "^(chan/spsc/cap=1024/size=8|limit/)" ${FAST}
                 --rounds 2 --out ${WORK}/floor.json)
file(READ ${WORK}/floor.json doc)
if(allowed MATCHES "^[0-9]+$")
  message(STATUS "one allowed PU (${allowed}): checking that the floor is left out, with a line")
  require("${err}" "hardware floor is not measured")
  return()
endif()
require("${out}" "floor: core-to-core round trip")
require("${out}" "/floor")
require("${err}" "and the hardware floor")
foreach(key c2c_round_trip_ns one_way_ns ring_ns_per_msg)
  string(JSON v GET "${doc}" context chanbench limit ${key})
  if(NOT v GREATER 0)
    message(FATAL_ERROR "context.chanbench.limit.${key} is '${v}'")
  endif()
endforeach()
string(FIND "${doc}" "\"name\": \"limit/c2c/pu=" at1)
string(FIND "${doc}" "\"name\": \"limit/ring/pu=" at2)
if(at1 EQUAL -1 OR at2 EQUAL -1)
  message(FATAL_ERROR "no limit/c2c or limit/ring rows in ${WORK}/floor.json")
endif()
foreach(name chan/spsc/cap=1024/size=8/impl=goc chan/spsc/cap=1024/size=8/impl=go)
  row_index("${doc}" "${name}" i)
  string(JSON ratio GET "${doc}" benchmarks ${i} extra ratio_to_floor)
  if(NOT ratio GREATER 0)
    message(FATAL_ERROR "${name}: ratio_to_floor '${ratio}'")
  endif()
endforeach()
# No limit/ in the filter: no floor.
file(READ ${WORK}/good-run.json doc)
string(JSON lim ERROR_VARIABLE none GET "${doc}" context chanbench limit)
if(NOT none)
  message(FATAL_ERROR "a run whose filter does not ask for the floor has context.chanbench.limit")
endif()
