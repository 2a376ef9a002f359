# SPDX-License-Identifier: MIT
# The output folder is checked before any benchmark runs: a missing folder, a read-only one, a
# --out that is a folder, and the default results/ missing from the current folder are each a
# one-line error with exit 2, and nothing is written. Run by ctest with CHANBENCH, WORK and
# SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()
set(RUN run --quick --filter "^chan/spsc/cap=1024/size=8/impl=goc$" --min-time 0.01 --repetitions 1)

chanbench_usage_error("output folder '${WORK}/missing' does not exist" ${RUN}
                      --out ${WORK}/missing/x.json)

file(MAKE_DIRECTORY ${WORK}/ro)
file(CHMOD ${WORK}/ro DIRECTORY_PERMISSIONS OWNER_READ OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
chanbench_usage_error("output folder '${WORK}/ro' is read-only" ${RUN} --out ${WORK}/ro/x.json)
file(CHMOD ${WORK}/ro DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
require_empty(${WORK}/ro)

chanbench_usage_error("is a folder" ${RUN} --out ${WORK}/ro)

# The default name lives in results/ of the current folder. A sanitized build refuses the
# default name altogether (its timings are not results), which is checked first.
file(MAKE_DIRECTORY ${WORK}/elsewhere)
chanbench_expect(RC 2 DIR ${WORK}/elsewhere ARGS ${RUN})
if(err MATCHES "sanitized build")
  require("${err}" "give --out FILE")
else()
  require("${err}" "output folder 'results' does not exist")
endif()
require_empty(${WORK}/elsewhere)
