/* SPDX-License-Identifier: MIT */
/* Must not compile with GOC_MISUSE=1: GOC_RANGE over a goc_sender (Go: range over send-only
 * channel). With GOC_MISUSE=0 the same code, with the handle of the right direction, must compile
 * (see compile_fail.cmake). */
#include <goc/goc.h>

#ifndef GOC_MISUSE
#define GOC_MISUSE 1
#endif

int use(goc_chan *ch);

int
use(goc_chan *ch) {
    int v = 1;
#if GOC_MISUSE
    goc_sender h = goc_chan_sender(ch);
#else
    goc_receiver h = goc_chan_receiver(ch);
#endif
    int n = 0;
    GOC_RANGE(h, &v) {
        n += v;
    }
    return n;
}
