/* SPDX-License-Identifier: MIT */
/* Writing a results file without ever leaving a half-written one (a temporary file in the
 * target's folder, then a rename), only ever over a regular file (a symlink is followed to its
 * target; a device, FIFO or socket is refused), keeping an existing file's mode and owner;
 * checking the output folder and its free space before a run, and the default name. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void
folder_of(const char *path, char *buf, size_t len) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(buf, len, "%s", dirname(tmp));
}

static void
base_of(const char *path, char *buf, size_t len) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(buf, len, "%s", basename(tmp));
}

/* What kind of file st is, for a refusal ("a character device"), or NULL for a regular
 * file. */
static const char *
not_regular(const struct stat *st) {
    if (S_ISREG(st->st_mode))
        return NULL;
    if (S_ISDIR(st->st_mode))
        return "a folder";
    if (S_ISCHR(st->st_mode))
        return "a character device";
    if (S_ISBLK(st->st_mode))
        return "a block device";
    if (S_ISFIFO(st->st_mode))
        return "a FIFO";
    if (S_ISSOCK(st->st_mode))
        return "a socket";
    return "not a regular file";
}

/* Follow path through its symlinks (a dangling one included) to the file a write would
 * replace: target gets that file's path (absolute when its folder exists). 0, or -1 with a
 * one-line err for a symlink loop or a target that is not a regular file. */
static int
resolve_target(const char *path, char *target, size_t tlen, char *err, size_t errlen) {
    char cur[4096];
    snprintf(cur, sizeof cur, "%s", path);
    for (int hops = 0;; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            if (lstat(cur, &st) == 0 && not_regular(&st) != NULL) {
                if (S_ISDIR(st.st_mode))
                    snprintf(err, errlen, "--out '%s' is a folder: give a file name", path);
                else
                    snprintf(err, errlen,
                             "--out '%s' is %s: chanbench writes results to a regular file "
                             "only; give a file name, or --out - for stdout",
                             path, not_regular(&st));
                return -1;
            }
            break;
        }
        if (hops == 40) {
            snprintf(err, errlen, "--out '%s': too many levels of symbolic links", path);
            return -1;
        }
        char link[4096];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            snprintf(err, errlen, "--out '%s': cannot read the link '%s': %s", path, cur,
                     strerror(errno));
            return -1;
        }
        link[n] = '\0';
        if (link[0] == '/') {
            snprintf(cur, sizeof cur, "%s", link);
        } else {
            char dir[4096];
            folder_of(cur, dir, sizeof dir);
            char next[8200];
            snprintf(next, sizeof next, "%s/%s", dir, link);
            if ((size_t)snprintf(cur, sizeof cur, "%s", next) >= sizeof cur) {
                snprintf(err, errlen, "--out '%s': the name its link gives is too long", path);
                return -1;
            }
        }
    }
    /* An absolute name when the folder exists, so that the journal and a resumed run name
     * the same file from any folder. */
    char dir[4096], base[1024], real[PATH_MAX];
    folder_of(cur, dir, sizeof dir);
    base_of(cur, base, sizeof base);
    if (realpath(dir, real) == NULL ||
        (size_t)snprintf(target, tlen, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base) >= tlen)
        snprintf(target, tlen, "%s", cur);
    return 0;
}

int
report_check_folder(const char *path, char *target, size_t tlen, char *err, size_t errlen) {
    char resolved[4096];
    if (resolve_target(path, resolved, sizeof resolved, err, errlen) != 0)
        return -1;
    if (target != NULL)
        snprintf(target, tlen, "%s", resolved);
    char dir[4096];
    folder_of(resolved, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0) {
        folder_of(path, dir, sizeof dir);
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
report_check_space(const char *path, uint64_t need, char *err, size_t errlen) {
    char dir[4096];
    folder_of(path, dir, sizeof dir);
    struct statvfs vfs;
    if (statvfs(dir, &vfs) != 0)
        return 0; /* nothing known: the writes will say */
    uint64_t avail = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
    if (avail >= need)
        return 0;
    snprintf(err, errlen,
             "only %.0f KiB free in '%s', and this run wants at least %.1f MiB there for its "
             "results and journal (%s); free some space or give --out FILE elsewhere",
             (double)avail / 1024, dir, (double)need / (1024.0 * 1024.0), REPORT_SPACE_RULE);
    return -1;
}

int
report_write_file(const char *path, const char *text, char *err, size_t errlen) {
    char target[4096];
    if (resolve_target(path, target, sizeof target, err, errlen) != 0)
        return -1;
    struct stat old;
    bool existed = stat(target, &old) == 0;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", target);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file next to '%s': %s", target,
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
    /* A file that was there keeps its permissions and (as root, who may give it away) its
     * owner; a new one gets what the umask allows. */
    mode_t mode;
    if (existed) {
        mode = old.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (existed && geteuid() == 0 && fchown(fd, old.st_uid, old.st_gid) != 0) {
        snprintf(err, errlen, "cannot give '%s' the owner of '%s': %s", tmp, target,
                 strerror(errno));
        goto fail;
    }
    int rc;
    while ((rc = fsync(fd)) != 0 && errno == EINTR)
        ;
    if (fchmod(fd, mode) != 0 || rc != 0) {
        snprintf(err, errlen, "cannot finish '%s': %s", tmp, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        snprintf(err, errlen, "cannot finish '%s': %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, target) != 0) {
        snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, target, strerror(errno));
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
