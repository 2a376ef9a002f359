# SPDX-License-Identifier: MIT
# `chanbench run --impl ...,go`: out-of-process peers (docs/results-format.md) through fake peer
# programs (shell scripts printing fixed JSON, pointed to by CHANBENCH_PEER_GO), so that no Go
# or Rust toolchain is needed: a missing program is skipped with one line and the run goes on;
# a peer's rows are merged with the harness's aggregates and its context entry; a peer printing
# garbage or failing fails with one line naming it, after the rest is written. And the hardware
# floor in a filtered run: context.chanbench.limit, limit/ rows, ratio_to_floor. No timings are
# checked. Run by ctest with CHANBENCH, WORK and SOURCE_DIR set.
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

# The lines of text that contain what: exactly one, else fail.
function(one_line_with text what)
  string(REGEX MATCHALL "[^\n]*${what}[^\n]*" lines "${text}")
  list(LENGTH lines n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "want one line with '${what}', got ${n} in:\n${text}")
  endif()
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

# A fake peer: logs its arguments to WORK/NAME.args, answers --list with three names, and
# otherwise prints BODY (a file) and exits with STATUS.
function(fake_peer name body status)
  file(WRITE ${WORK}/${name} "#!/bin/sh
echo \"$*\" >> '${WORK}/${name}.args'
for a in \"$@\"; do
  if [ \"$a\" = --list ]; then
    echo chan/spsc/cap=1024/size=8/impl=go
    echo chan/pingpong/cap=0/impl=go
    echo lock/mutex/threads=2/cs=0/impl=go
    exit 0
  fi
done
cat '${body}'
[ ${status} -ne 0 ] && echo 'fake peer: something went wrong' >&2
exit ${status}
")
  file(CHMOD ${WORK}/${name} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
endfunction()

# Three repetitions, written out of order, with real_time 60, 10, 20 and cpu_time 7, 5, 6.
set(row_keys "\"run_type\": \"iteration\", \"repetitions\": 3, \"threads\": 2, \"iterations\": 1000, \"time_unit\": \"ns\", \"family\": \"chan\", \"impl\": \"go\", \"params\": {\"cap\": 1024, \"size\": 8, \"impl\": \"go\"}, \"op\": \"msg\", \"voluntary_ctx_switches\": 3, \"involuntary_ctx_switches\": 1, \"extra\": {\"fake\": 1.5}, \"verified\": true")
set(N "\"name\": \"chan/spsc/cap=1024/size=8/impl=go\", \"run_name\": \"chan/spsc/cap=1024/size=8/impl=go\"")
file(WRITE ${WORK}/good.json "{\"peer\": {\"impl\": \"go\", \"version\": \"go1.99-fake\", \"library_version\": \"go1.99-fake\", \"gomaxprocs\": 2, \"affinity\": \"0-1\"},
 \"benchmarks\": [
  {${N}, \"repetition_index\": 2, \"real_time\": 20, \"cpu_time\": 6, \"items_per_second\": 5e7, ${row_keys}},
  {${N}, \"repetition_index\": 0, \"real_time\": 60, \"cpu_time\": 7, \"items_per_second\": 1.6e7, ${row_keys}},
  {${N}, \"repetition_index\": 1, \"real_time\": 10, \"cpu_time\": 5, \"items_per_second\": 1e8, ${row_keys}}
 ]}
")
file(WRITE ${WORK}/garbage.txt "this is not JSON {\n")
file(WRITE ${WORK}/wrongimpl.json "{\"peer\": {\"impl\": \"crossbeam\", \"version\": \"x\", \"library_version\": \"x\", \"gomaxprocs\": null, \"affinity\": \"0\"}, \"benchmarks\": []}\n")
fake_peer(peer-good ${WORK}/good.json 0)
fake_peer(peer-garbage ${WORK}/garbage.txt 0)
fake_peer(peer-exit ${WORK}/good.json 1)
fake_peer(peer-wrongimpl ${WORK}/wrongimpl.json 0)

# 1. A missing program: one skip line naming the peer, exit 0, the in-process rows written.
peer_expect(RC 0 ENV CHANBENCH_PEER_GO=${WORK}/no-such-peer
            ARGS run --impl goc,go --filter "${SPSC}" ${FAST} --repetitions 2 --out ${WORK}/skip.json)
one_line_with("${err}" "skipping impl=go: ")
require("${err}" "no-such-peer")
file(READ ${WORK}/skip.json doc)
require_row("${doc}" "chan/spsc/cap=1024/size=8/impl=goc")
require_no_row("${doc}" "chan/spsc/cap=1024/size=8/impl=go")
string(JSON peers ERROR_VARIABLE none GET "${doc}" context chanbench peers)
if(NOT none)
  message(FATAL_ERROR "context.chanbench.peers written without a peer run: ${peers}")
endif()
# Only a skipped peer asked for: nothing to run, said so, exit 0, nothing written.
peer_expect(RC 0 ENV CHANBENCH_PEER_CROSSBEAM=${WORK}/no-such-peer
            ARGS run --impl crossbeam --filter "${SPSC}" ${FAST} --out ${WORK}/none.json)
one_line_with("${err}" "skipping impl=crossbeam: ")
require("${err}" "nothing left to run")
if(EXISTS ${WORK}/none.json)
  message(FATAL_ERROR "a run with nothing to run wrote ${WORK}/none.json")
endif()

# 2. A peer's rows merged: the harness's aggregates over its repetitions, its context entry,
#    the filter, repetitions, min-time, --quick and --cpus passed; the side-by-side table.
peer_expect(RC 0 ENV CHANBENCH_PEER_GO=${WORK}/peer-good
            ARGS run --impl goc,go --filter "${SPSC}" ${FAST} --repetitions 3 --out ${WORK}/good-run.json)
file(READ ${WORK}/peer-good.args args)
if(NOT args MATCHES "(^|\n)--list --cpus [0-9,-]+ --quick\n")
  message(FATAL_ERROR "peer listed with: ${args}")
endif()
if(NOT args MATCHES "\n--filter \\^\\(chan/spsc/cap=1024/size=8/impl=go\\)\\$ --repetitions 3 --min-time 0.01 --cpus [0-9,-]+ --quick\n")
  message(FATAL_ERROR "peer run with: ${args}")
endif()
require("${out}" "chan/spsc/cap=1024/size=8/impl=go ")
require("${out}" "side by side")
require("${out}" "goc/go")
if(NOT out MATCHES "\nchan/spsc/cap=1024/size=8 +[0-9.]+ +20\\.0 +[0-9.]+\n")
  message(FATAL_ERROR "no side-by-side row with go's median 20 in:\n${out}")
endif()
file(READ ${WORK}/good-run.json doc)
set(GO "chan/spsc/cap=1024/size=8/impl=go")
row_index("${doc}" "${GO}_median" i)
require_num("${doc}" 20 benchmarks ${i} real_time)
require_num("${doc}" 6 benchmarks ${i} cpu_time)
require_num("${doc}" 3 benchmarks ${i} repetitions)
row_index("${doc}" "${GO}_mean" i)
require_num("${doc}" 30 benchmarks ${i} real_time)
row_index("${doc}" "${GO}_min" i)
require_num("${doc}" 10 benchmarks ${i} real_time)
row_index("${doc}" "${GO}_max" i)
require_num("${doc}" 60 benchmarks ${i} real_time)
row_index("${doc}" "${GO}" i) # the first iteration row: repetition 0, as the peer wrote it
require_num("${doc}" 0 benchmarks ${i} repetition_index)
require_num("${doc}" 60 benchmarks ${i} real_time)
require_num("${doc}" 1.5 benchmarks ${i} extra fake)
string(JSON impl GET "${doc}" context chanbench peers 0 impl)
string(JSON version GET "${doc}" context chanbench peers 0 version)
string(JSON gmp GET "${doc}" context chanbench peers 0 gomaxprocs)
string(JSON aff GET "${doc}" context chanbench peers 0 affinity)
string(JSON prog GET "${doc}" context chanbench peers 0 program)
if(NOT impl STREQUAL "go" OR NOT version STREQUAL "go1.99-fake" OR NOT gmp EQUAL 2
   OR NOT aff STREQUAL "0-1" OR NOT prog STREQUAL "${WORK}/peer-good")
  message(FATAL_ERROR "peers[0]: ${impl} ${version} ${gmp} ${aff} ${prog}")
endif()
# list shows the peer's names too.
peer_expect(RC 0 ENV CHANBENCH_PEER_GO=${WORK}/peer-good ARGS list --impl go --filter pingpong)
if(NOT out STREQUAL "chan/pingpong/cap=0/impl=go\n")
  message(FATAL_ERROR "list --impl go: ${out}")
endif()

# 3. A peer that prints garbage, or says it is another peer, or exits non-zero: one FAILED line
#    naming it, exit 1, the in-process rows still written.
foreach(bad "garbage:invalid JSON" "wrongimpl:peer.impl" "exit:exited with status 1")
  string(REPLACE ":" ";" bad "${bad}")
  list(GET bad 0 which)
  list(GET bad 1 what)
  peer_expect(RC 1 ENV CHANBENCH_PEER_GO=${WORK}/peer-${which}
              ARGS run --impl goc,go --filter "${SPSC}" ${FAST} --repetitions 2 --out ${WORK}/${which}.json)
  one_line_with("${err}" "FAILED impl=go: ")
  one_line_with("${err}" "${what}")
  require("${err}" "${WORK}/peer-${which}")
  file(READ ${WORK}/${which}.json doc)
  require_row("${doc}" "chan/spsc/cap=1024/size=8/impl=goc")
  require_no_row("${doc}" "chan/spsc/cap=1024/size=8/impl=go")
endforeach()

# 4. The hardware floor in a filtered run: measured when the filter matches limit/ names, with
#    context.chanbench.limit, the limit/ rows and ratio_to_floor on chan/ rows (a peer's too);
#    not measured when the filter does not ask for it.
execute_process(COMMAND ${CHANBENCH} topology --json OUTPUT_VARIABLE topo)
string(JSON allowed GET "${topo}" allowed_cpus)
peer_expect(RC 0 ENV CHANBENCH_PEER_GO=${WORK}/peer-good
            ARGS run --impl goc,go --filter "^(chan/spsc/cap=1024/size=8|limit/)" ${FAST}
                 --repetitions 2 --out ${WORK}/floor.json)
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
