# SPDX-License-Identifier: MIT
# `chanbench run --impl goc,<executors>` with the real executors this build made (PEERS,
# comma-separated: go, crossbeam): each executor's chunks land in the results file next to
# goc's, in the same rounds, with the harness's aggregates, its context entry and the paired
# ratios goc/<executor>; then a short run of the layout and cancel families, whose executor rows
# must have passed their checks (verified) with latency for every item or cancel round. No
# timings are checked. Run by ctest with CHANBENCH, PEERS, WORK and SOURCE_DIR set; prints
# "SKIPPED: ..." (ctest's skip) when no executor was built.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
if(PEERS STREQUAL "")
  message("SKIPPED: no executor was built (see scripts/setup.sh for the toolchains)")
  return()
endif()
fresh_work()
string(REPLACE "," ";" peers "${PEERS}")
set(names chan/spsc/cap=1024/size=8 chan/pingpong/cap=0 select/fanin/k=4/cap=0
          lock/mutex/threads=2/cs=0)
chanbench_expect(RC 0 ARGS run --impl goc,${PEERS}
                 --filter "^(chan/spsc/cap=1024/size=8|chan/pingpong/cap=0|select/fanin/k=4/cap=0|lock/mutex/threads=2/cs=0)/"
                 --quick --min-time 0.01 --rounds 2 --out ${WORK}/peers.json)
if(err MATCHES "skipping|FAILED")
  message(FATAL_ERROR "a built executor was skipped or failed:\n${err}")
endif()
require("${out}" "paired ratios of wall time")
file(READ ${WORK}/peers.json doc)
string(JSON nrows LENGTH "${doc}" benchmarks)
math(EXPR last "${nrows} - 1")
set(seen "")
foreach(i RANGE ${last})
  string(JSON name GET "${doc}" benchmarks ${i} name)
  list(APPEND seen "${name}")
endforeach()
set(k 0)
foreach(peer ${peers})
  require("${out}" "goc/${peer}")
  foreach(n ${names})
    foreach(suffix "" _median _mean _stddev _cv _min _max)
      list(FIND seen "${n}/impl=${peer}${suffix}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "no row ${n}/impl=${peer}${suffix} in ${WORK}/peers.json")
      endif()
    endforeach()
    require("${out}" "${n}/impl=${peer} ")
  endforeach()
  string(JSON impl GET "${doc}" context chanbench peers ${k} impl)
  string(JSON version GET "${doc}" context chanbench peers ${k} version)
  string(JSON libv GET "${doc}" context chanbench peers ${k} library_version)
  string(JSON prog GET "${doc}" context chanbench peers ${k} program)
  if(NOT impl STREQUAL peer OR version STREQUAL "" OR libv STREQUAL "" OR prog STREQUAL "")
    message(FATAL_ERROR "context.chanbench.peers[${k}]: impl '${impl}' version '${version}' "
                        "library_version '${libv}' program '${prog}'")
  endif()
  math(EXPR k "${k} + 1")
endforeach()

# The layout and cancel families through the executors: every layout (the pool with more
# workers than this machine may have PUs) and a cancel of several workers.
set(names layout/pipeline/stages=2/work=100ns layout/replicated/stages=2/work=100ns/threads=2
          layout/pool/stages=2/work=100ns/threads=4 cancel/done/workers=2)
chanbench_expect(RC 0 ARGS run --impl goc,${PEERS}
                 --filter "^(layout/pipeline/stages=2/work=100ns|layout/replicated/stages=2/work=100ns/threads=2|layout/pool/stages=2/work=100ns/threads=4|cancel/done/workers=2)/"
                 --min-time 0.01 --rounds 2 --out ${WORK}/families.json)
if(err MATCHES "skipping|FAILED")
  message(FATAL_ERROR "a built executor was skipped or failed:\n${err}")
endif()
file(READ ${WORK}/families.json doc)
string(JSON nrows LENGTH "${doc}" benchmarks)
math(EXPR last "${nrows} - 1")
set(seen "")
foreach(i RANGE ${last})
  string(JSON type GET "${doc}" benchmarks ${i} run_type)
  if(NOT type STREQUAL "iteration")
    continue()
  endif()
  string(JSON name GET "${doc}" benchmarks ${i} name)
  string(JSON impl GET "${doc}" benchmarks ${i} impl)
  string(JSON verified GET "${doc}" benchmarks ${i} verified)
  string(JSON iters GET "${doc}" benchmarks ${i} iterations)
  string(JSON count GET "${doc}" benchmarks ${i} latency_ns count)
  if(NOT verified STREQUAL "ON" OR NOT count EQUAL iters)
    message(FATAL_ERROR "${name}: verified ${verified}, ${count} latency values for ${iters} "
                        "operations")
  endif()
  if(name MATCHES "^cancel/.*impl=crossbeam$")
    string(JSON note GET "${doc}" benchmarks ${i} impl_note)
    require("${note}" "Sender")
  endif()
  list(APPEND seen "${name}")
endforeach()
foreach(peer ${peers})
  foreach(n ${names})
    list(FIND seen "${n}/impl=${peer}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "no row ${n}/impl=${peer} in ${WORK}/families.json")
    endif()
  endforeach()
endforeach()
