# SPDX-License-Identifier: MIT
# `chanbench compare` as a user runs it: a table on good files, exit 2 and a one-line error
# naming the file on bad ones. Run by ctest with CHANBENCH, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
set(DATA ${SOURCE_DIR}/bench/tests/data)

function(run_compare expect_rc)
  execute_process(COMMAND ${CHANBENCH} compare ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "chanbench compare ${ARGN}: exit ${rc}, want ${expect_rc}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

run_compare(0 ${DATA}/alpha-base.json ${DATA}/alpha-new.json)
require("${out}" "same machine; they differ in git_commit")
string(REGEX MATCH "\nchan/spsc/cap=1024/size=8/impl=goc [^\n]*" line "${out}")
require("${line}" "-14.5%")
string(REGEX MATCH "\nlock/mutex/threads=2/cs=0/impl=goc [^\n]*" line "${out}")
require("${line}" " ~ ")
require("${out}" "geomean")
require("${out}" "Only in A (${DATA}/alpha-base.json), not compared:\n  chan/spsc/cap=16/size=8/impl=naive")

run_compare(0 ${DATA}/alpha-base.json ${DATA}/beta.json --format markdown)
require("${out}" "DIFFERENT MACHINES")
require("${out}" "| benchmark")

run_compare(0 --normalize limit --format csv ${DATA}/alpha-base.json ${DATA}/beta.json)
require("${out}" "benchmark,label,file,metric,unit,n,median")
require("${err}" "ring_ns_per_msg")

foreach(bad truncated.json foreign.json missing.json disjoint.json)
  run_compare(2 ${DATA}/alpha-base.json ${DATA}/${bad})
  require("${err}" "${DATA}/${bad}")
  one_line("${err}")
endforeach()
run_compare(2 --normalize limit ${DATA}/alpha-base.json ${DATA}/alpha-nolimit.json)
require("${err}" "alpha-nolimit.json: no limit section")
run_compare(2 ${DATA}/alpha-base.json)
run_compare(0 --help)
require("${out}" "usage: chanbench compare")
