# SPDX-License-Identifier: MIT
# The ck peer (Concurrency Kit, bench/peers/ck.c) from the command line. Built with libck: it
# runs by default, only on the buffered channel rows (no cap=0, pingpong, paced, idle or
# select row), and its rows and the table say what it is (impl_note, "implementation notes").
# Built without: the default run has no ck rows, and `--impl ck` is skipped with one line,
# as an executor that was not built. Run by ctest with CHANBENCH, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()

chanbench_expect(RC 0 ARGS list --filter "^chan/spsc/cap=16/size=8/")
if(out MATCHES "impl=ck\n")
  # Built: never unbuffered, never where ck has no primitive.
  chanbench_expect(RC 0 ARGS list --impl ck --filter "^chan/")
  if(out MATCHES "cap=0/" OR out MATCHES "chan/(pingpong|paced|idle)/")
    message(FATAL_ERROR "ck offered where it has no primitive:\n${out}")
  endif()
  require("${out}" "chan/spsc/cap=1/size=8/impl=ck\n")
  require("${out}" "chan/mpmc/prod=2/cons=2/cap=1024/size=8/impl=ck\n")
  chanbench_expect(RC 2 ARGS list --impl ck --filter "^select/")

  chanbench_expect(RC 0 ARGS run --impl goc,ck,ck.br
                   --filter "^(chan/spsc/cap=16/size=8|lock/rw/threads=2/read=90/cs=0)/"
                   --min-time 0.005 --repetitions 1 --out ${WORK}/ck.json)
  require("${out}" "implementation notes:\n")
  require("${out}" "impl=ck (chan/spsc): ck_ring (SPSC calls) with a spin-then-yield wait")
  require("${out}" "impl=ck.br (lock/rw): ck_brlock")
  file(READ ${WORK}/ck.json doc)
  string(JSON n LENGTH "${doc}" benchmarks)
  math(EXPR last "${n} - 1")
  set(noted 0)
  foreach(i RANGE ${last})
    string(JSON type GET "${doc}" benchmarks ${i} run_type)
    if(NOT type STREQUAL "iteration")
      continue()
    endif()
    string(JSON impl GET "${doc}" benchmarks ${i} impl)
    string(JSON note ERROR_VARIABLE none GET "${doc}" benchmarks ${i} impl_note)
    if(impl MATCHES "^ck" AND NOT none)
      math(EXPR noted "${noted} + 1")
    elseif(impl MATCHES "^ck" OR NOT none)
      message(FATAL_ERROR "row ${i}: impl ${impl}, impl_note '${note}'")
    endif()
  endforeach()
  if(NOT noted EQUAL 3) # ck on spsc, ck and ck.br on rw
    message(FATAL_ERROR "${noted} ck rows with impl_note, want 3")
  endif()
else()
  # Not built: one line says so, and the run goes on without it.
  chanbench_expect(RC 0 ARGS run --impl goc,ck --filter "^chan/spsc/cap=16/size=8/"
                   --min-time 0.005 --repetitions 1 --out ${WORK}/ck.json)
  string(REGEX MATCHALL "skipping impl=ck:" lines "${err}")
  list(LENGTH lines nskip)
  if(NOT nskip EQUAL 1)
    message(FATAL_ERROR "want one 'skipping impl=ck:' line, got ${nskip}:\n${err}")
  endif()
  require("${out}" "chan/spsc/cap=16/size=8/impl=goc")
  chanbench_expect(RC 0 ARGS run --impl ck --filter "^chan/spsc/cap=16/size=8/"
                   --min-time 0.005 --repetitions 1 --out ${WORK}/ck2.json)
  require("${err}" "skipping impl=ck:")
  require("${err}" "nothing left to run")
endif()
