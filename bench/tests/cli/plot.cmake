# SPDX-License-Identifier: MIT
# `chanbench plot` as a user runs it: PNG and SVG for every chart with gnuplot; the data files,
# a message naming gnuplot-nox and exit 3 without it. Run by ctest with CHANBENCH, WORK and
# SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
set(DATA ${SOURCE_DIR}/bench/tests/data)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ENV{CHANBENCH_SCRIPTS} ${SOURCE_DIR}/scripts)

find_program(GNUPLOT gnuplot)
if(GNUPLOT)
  execute_process(COMMAND ${CHANBENCH} plot --out ${WORK}/plots ${DATA}/alpha-base.json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "chanbench plot: exit ${rc}\n${out}\n${err}")
  endif()
  foreach(chart chan_capacity select_latency locks layout cancel c2c_heatmap scaling)
    foreach(ext dat png svg)
      set(f ${WORK}/plots/${chart}.${ext})
      if(NOT EXISTS ${f})
        message(FATAL_ERROR "missing ${f}\n${out}\n${err}")
      endif()
      file(SIZE ${f} size)
      if(size EQUAL 0)
        message(FATAL_ERROR "empty ${f}")
      endif()
    endforeach()
  endforeach()
  # A script runs by hand on the data file chanbench wrote.
  execute_process(COMMAND ${GNUPLOT} -e "datafile='${WORK}/plots/locks.dat'; out='${WORK}/byhand'"
                          ${SOURCE_DIR}/scripts/locks.gp
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/byhand.png OR NOT EXISTS ${WORK}/byhand.svg)
    message(FATAL_ERROR "gnuplot scripts/locks.gp by hand failed: ${err}")
  endif()
else()
  message(STATUS "gnuplot not installed: only the no-gnuplot path is tested")
endif()

# Without gnuplot on PATH.
file(MAKE_DIRECTORY ${WORK}/emptybin)
execute_process(COMMAND ${CMAKE_COMMAND} -E env PATH=${WORK}/emptybin
                        ${CHANBENCH} plot --out ${WORK}/nognuplot ${DATA}/alpha-base.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 3)
  message(FATAL_ERROR "chanbench plot without gnuplot: exit ${rc}, want 3\n${out}\n${err}")
endif()
require("${err}" "apt install gnuplot-nox")
if(NOT EXISTS ${WORK}/nognuplot/chan_capacity.dat OR EXISTS ${WORK}/nognuplot/chan_capacity.png)
  message(FATAL_ERROR "without gnuplot: want the data files and no charts")
endif()

execute_process(COMMAND ${CHANBENCH} plot --out ${WORK}/bad ${DATA}/truncated.json
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "chanbench plot on a truncated file: exit ${rc}, want 2")
endif()
require("${err}" "${DATA}/truncated.json:")
