/* SPDX-License-Identifier: MIT */
/* Writing a results file without ever leaving a half-written one (a temporary file in the same
 * folder, then a rename), checking the output folder before a run, and the default name. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
folder_of(const char *path, char *buf, size_t len) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(buf, len, "%s", dirname(tmp));
}

int
report_check_folder(const char *path, char *err, size_t errlen) {
    char dir[4096];
    folder_of(path, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen,
                 "output folder '%s' does not exist (%s): create it, run from the repository "
                 "root, or give --out FILE",
                 dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "output folder '%s' is not a folder: give --out FILE", dir);
        return -1;
    }
    if ((st.st_mode & 0222) == 0 || access(dir, W_OK) != 0) {
        snprintf(err, errlen,
                 "output folder '%s' is read-only: make it writable or give --out FILE "
                 "elsewhere",
                 dir);
        return -1;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--out '%s' is a folder: give a file name", path);
        return -1;
    }
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.chanbench-probe.tmpXXXXXX", dir);
    int fd = mkstemp(probe);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write in output folder '%s' (%s): give --out FILE", dir,
                 strerror(errno));
        return -1;
    }
    close(fd);
    unlink(probe);
    return 0;
}

int
report_write_file(const char *path, const char *text, char *err, size_t errlen) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file next to '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
            goto fail;
        }
        done += (size_t)w;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot finish '%s': %s", tmp, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        snprintf(err, errlen, "cannot finish '%s': %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}

void
report_default_path(char *buf, size_t len, const char *host, time_t t) {
    char h[256];
    size_t i = 0;
    for (; host[i] != '\0' && i < sizeof h - 1; i++) {
        char c = host[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        h[i] = ok ? c : '_';
    }
    h[i] = '\0';
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(buf, len, "results/%s-%s.json", h[0] ? h : "host", stamp);
}
