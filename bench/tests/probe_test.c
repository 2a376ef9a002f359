/* SPDX-License-Identifier: MIT */
/* The floor probe (measure/probe.c): a round trip between two allowed PUs is a positive
 * number; a PU that does not exist gives NAN and one line saying which. (What the number is
 * depends on the machine: nothing here asserts a timing.) */
#include <math.h>
#include <string.h>

#include "check.h"
#include "probe.h"
#include "topology.h"

int
main(void) {
    char err[256] = "";
    CHECK(topo_init(err, sizeof err) == 0);
    if (topo_num_allowed() >= 2) {
        int pus[2];
        CHECK(topo_plan("compact", 2, pus, err, sizeof err) == 0);
        for (int i = 0; i < 3; i++) {
            struct probe_reading r;
            int rc = probe_take(pus[0], pus[1], 200000, &r, err, sizeof err);
            if (rc != 0 || !(isfinite(r.c2c_ns) && r.c2c_ns > 0) ||
                !(isfinite(r.ring_ns) && r.ring_ns > 0)) {
                fprintf(stderr, "probe %d-%d: rc %d, %g %g (%s)\n", pus[0], pus[1], rc, r.c2c_ns,
                        r.ring_ns, err);
                check_failures++;
            }
        }
    } else {
        printf("probe_test: one allowed PU, the pinned probe is not checked\n");
    }
    err[0] = '\0';
    struct probe_reading bad;
    CHECK(probe_take(0, 1 << 20, 200000, &bad, err, sizeof err) == -1);
    CHECK(isnan(bad.c2c_ns) && isnan(bad.ring_ns));
    CHECK(strstr(err, "cannot pin the probe to PU 1048576") != NULL && strchr(err, '\n') == NULL);
    return check_result("probe_test");
}
