# SPDX-License-Identifier: MIT
# `chanbench run --impl goc,<peers>` with the real out-of-process peers this build made (PEERS,
# comma-separated: go, crossbeam): each peer's rows land in the results file next to goc's with
# the harness's aggregates and its context entry, and the side-by-side table compares them. No
# timings are checked. Run by ctest with CHANBENCH, PEERS, WORK and SOURCE_DIR set; prints
# "SKIPPED: ..." (ctest's skip) when no peer was built.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
if(PEERS STREQUAL "")
  message("SKIPPED: no out-of-process peer was built (see scripts/setup.sh for the toolchains)")
  return()
endif()
fresh_work()
string(REPLACE "," ";" peers "${PEERS}")
set(names chan/spsc/cap=1024/size=8 chan/pingpong/cap=0 select/fanin/k=4/cap=0
          lock/mutex/threads=2/cs=0)
chanbench_expect(RC 0 ARGS run --impl goc,${PEERS}
                 --filter "^(chan/spsc/cap=1024/size=8|chan/pingpong/cap=0|select/fanin/k=4/cap=0|lock/mutex/threads=2/cs=0)/"
                 --quick --min-time 0.01 --repetitions 2 --out ${WORK}/peers.json)
if(err MATCHES "skipping|FAILED")
  message(FATAL_ERROR "a built peer was skipped or failed:\n${err}")
endif()
require("${out}" "side by side")
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
  string(JSON aff GET "${doc}" context chanbench peers ${k} affinity)
  if(NOT impl STREQUAL peer OR version STREQUAL "" OR libv STREQUAL "" OR aff STREQUAL "")
    message(FATAL_ERROR "context.chanbench.peers[${k}]: impl '${impl}' version '${version}' "
                        "library_version '${libv}' affinity '${aff}'")
  endif()
  math(EXPR k "${k} + 1")
endforeach()
