/* SPDX-License-Identifier: MIT */
/* Building and taking apart benchmark names (names.h). */
#include "names.h"

#include <stdio.h>
#include <string.h>

size_t
names_build(char *buf, size_t len, const char *family, const char *scenario,
            const struct names_kv *kv, int nkv, const char *impl) {
    size_t used = (size_t)snprintf(buf, len, "%s/%s", family, scenario);
    for (int i = 0; i < nkv; i++)
        used += (size_t)snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0,
                                 "/%s=%s", kv[i].key, kv[i].value);
    if (impl != NULL)
        used += (size_t)snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0,
                                 "/impl=%s", impl);
    return used;
}

static void
copy_span(char *buf, size_t len, const char *s, size_t n) {
    if (len == 0)
        return;
    if (n >= len)
        n = len - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

bool
names_segment(const char *name, int i, char *buf, size_t len) {
    const char *s = name;
    for (; i > 0; i--) {
        s = strchr(s, '/');
        if (s == NULL)
            return false;
        s++;
    }
    copy_span(buf, len, s, strcspn(s, "/"));
    return true;
}

bool
names_param(const char *name, const char *key, char *buf, size_t len) {
    size_t kl = strlen(key);
    for (const char *s = strchr(name, '/'); s != NULL; s = strchr(s + 1, '/'))
        if (strncmp(s + 1, key, kl) == 0 && s[1 + kl] == '=') {
            const char *v = s + 2 + kl;
            copy_span(buf, len, v, strcspn(v, "/"));
            return true;
        }
    return false;
}

static const char *
last_impl(const char *name) {
    const char *p = strstr(name, "/impl="), *q;
    while (p != NULL && (q = strstr(p + 1, "/impl=")) != NULL)
        p = q;
    return p;
}

void
names_strip_impl(const char *name, char *buf, size_t len) {
    const char *p = last_impl(name);
    copy_span(buf, len, name, p ? (size_t)(p - name) : strlen(name));
}

const char *
names_impl(const char *name) {
    const char *p = last_impl(name);
    return p ? p + 6 : "";
}

bool
names_in(const char *name, const char *prefix) {
    return strncmp(name, prefix, strlen(prefix)) == 0;
}

enum floor_kind
names_floor_kind(const char *name) {
    if (names_in(name, "chan/pingpong/"))
        return FLOOR_C2C;
    if (names_in(name, "chan/paced/") || names_in(name, "chan/idle/"))
        return FLOOR_NONE;
    if (names_in(name, "chan/") || names_in(name, "select/"))
        return FLOOR_RING;
    return FLOOR_NONE;
}
