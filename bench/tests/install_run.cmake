# SPDX-License-Identifier: MIT
# An installed chanbench stands on its own: `cmake --install` into a scratch prefix, then the
# installed program runs a benchmark (with the executors this build made, when there are any),
# compares two runs and plots one, finding its gnuplot scripts (PREFIX/share/chanbench) and
# executors (PREFIX/libexec/chanbench) beside itself, not in the build or source tree.
# Run as: cmake -DBUILD=... -DWORK=... -DPEERS=go,crossbeam|"" -P install_run.cmake
file(REMOVE_RECURSE ${WORK})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()
set(prefix ${WORK}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix} --component Unspecified)
set(cb ${prefix}/bin/chanbench)
if(NOT EXISTS ${cb} OR NOT EXISTS ${prefix}/share/chanbench/forest.gp)
  message(FATAL_ERROR "cmake --install did not install bin/chanbench and share/chanbench/*.gp")
endif()
set(impls goc)
if(NOT PEERS STREQUAL "")
  set(impls goc,${PEERS})
endif()
foreach(f a b)
  run(${CMAKE_COMMAND} -E env --unset=CHANBENCH_PEER_GO --unset=CHANBENCH_PEER_CROSSBEAM
      --unset=CHANBENCH_SCRIPTS
      ${cb} run --impl ${impls} --filter "^chan/spsc/cap=1024/size=8/" --quick --rounds 2
      --min-time 0.01 --out ${WORK}/${f}.json)
endforeach()
if(NOT PEERS STREQUAL "")
  file(READ ${WORK}/a.json doc)
  string(JSON n LENGTH "${doc}" context chanbench peers)
  math(EXPR last "${n} - 1")
  foreach(k RANGE ${last})
    string(JSON program GET "${doc}" context chanbench peers ${k} program)
    string(FIND "${program}" "${prefix}/" at)
    if(NOT at EQUAL 0)
      message(FATAL_ERROR "the installed chanbench ran the executor ${program}, not the one in ${prefix}")
    endif()
  endforeach()
endif()
run(${cb} compare ${WORK}/a.json ${WORK}/b.json)
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=CHANBENCH_SCRIPTS
                ${cb} plot ${WORK}/a.json --out ${WORK}/plots
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 3)
  message(STATUS "gnuplot is not installed: the installed chanbench wrote the data only")
elseif(NOT rc EQUAL 0)
  message(FATAL_ERROR "installed chanbench plot: exit ${rc}\n${out}\n${err}")
elseif(NOT out MATCHES "scripts from ${prefix}/bin/../share/chanbench")
  message(FATAL_ERROR "the installed chanbench did not plot with its installed scripts:\n${out}")
endif()
message(STATUS "installed chanbench ran (${impls}), compared and plotted from ${prefix}")
