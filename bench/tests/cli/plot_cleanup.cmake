# SPDX-License-Identifier: MIT
# `chanbench plot` leaves nothing behind when a chart fails (gnuplot failing, or plot stopped by
# a signal while gnuplot draws), keeps an earlier run's charts, and refuses to draw a file
# against itself. gnuplot is a stand-in on PATH (FAKE_GNUPLOT says what it does), so this runs
# where gnuplot is not installed. Run by ctest with CHANBENCH, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
set(DATA ${SOURCE_DIR}/bench/tests/data)
fresh_work()
set(ENV{CHANBENCH_SCRIPTS} ${SOURCE_DIR}/scripts)

# The stand-in: draws (ok), draws half an image and fails (fail), or draws half an image and
# waits to be stopped (hang, writing its pid to FAKE_PIDFILE).
file(MAKE_DIRECTORY ${WORK}/bin)
file(WRITE ${WORK}/bin/gnuplot [=[#!/bin/sh
out=$(printf '%s\n' "$2" | sed -n "s/.*; out='\([^']*\)';.*/\1/p")
case "$FAKE_GNUPLOT" in
ok) echo png >"$out.png"; echo svg >"$out.svg"; exit 0 ;;
fail) echo half >"$out.png"; echo "line 5: invalid command" >&2; exit 1 ;;
hang) echo half >"$out.png"; echo $$ >"$FAKE_PIDFILE"; exec sleep 60 ;;
esac
exit 9
]=])
file(CHMOD ${WORK}/bin/gnuplot PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
set(ENV{PATH} "${WORK}/bin:$ENV{PATH}")

# Every file of dir, hidden ones too, relative to it.
function(listing dir var)
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE ${dir} ${dir}/* ${dir}/.*)
  list(SORT files)
  set(${var} "${files}" PARENT_SCOPE)
endfunction()

# A failing chart into a fresh folder: exit 1, gnuplot's words on stderr, and not even the
# folder is left.
set(ENV{FAKE_GNUPLOT} fail)
chanbench_expect(RC 1 ARGS plot --out ${WORK}/fresh ${DATA}/alpha-base.json)
require("${err}" "chanbench plot: gnuplot failed on ${SOURCE_DIR}/scripts/chan_capacity.gp drawing ${WORK}/fresh/chan_capacity (its data, images and log removed); it said:\n  line 5: invalid command\n")
if(EXISTS ${WORK}/fresh)
  listing(${WORK}/fresh left)
  message(FATAL_ERROR "a failed plot left ${WORK}/fresh: ${left}")
endif()

# A good run, then a failing one into the same folder: the good run's files stay as they were,
# nothing is added.
set(ENV{FAKE_GNUPLOT} ok)
chanbench_expect(RC 0 ARGS plot --out ${WORK}/plots ${DATA}/alpha-base.json)
listing(${WORK}/plots before)
foreach(f chan_capacity.dat chan_capacity.png chan_capacity.svg locks.dat scaling.svg)
  list(FIND before "${f}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "plot with a working gnuplot did not write ${f}: ${before}")
  endif()
endforeach()
string(FIND "${before}" ".tmp" tmp_at)
string(FIND "${before}" ".log" log_at)
if(NOT tmp_at EQUAL -1 OR NOT log_at EQUAL -1)
  message(FATAL_ERROR "plot left temporary files after a good run: ${before}")
endif()
file(SHA256 ${WORK}/plots/chan_capacity.dat dat_before)
set(ENV{FAKE_GNUPLOT} fail)
chanbench_expect(RC 1 ARGS plot --out ${WORK}/plots ${DATA}/alpha-new.json)
listing(${WORK}/plots after)
if(NOT after STREQUAL before)
  message(FATAL_ERROR "a failed plot changed the folder:\nbefore: ${before}\nafter:  ${after}")
endif()
file(SHA256 ${WORK}/plots/chan_capacity.dat dat_after)
if(NOT dat_after STREQUAL dat_before)
  message(FATAL_ERROR "a failed plot replaced the earlier chan_capacity.dat")
endif()

# Stopped by SIGTERM while gnuplot draws: plot stops gnuplot, removes the chart's temporary
# files and dies of the signal.
set(ENV{FAKE_GNUPLOT} hang)
set(ENV{FAKE_PIDFILE} ${WORK}/gnuplot.pid)
execute_process(
  COMMAND sh -c [=[
"$1" plot --out "$2/stopped" "$3" >"$2/stopped.out" 2>&1 &
pid=$!
i=0
while [ ! -s "$2/gnuplot.pid" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$2/gnuplot.pid" ] || { echo "gnuplot never started"; kill $pid; exit 1; }
kill -TERM $pid
wait $pid
echo "status $?"
kill -0 "$(cat "$2/gnuplot.pid")" 2>/dev/null && echo "gnuplot still running"
exit 0
]=] sh ${CHANBENCH} ${WORK} ${DATA}/alpha-base.json
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "status 143\n")
  message(FATAL_ERROR "plot stopped by SIGTERM: ${rc}\n${out}${err}")
endif()
listing(${WORK}/stopped left)
if(NOT left STREQUAL "")
  message(FATAL_ERROR "plot stopped by SIGTERM left: ${left}")
endif()

# One file, or one run, twice: refused before anything is drawn.
set(ENV{FAKE_GNUPLOT} ok)
file(COPY_FILE ${DATA}/alpha-base.json ${WORK}/copy.json)
file(CREATE_LINK ${DATA}/alpha-base.json ${WORK}/link.json SYMBOLIC)
chanbench_usage_error("chanbench plot: ${DATA}/alpha-base.json and ${DATA}/alpha-base.json are the same file; give it once"
                      plot --out ${WORK}/twice ${DATA}/alpha-base.json ${DATA}/alpha-base.json)
chanbench_usage_error("chanbench plot: ${DATA}/alpha-base.json and link.json are the same file"
                      plot --out ${WORK}/twice ${DATA}/alpha-base.json link.json)
chanbench_usage_error("chanbench plot: copy.json and ${DATA}/alpha-base.json hold the same run (host alpha, started 2024-06-01T10:00:00Z); give one of them"
                      plot --out ${WORK}/twice copy.json ${DATA}/beta.json ${DATA}/alpha-base.json)
if(EXISTS ${WORK}/twice)
  message(FATAL_ERROR "a refused plot created ${WORK}/twice")
endif()
# two runs of one machine are fine
chanbench_expect(RC 0 ARGS plot --out ${WORK}/two ${DATA}/alpha-base.json ${DATA}/alpha-new.json)
require("${out}" "cross_machine")
