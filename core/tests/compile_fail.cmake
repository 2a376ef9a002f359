# Compiles SRC twice: with -DGOC_MISUSE=0 it must compile (the control), with -DGOC_MISUSE=1
# it must be rejected. A test that only checked for failure would pass on a broken file.
foreach(misuse 0 1)
  execute_process(COMMAND ${CC} -std=c11 -fsyntax-only -Werror -I${INC} -DGOC_MISUSE=${misuse} ${SRC}
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(misuse EQUAL 0 AND NOT rc EQUAL 0)
    message(FATAL_ERROR "control build of ${SRC} failed:\n${err}")
  elseif(misuse EQUAL 1 AND rc EQUAL 0)
    message(FATAL_ERROR "${SRC} compiled with GOC_MISUSE=1, but the misuse must be a compile error")
  endif()
endforeach()
message(STATUS "${SRC}: control compiles, misuse rejected")
