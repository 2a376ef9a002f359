/* SPDX-License-Identifier: MIT */
/* Must not compile with GOC_MISUSE=1: goc_try_recv on a goc_sender. With GOC_MISUSE=0 the same
 * code, with the handle of the right direction, must compile (see compile_fail.cmake). */
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
    return goc_try_recv(h, &v);
}
