# SPDX-License-Identifier: MIT
# SIGINT to a running `chanbench run`: it stops after the current chunk, writes a valid file
# marked complete: false with the chunks that finished, records it in the store as such, and
# exits 130. The script waits for the table header (printed
# once the handlers are installed) before it sends the signal. Run by ctest with CHANBENCH,
# WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()

# 100000 rounds of >= 10 ms: far longer than the test, so the signal lands mid-run.
set(script [=[
"$1" run --filter '^chan/pingpong/cap=0/impl=goc$' --rounds 100000 --min-time 0.01 --out "$2/int.json" >"$2/stdout" 2>"$2/stderr" &
pid=$!
i=0
until grep -q 'benchmark' "$2/stdout" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 600 ] && { kill -9 $pid; echo "no table header after 60 s"; exit 3; }
  sleep 0.1
done
sleep 0.5
kill -INT $pid
wait $pid
echo "exit=$?"
]=])
execute_process(COMMAND sh -c "${script}" sh ${CHANBENCH} ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "exit=130\n")
  file(READ ${WORK}/stderr chanbench_err)
  message(FATAL_ERROR "interrupted run: ${rc} ${out} ${err}\n${chanbench_err}")
endif()
file(READ ${WORK}/stderr chanbench_err)
require("${chanbench_err}" "interrupted by SIGINT")
file(READ ${WORK}/int.json doc)
string(JSON complete GET "${doc}" context chanbench complete)
string(JSON n LENGTH "${doc}" benchmarks)
string(JSON done GET "${doc}" context chanbench rounds completed)
if(NOT complete STREQUAL "OFF" OR n LESS 7 OR done LESS 1) # chunks and 6 aggregates
  message(FATAL_ERROR "interrupted file: complete ${complete}, ${n} rows")
endif()
# The interrupted run is recorded in the store (ctest's CHANBENCH_STORE) as it is, marked
# incomplete: its --resume replaces it there.
require("${chanbench_err}" "(interrupted: its --resume replaces it there)")
execute_process(COMMAND ${CHANBENCH} store list RESULT_VARIABLE rc OUTPUT_VARIABLE listing)
if(NOT rc EQUAL 0 OR NOT listing MATCHES "\n[0-9a-f]+ +[0-9a-f]+ +[^\n]* no\n")
  message(FATAL_ERROR "the interrupted run in the store: exit ${rc}\n${listing}")
endif()
file(GLOB tmp ${WORK}/*tmp*)
if(tmp)
  message(FATAL_ERROR "temporary files left: ${tmp}")
endif()
