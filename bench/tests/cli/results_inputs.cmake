# SPDX-License-Identifier: MIT
# compare and plot on results they cannot use: a file whose times are zero or negative, and a
# folder. Each is one line naming the file (and the row), exit 2, and plot writes nothing. Run
# by ctest with CHANBENCH, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
set(DATA ${SOURCE_DIR}/bench/tests/data)
fresh_work()
set(ENV{CHANBENCH_SCRIPTS} ${SOURCE_DIR}/scripts)

file(READ ${DATA}/alpha-new.json doc)
string(REGEX REPLACE "\"(real_time|cpu_time)\":[-0-9.eE+]+" "\"\\1\":0" zero "${doc}")
file(WRITE ${WORK}/zero.json "${zero}")
string(REGEX REPLACE "\"cpu_time\":[-0-9.eE+]+" "\"cpu_time\":-2.5" negative "${doc}")
file(WRITE ${WORK}/negative.json "${negative}")

set(ZERO_ROW "zero.json: benchmarks[0] (chan/spsc/cap=0/size=8/impl=goc) has real_time 0, not a positive finite time; the file is damaged: re-run that benchmark, or delete its rows")
chanbench_usage_error("chanbench compare: ${ZERO_ROW}" compare ${DATA}/alpha-base.json zero.json)
chanbench_usage_error("chanbench plot: ${ZERO_ROW}" plot --out ${WORK}/plots ${DATA}/alpha-base.json zero.json)
chanbench_usage_error("negative.json: benchmarks[0] (chan/spsc/cap=0/size=8/impl=goc) has cpu_time -2.5, not a positive finite time"
                      compare negative.json ${DATA}/alpha-base.json)

set(FOLDER "is a folder, not a results file; give one of the .json files in it")
chanbench_usage_error("chanbench compare: ${DATA}/: ${FOLDER}" compare ${DATA}/alpha-base.json ${DATA}/)
chanbench_usage_error("chanbench compare: ${WORK}: ${FOLDER}" compare ${WORK} ${DATA}/alpha-base.json)
chanbench_usage_error("chanbench plot: ${DATA}: ${FOLDER}" plot --out ${WORK}/plots ${DATA})
if(EXISTS ${WORK}/plots)
  message(FATAL_ERROR "plot refused its input but created ${WORK}/plots")
endif()
