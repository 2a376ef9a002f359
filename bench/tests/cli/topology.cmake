# SPDX-License-Identifier: MIT
# `chanbench topology` as a user runs it: the machine, the allowed CPUs and every policy's
# placement; --json gives the context.chanbench.topology object; bad options exit 2 with one
# line. Run by ctest with CHANBENCH, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
function(run_topology expect_rc)
  execute_process(COMMAND ${CHANBENCH} topology ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "chanbench topology ${ARGN}: exit ${rc}, want ${expect_rc}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

run_topology(0)
foreach(what "machine: " "allowed CPUs: " "topology (OS indexes" "Core P#" "caches:"
             "compact: " "scatter: " "smt: " "none: " "list: " "  N=1 ")
  require("${out}" "${what}")
endforeach()

run_topology(0 --json)
string(JSON pus GET "${out}" pus)
string(JSON cores GET "${out}" cores)
string(JSON allowed GET "${out}" allowed_cpus)
string(JSON machine GET "${out}" machine_cpus)
string(JSON virt GET "${out}" virtualized)
string(JSON ncaches LENGTH "${out}" caches)
if(pus LESS 1 OR cores LESS 1 OR cores GREATER pus)
  message(FATAL_ERROR "implausible topology: ${pus} PUs, ${cores} cores\n${out}")
endif()
if(allowed STREQUAL "" OR machine STREQUAL "")
  message(FATAL_ERROR "no allowed_cpus or machine_cpus:\n${out}")
endif()

run_topology(2 --bogus)
require("${err}" "unknown option '--bogus'")
run_topology(2 extra)
require("${err}" "unexpected argument 'extra'")
run_topology(0 --help)
require("${out}" "usage: chanbench topology")
