# SPDX-License-Identifier: MIT
# For the CLI scripts that also run on PostgreSQL: bench/tests/CMakeLists.txt runs each a
# second time with PG_STATE (the state folder of the fixture `postgresql`, scripts/pg-scratch.sh)
# and PG_BUILT (whether chanbench has PostgreSQL) set. Kept out of cli/ so that ctest does not
# run it as a test of its own; tests/pg_fixture.h is the same for the C tests.
#
# pg_fixture_url(DB VAR): VAR gets the URL of the fixture's database DB. Without a server (or
# PostgreSQL) it prints one "SKIPPED: why" line and ends the script, which the test's
# SKIP_REGULAR_EXPRESSION counts as skipped. A macro, so that its return() ends the script.
macro(pg_fixture_url db var)
  unset(pg_why)
  if(NOT PG_BUILT)
    set(pg_why "chanbench was built without PostgreSQL (install libpq-dev and build again)")
  elseif(EXISTS ${PG_STATE}/skip)
    file(STRINGS ${PG_STATE}/skip pg_why LIMIT_COUNT 1)
  elseif(NOT EXISTS ${PG_STATE}/url-${db})
    set(pg_why "no database ${db} on the scratch server (${PG_STATE}/url-${db} is missing)")
  else()
    file(STRINGS ${PG_STATE}/url-${db} ${var} LIMIT_COUNT 1)
  endif()
  if(DEFINED pg_why)
    message("SKIPPED: ${pg_why}")
    return()
  endif()
endmacro()
