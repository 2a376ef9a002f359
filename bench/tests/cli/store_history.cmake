# SPDX-License-Identifier: MIT
# `chanbench store history` and `chanbench store check` over a store of crafted runs: the
# fixtures of machine alpha (alpha-base, then alpha-new: goc's chan/ rows about 15 % faster)
# and copies of them under other commits and dates (the same times again, then alpha-base's
# slower ones), beside beta's run. history: rows in date order, * where the change is
# significant, the chart when gnuplot is there, one-line errors that list what the store has.
# check: exit 1 on a regression, 0 on an identical run, 2 for bad input. Run by ctest with
# CHANBENCH, WORK and SOURCE_DIR set; with PG_STATE too (tests/pg_fixture.cmake), the same on a
# store in a database of the scratch PostgreSQL server.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
set(DATA ${SOURCE_DIR}/bench/tests/data)
fresh_work()
if(DEFINED PG_STATE)
  include(${SOURCE_DIR}/bench/tests/pg_fixture.cmake)
  pg_fixture_url(cli_store_history DB)
else()
  set(DB ${WORK}/history.sqlite)
endif()
set(ENV{CHANBENCH_STORE} ${DB})
set(ENV{CHANBENCH_SCRIPTS} ${SOURCE_DIR}/scripts)

# A copy of a fixture as another run: another start date (so another run id) and commit.
function(craft from to date commit)
  file(READ ${DATA}/${from} doc)
  string(JSON old_date GET "${doc}" context date)
  string(JSON old_commit GET "${doc}" context chanbench git_commit)
  string(REPLACE "\"${old_date}\"" "\"${date}\"" doc "${doc}")
  string(REPLACE "\"${old_commit}\"" "\"${commit}\"" doc "${doc}")
  file(WRITE ${WORK}/${to} "${doc}")
endfunction()
craft(alpha-new.json same.json 2024-06-05T10:00:00Z c0ffee00c0ffee00)
craft(alpha-base.json slower.json 2024-06-07T10:00:00Z badc0de0badc0de0)
# Every time of alpha-base in µs instead of ns: a run 1000 times slower.
craft(alpha-base.json scaled.json 2024-06-09T10:00:00Z 5ca1ed005ca1ed00)
file(READ ${WORK}/scaled.json doc)
string(REPLACE "\"time_unit\":\"ns\"" "\"time_unit\":\"us\"" doc "${doc}")
file(WRITE ${WORK}/scaled.json "${doc}")
craft(alpha-few.json few-again.json 2024-06-06T10:00:00Z fe3fe3fe3fe3)

# Imported out of date order: history sorts by the runs' start dates.
chanbench_expect(RC 0 ARGS store import ${WORK}/slower.json ${DATA}/alpha-new.json
                 ${DATA}/beta.json ${WORK}/same.json ${DATA}/alpha-base.json)

function(history_expect rc)
  chanbench_expect(RC ${rc} ARGS store history ${ARGN})
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# The default machine: alpha, which has the most runs of it (this host has none).
history_expect(0 chan/spsc/cap=0/size=8)
require("${out}" "history of chan/spsc/cap=0/size=8/impl=goc on alpha (machine ")
require("${out}" "the machine with the most runs of it): 4 runs, oldest first")
string(REGEX MATCHALL "\n[* ] [0-9a-f]+ [^\n]*" rows "${out}")
list(LENGTH rows n)
if(NOT n EQUAL 4)
  message(FATAL_ERROR "want 4 runs in the history, got ${n}:\n${out}")
endif()
list(GET rows 0 r0)
list(GET rows 1 r1)
list(GET rows 2 r2)
list(GET rows 3 r3)
# Oldest first; the drop to alpha-new and the rise back are significant, the copy is not.
if(NOT r0 MATCHES "^\n  a1b2c3d4e5f6 +2024-06-01T10:00:00Z .* 8 +121.5 ns +\\[.* ns\\] *$"
   OR NOT r1 MATCHES "^\n\\* f6e5d4c3b2a1 +2024-06-02T10:00:00Z .* -16.1% .* faster$"
   OR NOT r2 MATCHES "^\n  c0ffee00c0ff +2024-06-05T10:00:00Z .* \\+0.0% +[0-9.e-]+ +~$"
   OR NOT r3 MATCHES "^\n\\* badc0de0badc +2024-06-07T10:00:00Z .* \\+19\\.[0-9]% .* slower$")
  message(FATAL_ERROR "history rows:\n${out}")
endif()
require("${out}" "2 significant changes")

# A full name sets the impl; another machine by host name or by its id's first digits.
history_expect(0 chan/spsc/cap=0/size=8/impl=naive --machine alpha)
require("${out}" "history of chan/spsc/cap=0/size=8/impl=naive on alpha")
history_expect(0 chan/spsc/cap=0/size=8 --machine beta)
require("${out}" "on beta (machine ")
require("${out}" "1 run, oldest first")
if(NOT out MATCHES "on beta \\(machine ([0-9a-f]+),")
  message(FATAL_ERROR "no machine id in:\n${out}")
endif()
string(SUBSTRING ${CMAKE_MATCH_1} 0 6 beta_prefix)
history_expect(0 chan/spsc/cap=0/size=8 --machine=${beta_prefix} --impl goc)
require("${out}" "on beta (machine ")

# Unknown names: one line that lists what there is.
chanbench_usage_error("no benchmark chan/spsc/cap=7/size=8; those of chan/spsc there: chan/spsc/cap=0/size=8"
                      store history chan/spsc/cap=7/size=8)
chanbench_usage_error("the families there: cancel, chan, " store history nosuch/thing/x=1)
chanbench_usage_error("no impl=nosuch rows of chan/spsc/cap=0/size=8; its implementations there: "
                      store history chan/spsc/cap=0/size=8 --impl nosuch)
chanbench_usage_error("no machine 'gamma'" store history chan/spsc/cap=0/size=8 --machine gamma)
chanbench_expect(RC 2 ARGS store history chan/spsc/cap=0/size=8 --machine gamma)
require("${err}" "machines there: alpha (")
require("${err}" "beta (")
chanbench_usage_error("names impl=naive, --impl says goc"
                      store history chan/spsc/cap=0/size=8/impl=naive --impl goc)
chanbench_usage_error("history takes one benchmark name" store history)
chanbench_usage_error("--against is not an option of history"
                      store history chan/spsc/cap=0/size=8 --against @alpha)

# The chart: history-NAME.{png,svg,dat} with gnuplot; the data alone (exit 3) without.
set(stem ${WORK}/charts/history-chan_spsc_cap_0_size_8_impl_goc)
execute_process(COMMAND ${CHANBENCH} store history chan/spsc/cap=0/size=8 --out ${WORK}/charts
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
find_program(GNUPLOT gnuplot)
if(GNUPLOT)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "history --out: exit ${rc}\n${out}\n${err}")
  endif()
  foreach(ext png svg)
    file(SIZE ${stem}.${ext} size)
    if(NOT size GREATER 1000)
      message(FATAL_ERROR "history chart ${stem}.${ext}: ${size} bytes")
    endif()
  endforeach()
  require("${out}" "chart   history ")
else()
  if(NOT rc EQUAL 3)
    message(FATAL_ERROR "history --out without gnuplot: exit ${rc}, want 3\n${err}")
  endif()
  require("${err}" "gnuplot is not installed")
endif()
file(READ ${stem}.dat dat)
string(REGEX MATCHALL "\n[0-9]+ [^\n]*" points "${dat}")
list(LENGTH points n)
if(NOT n EQUAL 4 OR NOT dat MATCHES "\n1 [^\n]* 2 -16\\.[0-9]+ \"f6e5d4c3 2024-06-02\""
   OR NOT dat MATCHES "\n2 [^\n]* 0 [0-9.e-]+ \"c0ffee00 2024-06-05\""
   OR NOT dat MATCHES "\n3 [^\n]* 1 19\\.[0-9]+ \"badc0de0 2024-06-07\"")
  message(FATAL_ERROR "history data:\n${dat}")
endif()

# check: the latest run (badc0de0, alpha-base's times) against the same times under another
# commit is slower than the 10 % threshold on goc's chan/ rows: one line each, exit 1.
chanbench_expect(RC 1 ARGS store check --against @commit:c0ffee00)
require("${out}" "REGRESSION chan/spsc/cap=0/size=8/impl=goc: 101.9 ns -> 121.5 ns (+19.")
require("${out}" "store check: FAILED: ")
# Above the largest of those changes (about +20 %), nothing is a regression.
chanbench_expect(RC 0 ARGS store check --against @commit:c0ffee00 --threshold 25)
require("${out}" "store check: ok: ")
require("${out}" "significantly slower by 25% or less")
# The same times under another run: nothing differs.
chanbench_expect(RC 0 ARGS store check --against ${DATA}/alpha-new.json @commit:c0ffee00)
if(NOT out MATCHES "^store check: ok: @commit:c0ffee00 \\(run [0-9a-f]+\\) against [^ ]*/alpha-new.json: [0-9]+ benchmarks in common, none significantly slower by more than 10% \\(0 significantly faster, 0 significantly slower by 10% or less, [0-9]+ with too few rounds to test\\)\n$")
  message(FATAL_ERROR "check of identical times:\n${out}")
endif()
# A fabricated regression from files: every time 1000 times longer.
chanbench_expect(RC 1 ARGS store check --against ${DATA}/alpha-base.json ${WORK}/scaled.json
                 --impl goc)
require("${out}" "REGRESSION chan/spsc/cap=0/size=8/impl=goc: 121.5 ns -> 121.5 µs")
if(out MATCHES "impl=naive")
  message(FATAL_ERROR "--impl goc checked naive:\n${out}")
endif()

# Bad input: one line, exit 2.
chanbench_usage_error("are the same run" store check --against @alpha)
chanbench_usage_error("are the same run" store check --against ${DATA}/alpha-base.json @commit:a1b2)
chanbench_usage_error("no run of that commit" store check --against @commit:0000000)
chanbench_usage_error("no benchmark in common"
                      store check --against ${DATA}/alpha-base.json ${DATA}/disjoint.json)
chanbench_usage_error("has enough rounds for the test"
                      store check --against ${DATA}/alpha-few.json ${WORK}/few-again.json)
chanbench_usage_error("check needs the baseline" store check)
chanbench_usage_error("--threshold wants a per cent" store check --against @alpha --threshold x)
chanbench_usage_error("--machine is not an option of check" store check --against @alpha
                      --machine alpha)
chanbench_expect(RC 0 ARGS store --help)
require("${out}" "history BENCH")
require("${out}" "check --against BASE")
