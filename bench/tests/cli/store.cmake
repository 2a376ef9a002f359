# SPDX-License-Identifier: MIT
# `chanbench store` as a user runs it: import (duplicates skipped with a line, bad files
# refused while the others go in), list, export byte for byte, machines, two processes
# importing at once, and one-line refusals that leave a bad store as it was. Run by ctest
# with CHANBENCH, WORK and SOURCE_DIR set; with PG_STATE too (tests/pg_fixture.cmake), the same
# on stores in databases of the scratch PostgreSQL server, where an empty database stands for
# a missing store file.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
set(DATA ${SOURCE_DIR}/bench/tests/data)
set(REF ${SOURCE_DIR}/results/reference/vm-2vcpu-epyc)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
if(DEFINED PG_STATE)
  include(${SOURCE_DIR}/bench/tests/pg_fixture.cmake)
  pg_fixture_url(cli_store DB)
  pg_fixture_url(cli_store_2 DB2)
else()
  set(DB ${WORK}/store.sqlite)
  set(DB2 ${WORK}/concurrent.sqlite)
endif()

function(run_store expect_rc)
  execute_process(COMMAND ${CHANBENCH} store ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "chanbench store ${ARGN}: exit ${rc}, want ${expect_rc}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# Nothing to read yet: list refuses, and does not create the store.
run_store(2 --store ${DB} list)
require("${err}" "no results store there")
one_line("${err}")
if(EXISTS ${DB})
  message(FATAL_ERROR "list created ${DB}")
endif()
run_store(2 --store ${DB} list) # on a server: an empty database, still empty
require("${err}" "no results store there")

# A bad file among good ones: the good ones go in, exit 2 for the bad one.
run_store(2 --store ${DB} import ${DATA}/alpha-base.json ${DATA}/truncated.json ${DATA}/beta.json)
require("${out}" "imported ")
require("${err}" "truncated.json")
one_line("${err}")
# A duplicate is a line, not an error.
run_store(0 --store=${DB} import ${DATA}/alpha-base.json)
require("${err}" "is already in the store; skipped")
one_line("${err}")

run_store(0 --store ${DB} list)
require("${out}" "machines:")
require("${out}" "Intel(R) Xeon(R) CPU @ 2.20GHz")
require("${out}" "6.1.0-21-amd64")
require("${out}" "f6e5d4c3b2a1")
require("${out}" "2024-06-01T10:00:00Z")
string(REGEX MATCH "\n([0-9a-f]+) +[0-9a-f]+ +alpha " line "${out}")
set(alpha_id ${CMAKE_MATCH_1})
if(alpha_id STREQUAL "")
  message(FATAL_ERROR "no run of alpha in:\n${out}")
endif()

# Export: byte for byte, to a file (by a prefix of the id) and to stdout.
string(SUBSTRING ${alpha_id} 0 6 alpha_prefix)
run_store(0 --store ${DB} export ${alpha_prefix} --out ${WORK}/alpha.json)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${DATA}/alpha-base.json
                        ${WORK}/alpha.json RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "export of ${alpha_id} differs from alpha-base.json")
endif()
execute_process(COMMAND ${CHANBENCH} store --store ${DB} export ${alpha_id}
                OUTPUT_FILE ${WORK}/alpha-stdout.json RESULT_VARIABLE rc)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${DATA}/alpha-base.json
                        ${WORK}/alpha-stdout.json RESULT_VARIABLE differ)
if(NOT rc EQUAL 0 OR NOT differ EQUAL 0)
  message(FATAL_ERROR "export of ${alpha_id} to stdout: exit ${rc}, differs ${differ}")
endif()
run_store(2 --store ${DB} export 0000000000000000)
require("${err}" "no run 0000000000000000")
one_line("${err}")
run_store(2 --store ${DB} export)
one_line("${err}")
run_store(2 --store ${DB} export ${alpha_id} --out ${WORK}/no-such-folder/alpha.json)
require("${err}" "no-such-folder")
one_line("${err}")

run_store(0 --store ${DB} machines)
require("${out}" "alpha")
require("${out}" "beta")
require("${out}" "chan/spsc/cap=1024/size=8/impl=goc")
require("${out}" "multiples of each machine's floor")

# machines --out: the table as before, and DIR/machines.dat (block 0: a line per benchmark, a
# column per machine), drawn by scripts/machines.gp where gnuplot is (exit 0), else the data
# file alone (exit 3).
find_program(GNUPLOT gnuplot)
if(GNUPLOT)
  set(want_rc 0)
else()
  set(want_rc 3)
endif()
run_store(${want_rc} --store ${DB} machines --out ${WORK}/machines)
require("${out}" "multiples of each machine's floor")
file(STRINGS ${WORK}/machines/machines.dat dat)
set(block 0)
set(nrows 0)
foreach(line IN LISTS dat)
  if(line MATCHES "^# counts: ([0-9]+) ([0-9]+) ([0-9]+)$")
    set(counts ${CMAKE_MATCH_1};${CMAKE_MATCH_2})
  elseif(line STREQUAL "")
    set(block 1)
  elseif(block EQUAL 0 AND line MATCHES "^\"benchmark\" ")
    set(names "${line}")
  elseif(block EQUAL 0 AND line MATCHES "^\"(chan|select)/[^\"]+\"( [0-9.e+-]+| \\?)( [0-9.e+-]+| \\?)$")
    math(EXPR nrows "${nrows} + 1")
  elseif(block EQUAL 0 AND NOT line MATCHES "^#")
    message(FATAL_ERROR "machines.dat: not a benchmark with one value per machine: ${line}")
  endif()
endforeach()
if(NOT counts STREQUAL "${nrows};2" OR nrows LESS 10)
  message(FATAL_ERROR "machines.dat: counts ${counts}, ${nrows} benchmark rows of 2 machines")
endif()
require("${names}" "\"alpha (Intel(R) Xeon(R) CPU @ 2.20GHz)\" \"beta (AMD EPYC 7B13")
file(READ ${WORK}/machines/machines.dat text)
# alpha's ring floor is 9 ns: its cap=1024 goc median over 9.
string(REGEX MATCH "\n\"chan/spsc/cap=1024/size=8/impl=goc\" [0-9.]+ [0-9.]+\n" row "${text}")
if(row STREQUAL "")
  message(FATAL_ERROR "machines.dat: no row of chan/spsc/cap=1024/size=8/impl=goc:\n${text}")
endif()
foreach(ext png svg)
  if(GNUPLOT AND NOT EXISTS ${WORK}/machines/machines.${ext})
    message(FATAL_ERROR "machines --out drew no machines.${ext}")
  endif()
endforeach()
# Without gnuplot on PATH: the data file only, exit 3, one line saying what to install.
execute_process(COMMAND ${CMAKE_COMMAND} -E env PATH=/nonexistent
                        ${CHANBENCH} store --store ${DB} machines --out ${WORK}/machines-nognuplot
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 3 OR NOT EXISTS ${WORK}/machines-nognuplot/machines.dat
   OR EXISTS ${WORK}/machines-nognuplot/machines.png)
  message(FATAL_ERROR "machines --out without gnuplot: exit ${rc}, want 3 and the .dat only\n${err}")
endif()
require("${err}" "gnuplot is not installed")
one_line("${err}")
# One machine only is drawn too.
run_store(0 --store ${WORK}/one.sqlite import ${DATA}/alpha-base.json)
run_store(${want_rc} --store ${WORK}/one.sqlite machines --out ${WORK}/machines-one)
file(STRINGS ${WORK}/machines-one/machines.dat counts REGEX "^# counts: ")
if(NOT counts MATCHES "^# counts: [1-9][0-9]* 1 [0-9]+$")
  message(FATAL_ERROR "machines.dat of one machine: ${counts}")
endif()
if(GNUPLOT AND NOT EXISTS ${WORK}/machines-one/machines.png)
  message(FATAL_ERROR "machines --out of one machine drew no machines.png")
endif()

# CHANBENCH_STORE chooses the store too.
execute_process(COMMAND ${CMAKE_COMMAND} -E env CHANBENCH_STORE=${DB} ${CHANBENCH} store list
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "CHANBENCH_STORE=${DB} chanbench store list: exit ${rc}")
endif()
require("${out}" "${alpha_id}")

# Two processes importing different files at once (execute_process runs its commands
# together, the first's output piped to the second, which does not read it: so the first
# writes to a file, not into a pipe that closes under it): every run lands.
execute_process(
  COMMAND sh -c "exec \"$0\" store --store \"$1\" import \"$2\" \"$3\" > \"$4\""
          ${CHANBENCH} ${DB2} ${DATA}/alpha-base.json ${REF}/run-a.json ${WORK}/first.out
  COMMAND ${CHANBENCH} store --store ${DB2} import ${DATA}/beta.json ${REF}/run-b.json
  RESULTS_VARIABLE rcs OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rcs STREQUAL "0;0")
  message(FATAL_ERROR "concurrent imports: exits ${rcs}\n${err}")
endif()
run_store(0 --store ${DB2} list)
string(REGEX MATCHALL "\n[0-9a-f]+ +[0-9a-f]+ +[a-z]+ +[^\n]* yes" runs "${out}")
list(LENGTH runs nruns)
if(NOT nruns EQUAL 4)
  message(FATAL_ERROR "want 4 runs after the concurrent imports, got ${nruns}:\n${out}")
endif()

# A file that is not a store: one line, exit 2, and the file as it was.
file(WRITE ${WORK}/junk.sqlite "this is not an SQLite database, and must stay as it is\n")
file(SHA256 ${WORK}/junk.sqlite before)
foreach(cmd list machines "import;${DATA}/alpha-base.json" "export;${alpha_id}")
  run_store(2 --store ${WORK}/junk.sqlite ${cmd})
  require("${err}" "not a usable results store")
  one_line("${err}")
endforeach()
file(SHA256 ${WORK}/junk.sqlite after)
if(NOT before STREQUAL after)
  message(FATAL_ERROR "chanbench store changed ${WORK}/junk.sqlite")
endif()

# Usage errors.
run_store(2)
one_line("${err}")
run_store(2 --store ${DB} frobnicate)
require("${err}" "unknown command frobnicate")
run_store(2 --store ${DB} list --out x.json)
run_store(2 --store)
run_store(0 --help)
require("${out}" "usage: chanbench store")

# Store references in compare: @HOST, @RUNID (a prefix), @commit:SHA, loaded from the stored
# bytes; an unknown one is one line, exit 2.
execute_process(COMMAND ${CHANBENCH} compare --store ${DB} @alpha @beta
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compare @alpha @beta: exit ${rc}\n${err}")
endif()
require("${out}" "A  @alpha (run ${alpha_id}) (base)")
require("${out}" "DIFFERENT MACHINES")
execute_process(COMMAND ${CHANBENCH} compare --store ${DB} @${alpha_prefix} @commit:a1b2c3d4
                        ${DATA}/alpha-new.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compare @${alpha_prefix} @commit:a1b2c3d4 FILE: exit ${rc}\n${err}")
endif()
require("${out}" "B  @commit:a1b2c3d4 (run ${alpha_id})")
foreach(bad nosuch commit:0000000 0000000000000000)
  execute_process(COMMAND ${CHANBENCH} compare --store ${DB} @alpha @${bad}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "compare @alpha @${bad}: exit ${rc}, want 2\n${err}")
  endif()
  one_line("${err}")
endforeach()

# The same references in plot: the stored runs drawn as files would be (exit 3: no gnuplot, the
# data and the page still written), the page naming each as @REF (run ID); an unknown one is
# one line, exit 2, and nothing is written.
execute_process(COMMAND ${CHANBENCH} plot --store ${DB} @commit:a1b2c3d4 @beta
                        --out ${WORK}/ref-plots
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT (rc EQUAL 0 OR rc EQUAL 3))
  message(FATAL_ERROR "plot @commit:a1b2c3d4 @beta: exit ${rc}\n${out}\n${err}")
endif()
file(READ ${WORK}/ref-plots/index.html page)
require("${page}" "@commit:a1b2c3d4 (run ${alpha_id})")
require("${page}" "@beta (run ")
execute_process(COMMAND ${CHANBENCH} plot --store ${DB} @nosuch --out ${WORK}/no-plots
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR EXISTS ${WORK}/no-plots)
  message(FATAL_ERROR "plot @nosuch: exit ${rc} (want 2), folder made: ${out}\n${err}")
endif()
one_line("${err}")
