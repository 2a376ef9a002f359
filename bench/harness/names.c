/* SPDX-License-Identifier: MIT */
/* Taking benchmark names apart (names.h). */
#include "names.h"

#include <string.h>

static const char *
last_impl(const char *name) {
    const char *p = strstr(name, "/impl="), *q;
    while (p != NULL && (q = strstr(p + 1, "/impl=")) != NULL)
        p = q;
    return p;
}

void
names_strip_impl(const char *name, char *buf, size_t len) {
    if (len == 0)
        return;
    const char *p = last_impl(name);
    size_t l = p ? (size_t)(p - name) : strlen(name);
    if (l >= len)
        l = len - 1;
    memcpy(buf, name, l);
    buf[l] = '\0';
}

const char *
names_impl(const char *name) {
    const char *p = last_impl(name);
    return p ? p + 6 : "";
}
