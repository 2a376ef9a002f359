/* SPDX-License-Identifier: MIT */
/* goc_strstatus: names for the status codes of status.h. */
#include <goc/status.h>

#include "internal/api.h"

GOC_API const char *
goc_strstatus(int status) {
    switch (status) {
    case GOC_OK:
        return "GOC_OK: success";
    case GOC_CLOSED:
        return "GOC_CLOSED: channel closed";
    case GOC_WOULDBLOCK:
        return "GOC_WOULDBLOCK: operation would block";
    case GOC_TIMEDOUT:
        return "GOC_TIMEDOUT: timed out";
    case GOC_CANCELED:
        return "GOC_CANCELED: context canceled";
    case GOC_DEADLINE:
        return "GOC_DEADLINE: context deadline exceeded";
    case GOC_EINVAL:
        return "GOC_EINVAL: invalid argument";
    case GOC_ENOMEM:
        return "GOC_ENOMEM: out of memory";
    default:
        return "unknown libgoc status";
    }
}
