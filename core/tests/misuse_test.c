/* SPDX-License-Identifier: MIT */
/* Misuse that Go treats as fatal: unlocking an unlocked goc_mutex, releasing a goc_rwmutex read
 * or write lock that is not held, driving a goc_waitgroup's counter below zero. Each misuse runs
 * in a forked child. With assertions (the debug, tsan and asan presets: GOC_ASSERTIONS=1) the
 * child must die of SIGABRT after printing Go's message to stderr; without them (release) the
 * call must return GOC_EINVAL and leave the object as it was, still usable, which the child
 * checks before it exits 0. */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef GOC_ASSERTIONS
#error "the build defines GOC_ASSERTIONS (0 or 1) for tests as for libgoc (see CMakeLists.txt)"
#endif

/* White-box: mutex.c's locked bit, and rwmutex.c's read lock count and writer bit
 * (testutil.h). */
#define MUTEX_STATE(m) atomic_load(&(m)->goc_private_state)
#define RW_IS(rw, readers, writer)                                                                 \
    (test_rw_counted(rw) == (readers) && test_rw_writer(rw) == (writer) && test_rw_queued(rw) == 0)
#define WG_COUNTER(wg) (atomic_load(&(wg)->goc_private_state) >> 32)

/* ---- The misuses: each returns 0 when a build without assertions behaved (GOC_EINVAL, object
 * unchanged and usable); with assertions it never returns. ---------------------------------- */

static int
mutex_unlock_unlocked(void) {
    goc_mutex m = GOC_MUTEX_INIT;
    CHECK_STATUS(goc_mutex_unlock(&m), GOC_EINVAL);
    CHECK_EQ(MUTEX_STATE(&m), 0);
    CHECK_STATUS(goc_mutex_trylock(&m), GOC_OK);
    CHECK_STATUS(goc_mutex_trylock(&m), GOC_WOULDBLOCK);
    CHECK_STATUS(goc_mutex_unlock(&m), GOC_OK);
    CHECK_EQ(MUTEX_STATE(&m), 0);
    return atomic_load(&check_failures);
}

static int
mutex_unlock_twice(void) {
    goc_mutex m = GOC_MUTEX_INIT;
    goc_mutex_lock(&m);
    CHECK_STATUS(goc_mutex_unlock(&m), GOC_OK);
    CHECK_STATUS(goc_mutex_unlock(&m), GOC_EINVAL);
    CHECK_EQ(MUTEX_STATE(&m), 0);
    goc_mutex_lock(&m);
    CHECK_STATUS(goc_mutex_unlock(&m), GOC_OK);
    return atomic_load(&check_failures);
}

static int
rwmutex_runlock_unlocked(void) {
    goc_rwmutex rw = GOC_RWMUTEX_INIT;
    CHECK_STATUS(goc_rwmutex_runlock(&rw), GOC_EINVAL);
    CHECK(RW_IS(&rw, 0, false));
    goc_rwmutex_rlock(&rw);
    CHECK_STATUS(goc_rwmutex_runlock(&rw), GOC_OK);
    CHECK(RW_IS(&rw, 0, false));
    return atomic_load(&check_failures);
}

static int
rwmutex_runlock_while_writing(void) {
    goc_rwmutex rw = GOC_RWMUTEX_INIT;
    goc_rwmutex_lock(&rw);
    CHECK_STATUS(goc_rwmutex_runlock(&rw), GOC_EINVAL); /* the writer holds it, no reader */
    CHECK(RW_IS(&rw, 0, true));
    CHECK_STATUS(goc_rwmutex_unlock(&rw), GOC_OK);
    CHECK(RW_IS(&rw, 0, false));
    return atomic_load(&check_failures);
}

static int
rwmutex_unlock_unlocked(void) {
    goc_rwmutex rw = GOC_RWMUTEX_INIT;
    CHECK_STATUS(goc_rwmutex_unlock(&rw), GOC_EINVAL);
    CHECK(RW_IS(&rw, 0, false));
    goc_rwmutex_lock(&rw);
    CHECK_STATUS(goc_rwmutex_unlock(&rw), GOC_OK);
    CHECK(RW_IS(&rw, 0, false));
    return atomic_load(&check_failures);
}

static int
rwmutex_unlock_while_reading(void) {
    goc_rwmutex rw = GOC_RWMUTEX_INIT;
    goc_rwmutex_rlock(&rw);
    CHECK_STATUS(goc_rwmutex_unlock(&rw), GOC_EINVAL); /* a reader holds it, no writer */
    CHECK(RW_IS(&rw, 1, false));
    CHECK_STATUS(goc_rwmutex_runlock(&rw), GOC_OK);
    goc_rwmutex_lock(&rw);
    CHECK_STATUS(goc_rwmutex_unlock(&rw), GOC_OK);
    CHECK(RW_IS(&rw, 0, false));
    return atomic_load(&check_failures);
}

static int
waitgroup_done_at_zero(void) {
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    CHECK_STATUS(goc_waitgroup_done(&wg), GOC_EINVAL);
    CHECK_EQ(WG_COUNTER(&wg), 0);
    CHECK_STATUS(goc_waitgroup_add(&wg, 1), GOC_OK);
    CHECK_STATUS(goc_waitgroup_done(&wg), GOC_OK);
    goc_waitgroup_wait(&wg);
    return atomic_load(&check_failures);
}

static int
waitgroup_add_below_zero(void) {
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    CHECK_STATUS(goc_waitgroup_add(&wg, 3), GOC_OK);
    CHECK_STATUS(goc_waitgroup_add(&wg, -4), GOC_EINVAL);
    CHECK_EQ(WG_COUNTER(&wg), 3);
    CHECK_STATUS(goc_waitgroup_add(&wg, -3), GOC_OK);
    goc_waitgroup_wait(&wg);
    return atomic_load(&check_failures);
}

/* A delta so negative that no counter survives it (the bounds check before the CAS loop). */
static int
waitgroup_add_int64_min(void) {
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    CHECK_STATUS(goc_waitgroup_add(&wg, 3), GOC_OK);
    CHECK_STATUS(goc_waitgroup_add(&wg, INT64_MIN), GOC_EINVAL);
    CHECK_EQ(WG_COUNTER(&wg), 3);
    return atomic_load(&check_failures);
}

static const struct misuse {
    const char *name;
    int (*run)(void);
    const char *message; /* Go's, printed by the failed assertion */
} misuses[] = {
    {"mutex_unlock_unlocked", mutex_unlock_unlocked, "sync: unlock of unlocked mutex"},
    {"mutex_unlock_twice", mutex_unlock_twice, "sync: unlock of unlocked mutex"},
    {"rwmutex_runlock_unlocked", rwmutex_runlock_unlocked, "sync: RUnlock of unlocked RWMutex"},
    {"rwmutex_runlock_while_writing", rwmutex_runlock_while_writing,
     "sync: RUnlock of unlocked RWMutex"},
    {"rwmutex_unlock_unlocked", rwmutex_unlock_unlocked, "sync: Unlock of unlocked RWMutex"},
    {"rwmutex_unlock_while_reading", rwmutex_unlock_while_reading,
     "sync: Unlock of unlocked RWMutex"},
    {"waitgroup_done_at_zero", waitgroup_done_at_zero, "sync: negative WaitGroup counter"},
    {"waitgroup_add_below_zero", waitgroup_add_below_zero, "sync: negative WaitGroup counter"},
    {"waitgroup_add_int64_min", waitgroup_add_int64_min, "sync: negative WaitGroup counter"},
};

/* ---- Running one in a child ------------------------------------------------------------- */

/* Fork, run m in the child with its stderr into a pipe, and check how the child ended. */
static void
check_misuse(const struct misuse *m) {
    int fds[2];
    CHECK_OR_RETURN(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK_OR_RETURN(pid >= 0);
    if (pid == 0) {
        /* No core file for the expected abort. */
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        int failures = m->run();
        fflush(NULL);
        _exit(failures == 0 ? 0 : 1);
    }
    close(fds[1]);
    char err[4096];
    size_t len = 0;
    ssize_t n;
    while ((n = read(fds[0], err + len, sizeof err - 1 - len)) > 0 || (n < 0 && errno == EINTR))
        len += n > 0 ? (size_t)n : 0;
    err[len] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        CHECK_OR_RETURN(errno == EINTR);

    bool aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    bool exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    bool said_it = strstr(err, m->message) != NULL;
    bool ok = GOC_ASSERTIONS ? aborted && said_it : exited_ok && !said_it;
    if (!CHECK(ok))
        fprintf(stderr, "%s: want %s; the child %s %d, and wrote to stderr:\n%s\n", m->name,
                GOC_ASSERTIONS ? "SIGABRT with the message" : "GOC_EINVAL, unchanged state",
                WIFSIGNALED(status) ? "died of signal" : "exited with",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), err);
    else
        printf("%s: %s\n", m->name, GOC_ASSERTIONS ? "aborted with the message" : "GOC_EINVAL");
}

int
main(void) {
    for (size_t i = 0; i < sizeof misuses / sizeof misuses[0]; i++)
        check_misuse(&misuses[i]);
    return check_result("misuse_test");
}
