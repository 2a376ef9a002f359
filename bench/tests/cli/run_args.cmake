# SPDX-License-Identifier: MIT
# `chanbench run` refuses bad command lines before running anything: unknown flags, bad
# numbers, unknown values, unknown implementations, PUs that do not exist, filters matching
# nothing. Each is one line on stderr, exit 2, and no results file. Run by ctest with
# CHANBENCH, WORK and SOURCE_DIR set.
include(${SOURCE_DIR}/bench/tests/run_cli_common.cmake)
fresh_work()

chanbench_usage_error("unknown option '--bogus'" run --bogus)
chanbench_usage_error("unknown option '-z'" run -z)
chanbench_usage_error("needs a value" run --filter)
chanbench_usage_error("takes no value" run --quick=yes)
chanbench_usage_error("unexpected argument 'spsc'" run spsc)
chanbench_usage_error("--repetitions" run --repetitions abc)
chanbench_usage_error("--repetitions" run --repetitions 0)
chanbench_usage_error("--repetitions" run --repetitions -3)
chanbench_usage_error("--min-time" run --min-time fast)
chanbench_usage_error("--min-time" run --min-time -0.5)
chanbench_usage_error("--min-time" run --min-time 0)
chanbench_usage_error("--threads" run --threads 0)
chanbench_usage_error("--threads" run --threads two)
chanbench_usage_error("--format" run --format xml)
chanbench_usage_error("--pin" run --pin tightly)
chanbench_usage_error("--pin 4096" run --pin 4096)
chanbench_usage_error("not a valid regular expression" run --filter "chan/(spsc")
chanbench_usage_error("unknown implementation 'nosuch'" run --impl goc,nosuch)
chanbench_usage_error("--filter '^nothing/' matches no benchmark" run --filter "^nothing/")
chanbench_usage_error("matches no benchmark of profile quick" run --quick --filter "cap=7777")
require_empty(${WORK}/results)
