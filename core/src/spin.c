/* SPDX-License-Identifier: MIT */
/* The per-thread state behind spin.h's adaptive wait budget and stream slip. */
#include "internal/spin.h"

_Thread_local unsigned goci_wait_budget;
_Thread_local unsigned goci_streak[2];
