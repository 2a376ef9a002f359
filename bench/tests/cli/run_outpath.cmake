# SPDX-License-Identifier: MIT
# --out writes a regular file only: a device node, a FIFO (and a symlink to one) are refused
# with one line and exit 2 before anything runs, and left as they were (`chanbench limit`
# too); a symlink is written through (the link stays, its target gets the results, a dangling
# one included); an existing file keeps its mode and owner; `--out -` puts the JSON alone on
# stdout and the table on stderr, and leaves no journal behind. Run by ctest with CHANBENCH,
# WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()
set(RUN run --quick --filter "^chan/spsc/cap=1024/size=8/impl=goc$" --min-time 0.01 --rounds 1)

function(require_json file)
  file(READ ${file} doc)
  string(JSON complete ERROR_VARIABLE jerr GET "${doc}" context chanbench complete)
  if(jerr OR NOT complete STREQUAL "ON")
    message(FATAL_ERROR "${file} is not a complete results file: ${jerr}")
  endif()
endfunction()

# A device node: mknod needs root; without it the case is skipped with a line.
file(MAKE_DIRECTORY ${WORK}/dev)
execute_process(COMMAND mknod ${WORK}/dev/null c 1 3 RESULT_VARIABLE rc ERROR_QUIET)
if(rc EQUAL 0)
  chanbench_usage_error("--out '${WORK}/dev/null' is a character device" ${RUN}
                        --out ${WORK}/dev/null)
  execute_process(COMMAND stat -c %F ${WORK}/dev/null OUTPUT_VARIABLE kind
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT kind STREQUAL "character special file")
    message(FATAL_ERROR "the device node became: ${kind}")
  endif()
  file(REMOVE ${WORK}/dev/null)
else()
  message(STATUS "SKIPPED the device-node case: mknod is not permitted here")
endif()
require_empty(${WORK}/dev)

# A FIFO, directly and through a symlink; `chanbench limit --out` the same.
file(MAKE_DIRECTORY ${WORK}/fifo)
execute_process(COMMAND mkfifo ${WORK}/fifo/p RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mkfifo failed")
endif()
file(CREATE_LINK p ${WORK}/fifo/lp SYMBOLIC)
chanbench_usage_error("--out '${WORK}/fifo/p' is a FIFO" ${RUN} --out ${WORK}/fifo/p)
chanbench_usage_error("--out '${WORK}/fifo/lp' is a FIFO" ${RUN} --out ${WORK}/fifo/lp)
chanbench_usage_error("--out '${WORK}/fifo/p' is a FIFO" limit --quick --out ${WORK}/fifo/p)
file(GLOB left ${WORK}/fifo/*)
list(LENGTH left n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "want only the FIFO and its link, found: ${left}")
endif()

# A symlink is written through; a dangling one creates its target.
file(MAKE_DIRECTORY ${WORK}/link/t)
file(WRITE ${WORK}/link/t/real.json "old\n")
file(CREATE_LINK t/real.json ${WORK}/link/out.json SYMBOLIC)
chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/link/out.json)
if(NOT IS_SYMLINK ${WORK}/link/out.json)
  message(FATAL_ERROR "the symlink given to --out was replaced")
endif()
require_json(${WORK}/link/t/real.json)
file(CREATE_LINK t/new.json ${WORK}/link/dangling.json SYMBOLIC)
chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/link/dangling.json)
if(NOT IS_SYMLINK ${WORK}/link/dangling.json)
  message(FATAL_ERROR "the dangling symlink given to --out was replaced")
endif()
require_json(${WORK}/link/t/new.json)
file(GLOB left ${WORK}/link/t/*)
list(LENGTH left n)
if(NOT n EQUAL 2) # real.json, new.json: no temporary file, no journal
  message(FATAL_ERROR "want real.json and new.json in t/, found: ${left}")
endif()

# A 0600 results file stays 0600, and (as root, who can give it away) keeps its owner.
file(WRITE ${WORK}/mode.json "{}\n")
file(CHMOD ${WORK}/mode.json PERMISSIONS OWNER_READ OWNER_WRITE)
execute_process(COMMAND chown 65534:65534 ${WORK}/mode.json RESULT_VARIABLE chowned ERROR_QUIET)
execute_process(COMMAND stat -c %u:%g ${WORK}/mode.json OUTPUT_VARIABLE owner_before
                OUTPUT_STRIP_TRAILING_WHITESPACE)
chanbench_expect(RC 0 ARGS ${RUN} --out ${WORK}/mode.json)
execute_process(COMMAND stat -c %a ${WORK}/mode.json OUTPUT_VARIABLE mode
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT mode STREQUAL "600")
  message(FATAL_ERROR "a 0600 results file came back ${mode}")
endif()
execute_process(COMMAND stat -c %u:%g ${WORK}/mode.json OUTPUT_VARIABLE owner
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT owner STREQUAL owner_before)
  message(FATAL_ERROR "a results file owned by ${owner_before} came back owned by ${owner}")
endif()
if(NOT chowned EQUAL 0)
  message(STATUS "SKIPPED the owner case: chown is not permitted here")
endif()
require_json(${WORK}/mode.json)

# --out - : stdout is the JSON document alone, the table goes to stderr; the journal (in
# $TMPDIR) is gone afterwards. --format csv would share stdout: refused.
file(MAKE_DIRECTORY ${WORK}/tmp)
execute_process(COMMAND ${CMAKE_COMMAND} -E env TMPDIR=${WORK}/tmp ${CHANBENCH} ${RUN} --out -
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "--out -: exit ${rc}\n${err}")
endif()
string(JSON complete ERROR_VARIABLE jerr GET "${out}" context chanbench complete)
if(jerr OR NOT complete STREQUAL "ON")
  message(FATAL_ERROR "--out - : stdout is not the results document (${jerr}):\n${out}")
endif()
require("${err}" "benchmark")
require("${err}" "wrote stdout")
require_empty(${WORK}/tmp)
chanbench_usage_error("--out - writes the JSON results to stdout" ${RUN} --out - --format csv)
