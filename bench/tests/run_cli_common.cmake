# SPDX-License-Identifier: MIT
# Helpers for the cli/*.cmake scripts, which include() it (kept out of cli/ so that ctest does
# not run it as a test of its own).
#
# chanbench_expect(RC <status> [DIR <cwd>] ARGS <args...>): run chanbench, require the exit
# status, and leave out/err in the caller's scope.
function(chanbench_expect)
  cmake_parse_arguments(X "" "RC;DIR" "ARGS" ${ARGN})
  if(NOT X_DIR)
    set(X_DIR ${WORK})
  endif()
  execute_process(COMMAND ${CHANBENCH} ${X_ARGS} WORKING_DIRECTORY ${X_DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${X_RC}")
    message(FATAL_ERROR "chanbench ${X_ARGS}: exit ${rc}, want ${X_RC}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# A usage error: exit 2, exactly one line on stderr that contains what, nothing on stdout.
function(chanbench_usage_error what)
  chanbench_expect(RC 2 ARGS ${ARGN})
  one_line("${err}")
  require("${err}" "${what}")
  if(NOT out STREQUAL "")
    message(FATAL_ERROR "chanbench ${ARGN}: want nothing on stdout, got:\n${out}")
  endif()
endfunction()

function(require text what)
  string(FIND "${text}" "${what}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected \"${what}\" in:\n${text}")
  endif()
endfunction()

# one_line(<text>): text is exactly one line (a refusal's error).
function(one_line text)
  string(REGEX MATCHALL "\n" lines "${text}")
  list(LENGTH lines n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "want a one-line error, got:\n${text}")
  endif()
endfunction()

# one_line_with(<text> <what>): exactly one line of text contains what (a regex), whatever else
# it holds (a run's warnings and progress besides the line wanted).
function(one_line_with text what)
  string(REPLACE ";" "," text "${text}") # a ';' in a line would split it in the list below
  string(REGEX MATCHALL "[^\n]*${what}[^\n]*" lines "${text}")
  list(LENGTH lines n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "want one line with \"${what}\", got ${n} in:\n${text}")
  endif()
endfunction()

# The files directly in a folder (none expected after a refused run).
function(require_empty dir)
  file(GLOB left ${dir}/* ${dir}/.*)
  if(left)
    message(FATAL_ERROR "want ${dir} empty, found: ${left}")
  endif()
endfunction()

# Fresh scratch folder with an empty results/ in it.
function(fresh_work)
  file(REMOVE_RECURSE ${WORK})
  file(MAKE_DIRECTORY ${WORK}/results)
endfunction()
