/* SPDX-License-Identifier: MIT */
/* libgoc: Go's concurrency primitives in C. Include this one header for all of it. */
#ifndef GOC_GOC_H
#define GOC_GOC_H

#include <goc/status.h>
#include <goc/chan.h>
#include <goc/select.h>
#include <goc/sync.h>
#include <goc/context.h>

#define GOC_VERSION_MAJOR 0
#define GOC_VERSION_MINOR 2
#define GOC_VERSION_PATCH 0

#endif
