# SPDX-License-Identifier: MIT
# `chanbench`, `chanbench --help`, `run --help`, `list --help`, `list`: help goes to stdout
# with exit 0; no command, an unknown command or an unknown option before the command is a
# one-line error with exit 2. Run by ctest with CHANBENCH, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()

chanbench_expect(RC 0 ARGS --help)
require("${out}" "usage: chanbench <command>")
foreach(cmd list run topology limit compare plot)
  require("${out}" "  ${cmd} ")
endforeach()
chanbench_expect(RC 0 ARGS help)
chanbench_expect(RC 2 ARGS)
require("${err}" "usage: chanbench")

chanbench_usage_error("unknown command 'bogus'" bogus)
chanbench_usage_error("unknown option '--fast'" --fast run)

chanbench_expect(RC 0 ARGS run --help)
foreach(opt --filter --repetitions --min-time --threads --pin --impl --quick --format --out)
  require("${out}" "${opt}")
endforeach()
chanbench_expect(RC 0 ARGS list --help)
require("${out}" "usage: chanbench list")

# list: one name per line, every name hierarchical with impl last; filters apply.
chanbench_expect(RC 0 ARGS list)
require("${out}" "chan/spsc/cap=1024/size=8/impl=goc\n")
require("${out}" "chan/pingpong/cap=0/impl=goc\n")
string(REGEX MATCHALL "[^\n]+" names "${out}")
foreach(n ${names})
  if(NOT n MATCHES "^[a-z]+/[a-z0-9_]+(/[a-z_]+=[^/]+)*/impl=[a-z0-9_]+(\\.[a-z0-9_]+)?$")
    message(FATAL_ERROR "not a benchmark name: '${n}'")
  endif()
endforeach()
chanbench_expect(RC 0 ARGS list --filter "^chan/pingpong/cap=0/" --quick --impl goc)
if(NOT out STREQUAL "chan/pingpong/cap=0/impl=goc\n")
  message(FATAL_ERROR "list --filter chan/pingpong gave:\n${out}")
endif()
chanbench_usage_error("matches no benchmark" list --filter "^nothing/")
require_empty(${WORK}/results)
