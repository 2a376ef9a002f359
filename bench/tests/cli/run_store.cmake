# SPDX-License-Identifier: MIT
# `chanbench run` records each run in the results store: --store PATH (its folder made), the
# default results/chanbench.sqlite, $CHANBENCH_STORE; a second run is a second run there;
# --no-store and --out - record nothing; a store that cannot take the run is a one-line warning
# that leaves the results file written and the exit status 0. Run by ctest with CHANBENCH, WORK
# and SOURCE_DIR set (and CHANBENCH_STORE, which the cases below set or unset themselves); with
# PG_STATE too (tests/pg_fixture.cmake), the same into stores on the scratch PostgreSQL server,
# where the stores that cannot take the run are a database that does not exist and a server
# that is not there.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()
set(RUN run --quick --filter "^chan/spsc/cap=1024/size=8/impl=goc$" --min-time 0.01 --rounds 2)

# The number of runs `chanbench store list` shows in store db.
function(count_runs db var)
  execute_process(COMMAND ${CHANBENCH} store --store ${db} list
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "store list of ${db}: exit ${rc}\n${err}")
  endif()
  string(REGEX MATCHALL "\n[0-9a-f]+ +[0-9a-f]+ +[^\n]* (yes|no)" runs "${out}")
  list(LENGTH runs n)
  set(${var} ${n} PARENT_SCOPE)
  set(listing "${out}" PARENT_SCOPE)
endfunction()


if(DEFINED PG_STATE)
  include(${SOURCE_DIR}/bench/tests/pg_fixture.cmake)
  pg_fixture_url(cli_run_store DB)
  pg_fixture_url(cli_run_store_2 ENV_DB)
  string(REPLACE "/cli_run_store?" "/no_such_database?" BAD_DB "${DB}")
  set(BAD_STORES "${BAD_DB}" "postgresql://chanbench@/chanbench?host=${WORK}/no-server-here")
else()
  # --store PATH in folders that do not exist yet: made, and the run recorded, with its id.
  set(DB ${WORK}/made/for/it/runs.sqlite)
  set(ENV_DB ${WORK}/env/chosen.sqlite)
  file(WRITE ${WORK}/junk.sqlite "not an SQLite database, and it stays as it is\n")
  set(BAD_STORES ${WORK}/junk.sqlite ${WORK}/one.json/under/a/file.sqlite)
endif()
string(REGEX REPLACE "([][.*+?^$()|\\])" "\\\\\\1" DB_RE "${DB}") # as a regular expression
chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/one.json --store ${DB})
require("${err}" "wrote ${WORK}/one.json")
if(NOT err MATCHES "recorded in ${DB_RE} as run ([0-9a-f]+)\n")
  message(FATAL_ERROR "no 'recorded in' line:\n${err}")
endif()
set(id1 ${CMAKE_MATCH_1})
count_runs(${DB} n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "want 1 run in ${DB}, got ${n}:\n${listing}")
endif()
require("${listing}" "${id1}")

# A second run is a second run there; --no-store adds none, and says nothing of the store.
chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/two.json --store=${DB})
count_runs(${DB} n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "want 2 runs in ${DB}, got ${n}:\n${listing}")
endif()
chanbench_usage_error("--store and --no-store contradict" ${RUN} --store ${DB} --no-store)
set(ENV{CHANBENCH_STORE} ${DB})
chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/four.json --no-store)
if(err MATCHES "recorded|results store")
  message(FATAL_ERROR "--no-store spoke of the store:\n${err}")
endif()
# --out - : the results are not a file, so there is nothing to record.
chanbench_expect(RC 0 ARGS ${RUN} --out -)
if(err MATCHES "recorded")
  message(FATAL_ERROR "--out - recorded the run:\n${err}")
endif()
count_runs(${DB} n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "--no-store or --out - recorded a run: ${n} runs in ${DB}:\n${listing}")
endif()

# $CHANBENCH_STORE chooses the store without --store.
set(ENV{CHANBENCH_STORE} ${ENV_DB})
chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/five.json)
require("${err}" "recorded in ${ENV_DB} as run ")
count_runs(${ENV_DB} n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "want 1 run in the store of CHANBENCH_STORE, got ${n}")
endif()

# Without either: results/chanbench.sqlite of the current folder (made when missing). A
# sanitized build records only into a store it is given: its timings are not results.
unset(ENV{CHANBENCH_STORE})
file(MAKE_DIRECTORY ${WORK}/elsewhere)
chanbench_expect(RC 0 DIR ${WORK}/elsewhere ARGS ${RUN} --out ${WORK}/six.json)
if(DEFINED PG_STATE)
  # (the SQLite run of this script checks the default store)
elseif(err MATCHES "sanitized build")
  one_line_with("${err}" "not recorded in the results store")
  if(EXISTS ${WORK}/elsewhere/results)
    message(FATAL_ERROR "a sanitized build made results/ for its store")
  endif()
else()
  require("${err}" "recorded in results/chanbench.sqlite as run ")
  count_runs(${WORK}/elsewhere/results/chanbench.sqlite n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "want 1 run in results/chanbench.sqlite, got ${n}")
  endif()
endif()

# A store that cannot take the run (BAD_STORES, above): a file that is not a store, and a store
# whose folder would have to be made inside a file. One warning line each, naming the way to
# record it later; the results file is written and the exit status is the run's, 0.
if(NOT DEFINED PG_STATE)
  file(SHA256 ${WORK}/junk.sqlite before)
endif()
foreach(bad ${BAD_STORES})
  file(REMOVE ${WORK}/bad.json)
  chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/bad.json --store ${bad})
  one_line_with("${err}" "WARNING: the run is not recorded in the results store")
  require("${err}" "'chanbench store --store ${bad} import ${WORK}/bad.json' records them")
  require("${err}" "wrote ${WORK}/bad.json")
  file(READ ${WORK}/bad.json doc)
  string(JSON complete GET "${doc}" context chanbench complete)
  if(NOT complete STREQUAL "ON")
    message(FATAL_ERROR "the results of a run the store refused: complete ${complete}")
  endif()
endforeach()
if(NOT DEFINED PG_STATE)
  file(SHA256 ${WORK}/junk.sqlite after)
  if(NOT before STREQUAL after)
    message(FATAL_ERROR "chanbench run changed the junk store")
  endif()
endif()
# A URL's password never shows: not in the warning, not in the command it suggests.
file(REMOVE ${WORK}/bad.json)
chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/bad.json
                 --store "postgresql://chanbench:s3cr3t-pw@/chanbench?host=${WORK}/no-server-here")
one_line_with("${err}" "WARNING: the run is not recorded in the results store")
if(err MATCHES "s3cr3t-pw")
  message(FATAL_ERROR "the store URL's password shows in:\n${err}")
endif()
# What the warning says to do records it.
execute_process(COMMAND ${CHANBENCH} store --store ${DB} import ${WORK}/bad.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^imported [0-9a-f]+ ")
  message(FATAL_ERROR "store import of the unrecorded run: exit ${rc}\n${out}\n${err}")
endif()

# The help says how.
chanbench_expect(RC 0 ARGS run --help)
require("${out}" "--no-store")
require("${out}" "--store PATH")
