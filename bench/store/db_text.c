/* SPDX-License-Identifier: MIT */
/* Text helpers of the database layer (db_impl.h): a URL without its password, SQLite's
 * placeholders as PostgreSQL's, a message on one line. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_impl.h"

char *
db_url_redact(const char *url) {
    size_t n = strlen(url);
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    /* The authority: after "scheme://", up to the first '/' or '?'. Its userinfo ends at its
     * last '@' (a password may hold '@' once percent-encoded, but be generous). */
    const char *auth = strstr(url, "://");
    auth = auth != NULL ? auth + 3 : url;
    const char *end = auth + strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *p = auth; p < end; p++)
        if (*p == '@')
            at = p;
    const char *colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    size_t k = 0;
    if (colon != NULL) {
        memcpy(out, url, (size_t)(colon - url));
        k = (size_t)(colon - url);
        memcpy(out + k, at, strlen(at));
        k += strlen(at);
    } else {
        memcpy(out, url, n);
        k = n;
    }
    out[k] = '\0';
    /* A password=... parameter of the query goes, with its '&'. */
    char *q = strchr(out, '?');
    if (q != NULL) {
        char *w = q + 1, *r = q + 1;
        bool first = true;
        while (*r != '\0') {
            size_t len = strcspn(r, "&");
            if (strncmp(r, "password=", 9) != 0) {
                if (!first)
                    *w++ = '&';
                memmove(w, r, len);
                w += len;
                first = false;
            }
            r += len;
            if (*r == '&')
                r++;
        }
        *w = '\0';
        if (first)
            *q = '\0';
    }
    return out;
}

char *
db_sql_dollar(const char *sql, int *nparams) {
    /* "$32766" is as long as "?" plus five digits, and "$N" for "?" adds at most 5 bytes. */
    size_t n = strlen(sql), cap = n * 6 + 1;
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    int max = 0;
    const char *p = sql;
    while (*p != '\0') {
        if (*p == '\'' || *p == '"') {
            /* A literal or quoted identifier: a doubled quote stays inside it. */
            char q = *p;
            out[k++] = *p++;
            while (*p != '\0') {
                if (*p == q && p[1] == q) {
                    out[k++] = *p++;
                    out[k++] = *p++;
                    continue;
                }
                if (*p == q)
                    break;
                out[k++] = *p++;
            }
            if (*p != '\0')
                out[k++] = *p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p != '\0' && *p != '\n')
                out[k++] = *p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            size_t len = e != NULL ? (size_t)(e + 2 - p) : strlen(p);
            memcpy(out + k, p, len);
            k += len;
            p += len;
        } else if (*p == '?') {
            p++;
            long num;
            if (isdigit((unsigned char)*p)) {
                char *e;
                num = strtol(p, &e, 10);
                p = e;
            } else {
                num = max + 1;
            }
            if (num < 1 || num > 32766) {
                free(out);
                return NULL;
            }
            if (num > max)
                max = (int)num;
            k += (size_t)snprintf(out + k, cap - k, "$%ld", num);
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    *nparams = max;
    return out;
}

void
db_one_line(char *buf, size_t n, const char *msg) {
    if (n == 0)
        return;
    size_t k = 0;
    bool space = false;
    for (const char *p = msg != NULL ? msg : ""; *p != '\0' && k + 1 < n; p++) {
        if (isspace((unsigned char)*p)) {
            space = k > 0;
            continue;
        }
        if (space && k + 2 < n)
            buf[k++] = ' ';
        space = false;
        buf[k++] = *p;
    }
    buf[k] = '\0';
}
