#include <goc/goc.h>
#include <stdio.h>
int
main(void) {
    goc_chan *c = goc_chan_make(sizeof(int), 1);
    int v = 42, out = 0;
    goc_chan_send(c, &v);
    goc_chan_recv(c, &out);
    goc_chan_free(c);
    printf("got %d\n", out);
    return out == 42 ? 0 : 1;
}
