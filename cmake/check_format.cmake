# Fails when a C source or header under core/ or bench/ differs from what the repository's
# .clang-format gives. Run as: cmake -DCLANG_FORMAT=... -DSOURCE_DIR=... -P check_format.cmake
file(GLOB_RECURSE files ${SOURCE_DIR}/core/*.c ${SOURCE_DIR}/core/*.h
                        ${SOURCE_DIR}/bench/*.c ${SOURCE_DIR}/bench/*.h)
list(FILTER files EXCLUDE REGEX "/(target|build[^/]*)/")
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: files need formatting (run clang-format -i on them):\n${err}")
endif()
list(LENGTH files n)
message(STATUS "clang-format: ${n} files formatted as .clang-format says")
