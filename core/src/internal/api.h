/* SPDX-License-Identifier: MIT */
/* Marks the functions libgoc exports; everything else in the shared library is hidden. */
#ifndef GOCI_API_H
#define GOCI_API_H

#define GOC_API __attribute__((visibility("default")))

#endif
