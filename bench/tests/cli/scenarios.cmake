# SPDX-License-Identifier: MIT
# The scenario families from the command line: `chanbench list` shows every family with its
# parameters and impls, `list --quick` keeps every family, and one tiny run of the lock family
# writes its rows with the names, params and extras of the grid. Run by ctest with CHANBENCH,
# WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()

chanbench_expect(RC 0 ARGS list)
foreach(name
    "chan/spsc/cap=0/size=512/impl=naive"
    "chan/mpsc/prod=2/cap=64/size=8/impl=goc"
    "chan/mpmc/prod=1/cons=2/cap=1/size=8/impl=naive"
    "chan/pingpong/cap=1/impl=goc"
    "chan/paced/pause=1us/cap=0/impl=naive"
    "select/fanin/k=8/cap=64/impl=goc"
    "select/fanin_ctx/k=16/cap=0/impl=goc"
    "lock/mutex/threads=1/cs=100/impl=spin"
    "lock/rw/threads=2/read=100/cs=1000/impl=pthread"
    "lock/counter/threads=2/read=99/lock=rw/impl=goc"
    "layout/pipeline/stages=8/work=10us/impl=naive"
    "layout/replicated/stages=1/work=100ns/threads=1/impl=goc"
    "layout/pool/stages=2/work=1us/threads=4/impl=goc"
    "cancel/done/workers=64/impl=goc"
    "alloc/spsc/size=4096/impl=glibc"
    "alloc/mpmc/prod=2/cons=2/size=256/impl=jemalloc"
    "pitfall/resend/prod=1/cap=256/impl=naive"
    "pitfall/lookahead/prod=2/cap=16/impl=goc")
  require("${out}" "${name}\n")
endforeach()
# The spin peer has no reader/writer lock, and the naive peer no select.
if(out MATCHES "lock=rw/impl=spin" OR out MATCHES "select/[^\n]*impl=naive")
  message(FATAL_ERROR "list shows a combination the grid leaves out")
endif()

chanbench_expect(RC 0 ARGS list --quick)
foreach(family chan select lock layout cancel alloc pitfall)
  if(NOT out MATCHES "(^|\n)${family}/")
    message(FATAL_ERROR "no ${family} benchmark in list --quick:\n${out}")
  endif()
endforeach()

# The executors' impls are listed when named, whether or not this build made the programs: the
# layout and cancel families have go and crossbeam rows (replicated too: each language's own
# parallel baseline), and the compare profile (scripts/run.sh) runs them on its charts' curves.
chanbench_expect(RC 0 ARGS list --impl go,crossbeam --filter "^(layout|cancel)/")
foreach(name
    "layout/pipeline/stages=4/work=1us/impl=go"
    "layout/pipeline/stages=1/work=10us/impl=crossbeam"
    "layout/replicated/stages=2/work=100ns/threads=2/impl=go"
    "layout/pool/stages=8/work=1us/threads=1/impl=crossbeam"
    "cancel/done/workers=64/impl=go"
    "cancel/done/workers=1/impl=crossbeam")
  require("${out}" "${name}\n")
endforeach()
chanbench_expect(RC 0 ARGS list --profile compare --filter "^(layout|cancel)/")
foreach(impl goc go crossbeam)
  foreach(name
      "layout/pipeline/stages=8/work=1us"
      "layout/replicated/stages=4/work=1us/threads=2"
      "layout/pool/stages=4/work=1us/threads=8"
      "cancel/done/workers=16")
    require("${out}" "${name}/impl=${impl}\n")
  endforeach()
endforeach()

# The ck peer runs by default when chanbench was built with libck (its list shows it).
chanbench_expect(RC 0 ARGS list --filter "^lock/mutex/threads=2/cs=0/")
set(impls_want "goc;goc.control;pthread;spin")
set(rows_want 32) # 3 impls and goc.control x (2 rounds + 6 aggregates)
if(out MATCHES "impl=ck\n")
  set(impls_want "ck;goc;goc.control;pthread;spin")
  set(rows_want 40)
endif()
chanbench_expect(RC 0 ARGS run --filter "^lock/mutex/threads=2/cs=0/" --min-time 0.01
                 --repetitions 2 --out ${WORK}/lock.json)
file(READ ${WORK}/lock.json doc)
string(JSON n LENGTH "${doc}" benchmarks)
if(NOT n EQUAL rows_want)
  message(FATAL_ERROR "${n} rows in ${WORK}/lock.json")
endif()
set(seen "")
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  string(JSON type GET "${doc}" benchmarks ${i} run_type)
  if(NOT type STREQUAL "iteration")
    continue()
  endif()
  string(JSON name GET "${doc}" benchmarks ${i} name)
  string(JSON impl GET "${doc}" benchmarks ${i} impl)
  string(JSON threads GET "${doc}" benchmarks ${i} params threads)
  string(JSON cs GET "${doc}" benchmarks ${i} params cs)
  string(JSON op GET "${doc}" benchmarks ${i} op)
  string(JSON smin GET "${doc}" benchmarks ${i} extra share_min)
  string(JSON wait GET "${doc}" benchmarks ${i} extra max_wait_ns)
  string(JSON p50 GET "${doc}" benchmarks ${i} latency_ns p50)
  if(NOT name STREQUAL "lock/mutex/threads=2/cs=0/impl=${impl}" OR NOT threads EQUAL 2
     OR NOT cs EQUAL 0 OR NOT op STREQUAL "lockop" OR smin LESS 0 OR smin GREATER 0.5
     OR wait LESS 0 OR p50 LESS 0)
    message(FATAL_ERROR "row ${i}: ${name} impl ${impl} threads ${threads} cs ${cs} op ${op} "
                        "share_min ${smin} max_wait_ns ${wait} p50 ${p50}")
  endif()
  list(APPEND seen ${impl})
endforeach()
list(REMOVE_DUPLICATES seen)
list(SORT seen)
if(NOT seen STREQUAL impls_want)
  message(FATAL_ERROR "impls ${seen}")
endif()
