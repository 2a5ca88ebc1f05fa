/* handoff.c - giving lingers to the helper process (see handoff.h). */
#include "handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gc_config.h"
#include "epoll_track.h"
#include "fdtable.h"
#include "gc.h"
#include "mode.h"
#include "ownfd.h"
#include "owner.h"
#include "procscan.h"
#include "progname.h"
#include "real.h"
#include "sys.h"

#define HELPER_NAME "graceclose-lingerd"
#define RESPAWN_MS 1000 /* a helper that died is replaced at most this often */
#define CHANNEL_SNDBUF (1 << 20) /* hand-offs queued for the helper: ~1 KiB each */

static GC_LOAD const char *library_path; /* the loader's copy: ours for good */
static char helper_path[512]; /* longer install paths: no helper (counted) */
static GC_HOT int path_known;  /* 0 not looked for yet, 1 found, 2 none */
static GC_HOT int channel = -1;      /* our end: kept open across fork and exec */
static GC_HOT int state;             /* 0 none, 1 starting, 2 up, 3 cannot start */
static GC_HOT uint64_t failed_at_ms; /* when the last start failed or the helper went */

void gc_handoff_init(const char *path)
{
    library_path = path;
}

/* The helper's path, looked for when the first helper starts (most
 * processes never start one: a fork child or an executed program finds
 * the family's).  Beside the library first: the build tree, or an install
 * that keeps both in one place; then the configured libexec directory.
 * Async-signal-safe; called with the start claimed (state 1). */
static bool find_helper(void)
{
    if (path_known)
        return path_known == 1;
    const char *slash = library_path ? strrchr(library_path, '/') : NULL;
    size_t dir = slash ? (size_t)(slash - library_path) : 0;

    path_known = 2;
    if (slash && dir + 1 + sizeof HELPER_NAME < sizeof helper_path) {
        memcpy(helper_path, library_path, dir + 1);
        memcpy(helper_path + dir + 1, HELPER_NAME, sizeof HELPER_NAME);
        if (gc_sys(SYS_access, helper_path, X_OK) == 0)
            path_known = 1;
    }
    if (path_known != 1 && sizeof GC_LIBEXECDIR + 1 + sizeof HELPER_NAME < sizeof helper_path) {
        memcpy(helper_path, GC_LIBEXECDIR "/" HELPER_NAME,
               sizeof GC_LIBEXECDIR "/" HELPER_NAME);
        if (gc_sys(SYS_access, helper_path, X_OK) == 0)
            path_known = 1;
    }
    return path_known == 1;
}

/* The helper's end of the pair is bound to an abstract name that starts
 * with this: an inherited descriptor whose peer has such a name is a
 * channel to a helper (whoever started it, whatever user we are now). */
#define NAME_PREFIX "graceclose-lingerd."

/* Is fd a channel to a helper (a live one or one that ended)?  Raw
 * system calls: also asked on the way to a fork. */
static bool is_channel(int fd)
{
    struct sockaddr_un peer;
    socklen_t len = sizeof peer;
    int type = 0;
    socklen_t tlen = sizeof type;

    if (gc_sys(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
        type != SOCK_SEQPACKET)
        return false;
    return gc_sys(SYS_getpeername, fd, (struct sockaddr *)&peer, &len) == 0 &&
           peer.sun_family == AF_UNIX &&
           len >= offsetof(struct sockaddr_un, sun_path) + 1 + sizeof NAME_PREFIX - 1 &&
           peer.sun_path[0] == '\0' &&
           memcmp(peer.sun_path + 1, NAME_PREFIX, sizeof NAME_PREFIX - 1) == 0;
}

bool gc_handoff_attach(int fd)
{
    if (!is_channel(fd))
        return false;
    int expected = 0;
    if (!__atomic_compare_exchange_n(&state, &expected, 2, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return false;
    __atomic_store_n(&channel, fd, __ATOMIC_RELEASE);
    gc_ownfd_adopt(fd);
    return true;
}

/* Binds the helper's end to NAME_PREFIX + our pid + a number: unique in
 * the network namespace, or else left unbound (then a program started by
 * exec cannot find the channel and starts a helper of its own). */
static void name_helper_end(int rx)
{
    static unsigned serial;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    char *p = a.sun_path + 1;
    memcpy(p, NAME_PREFIX, sizeof NAME_PREFIX - 1);
    p += sizeof NAME_PREFIX - 1;
    uint64_t v = ((uint64_t)gc_sys(SYS_getpid) << 20) | (__atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED) & 0xfffff);
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = digits[--n];
    gc_sys(SYS_bind, rx, &a, (long)(p - (char *)&a));
}

bool gc_handoff_moved(int from, int to)
{
    if (from < 0 || __atomic_load_n(&channel, __ATOMIC_ACQUIRE) != from)
        return false;
    __atomic_store_n(&channel, to, __ATOMIC_RELEASE);
    if (to < 0)
        __atomic_store_n(&state, 0, __ATOMIC_RELEASE);
    return true;
}

/* The helper's first steps (raw system calls only), in a grandchild made
 * on our memory with its own small stack while we wait: an exec makes any
 * process an ordinary SIGCHLD child of its parent, so the helper must be
 * nobody's child here, or the program's wait() would reap it and its
 * SIGCHLD handler would see it.  Its parent ends at once, and the helper
 * goes to init (or the nearest subreaper). */
struct start {
    int rx;
    const char *path;
    volatile int exec_failed;
};

static char child_stack[2][8192] __attribute__((aligned(16)));

static int helper_exec(void *p)
{
    struct start *s = p;
    char *const argv[] = {(char *)HELPER_NAME, NULL};
    char *const envp[] = {NULL}; /* no LD_PRELOAD: the helper runs plain */

    /* The program's descriptors are not the helper's business (an inetd
     * service's fds 0-2 are its client): only the channel, as fd 3, and
     * /dev/null for 0-2. */
    if (s->rx == 3) /* dup3 onto itself would keep close-on-exec */
        gc_sys(SYS_fcntl, 3, F_SETFD, 0);
    else if (gc_sys(SYS_dup3, s->rx, 3, 0) != 3)
        goto failed;
    gc_sys(SYS_close_range, 4, ~0u, 0);
    int null = (int)gc_sys(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR);
    for (int fd = 0; fd < 3 && null >= 0; fd++)
        if (null != fd)
            gc_sys(SYS_dup3, null, fd, 0);
    if (null > 2)
        gc_sys(SYS_close, null);
    gc_sys(SYS_execve, s->path, argv, envp);
failed:
    s->exec_failed = 1; /* our memory: the program reads it */
    gc_sys(SYS_exit, 127);
    return 127;
}

/* The middle process: makes the helper, waits for its exec (CLONE_VFORK),
 * and ends, leaving it to init. */
static int helper_parent(void *p)
{
    struct start *s = p;
    int (*real_clone)(int (*)(void *), void *, int, void *, ...) =
        __atomic_load_n(&gc_real.clone, __ATOMIC_ACQUIRE);

    if (real_clone(helper_exec, child_stack[1] + sizeof child_stack[1], CLONE_VM | CLONE_VFORK,
                   s) < 0)
        s->exec_failed = 1;
    gc_sys(SYS_exit, 0);
    return 0;
}

static GC_HOT int middle_pid; /* the middle process, until it is reaped */

/* Reaps the middle process once it has ended (it has no exit signal, so
 * only a __WCLONE wait sees it); true when none is left to reap. */
static bool reap_middle(void)
{
    int pid = __atomic_load_n(&middle_pid, __ATOMIC_ACQUIRE), status;
    if (pid <= 0)
        return true;
    if (gc_sys(SYS_wait4, pid, &status, WNOHANG | __WCLONE, NULL) == 0)
        return false; /* not ended yet: a later call */
    __atomic_compare_exchange_n(&middle_pid, &pid, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    return true;
}

/* Starts the helper (see helper_exec), with no exit signal for the middle
 * process, so the program's SIGCHLD handling and wait() never see either.
 * Async-signal-safe. */
static bool start_helper(void)
{
    int expected = 0;
    if (!__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2;
    int (*real_clone)(int (*)(void *), void *, int, void *, ...) =
        __atomic_load_n(&gc_real.clone, __ATOMIC_ACQUIRE);
    int sv[2];
    bool ok = false;

    reap_middle();
    /* The family's end may queue a burst of hand-offs (200 clients at once
     * found the default 212,992 bytes full and were reset): asked large,
     * the kernel caps it at net.core.wmem_max. */
    if (real_clone && find_helper() &&
        gc_sys(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
        int want = CHANNEL_SNDBUF, on = 1;
        gc_sys(SYS_setsockopt, sv[1], SOL_SOCKET, SO_SNDBUF, &want, (long)sizeof want);
        /* Each hand-off then carries its sender's pid (as the helper's
         * /proc knows it), added by the kernel: no getpid in the close. */
        gc_sys(SYS_setsockopt, sv[0], SOL_SOCKET, SO_PASSCRED, &on, (long)sizeof on);
        name_helper_end(sv[0]);
        struct start s = {.rx = sv[0], .path = helper_path};
        sigset_t all, old;
        sigfillset(&all);
        /* No program signal handler may run in the children on our memory. */
        gc_sys(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, (size_t)8);
        int pid = real_clone(helper_parent, child_stack[0] + sizeof child_stack[0],
                             CLONE_VM | CLONE_VFORK, &s);
        gc_sys(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, (size_t)8);
        gc_sys(SYS_close, sv[0]);
        if (pid > 0) {
            /* It has left our memory (the vfork wait is over) and is ending:
             * reap it now, giving it a few turns; else at a later call. */
            __atomic_store_n(&middle_pid, pid, __ATOMIC_RELEASE);
            for (int turn = 0; turn < 100 && !reap_middle(); turn++)
                gc_sys(SYS_sched_yield);
        }
        if (pid > 0 && !s.exec_failed) {
            int tx = gc_ownfd_place(sv[1], true); /* kept across exec */
            if (tx >= 0) {
                __atomic_store_n(&channel, tx, __ATOMIC_RELEASE);
                ok = true;
            }
        } else {
            gc_sys(SYS_close, sv[1]);
        }
    }
    if (!ok)
        failed_at_ms = gc_now_ms();
    __atomic_store_n(&state, ok ? 2 : 0, __ATOMIC_RELEASE);
    return ok;
}

static bool helper_up(void)
{
    if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2)
        return true;
    if (failed_at_ms && gc_now_ms() - failed_at_ms < RESPAWN_MS)
        return false;
    return start_helper();
}

/* The helper is gone (crashed, killed, or the channel was closed by the
 * program; failed) or ended after its idle time (not failed): forget the
 * channel.  A new helper may start at once after an end, after
 * RESPAWN_MS after a failure. */
static void helper_gone(int fd, bool failed)
{
    int expected = fd;
    if (__atomic_compare_exchange_n(&channel, &expected, -1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED)) {
        gc_ownfd_close(fd);
        if (failed)
            failed_at_ms = gc_now_ms();
        __atomic_store_n(&state, 0, __ATOMIC_RELEASE);
    }
}

/* 1: sent; 0: not (the queue is full, or the helper is gone); -1: the
 * socket's number was closed meanwhile (a signal handler's close). */
static int send_to_helper(int fd, const struct gc_handoff *h)
{
    int tx = __atomic_load_n(&channel, __ATOMIC_ACQUIRE);
    int fds[2] = {fd, h->has_log ? h->log.fd : -1};
    int nfds = fds[1] >= 0 ? 2 : 1;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(2 * sizeof(int))];
    } ctl;
    struct iovec iov = {(void *)h, sizeof *h};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                       .msg_controllen = CMSG_SPACE(nfds * sizeof(int))};

    if (tx < 0)
        return 0;
    memset(&ctl, 0, sizeof ctl);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    if (gc_sys(SYS_sendmsg, tx, &m, MSG_DONTWAIT | MSG_NOSIGNAL) == (long)sizeof *h)
        return 1;
    /* EBADF may be about the socket (a signal handler closed its number
     * meanwhile), not the channel: the channel is gone only if it is. */
    if (errno == EBADF && gc_sys(SYS_fcntl, tx, F_GETFD) >= 0)
        return -1;
    if (errno == EPIPE || errno == ECONNREFUSED || errno == ENOTCONN || errno == ENOTSOCK ||
        errno == EBADF)
        helper_gone(tx, true);
    return 0;
}

bool gc_handoff_take(int fd, const struct gc_plan *plan, struct gc_close_record *rec)
{
    int saved_errno = gc_errno_save();

    reap_middle();
    struct gc_handoff h;
    bool sent = false;

    /* Every byte is sent, padding too: none may be left unset. */
    memset(&h, 0, sizeof h);
    h.plan = *plan;
    h.rec = *rec;

    if (!gc_epoll_can_remove()) {
        rec->verdict = GC_V_EPOLL_UNKNOWN;
    } else if (!helper_up()) {
        rec->verdict = GC_V_NO_WORKER;
    } else {
        const char *name = gc_progname_primary();
        /* Our own bounded loop, not libc's strlen: a fork child has not
         * mapped libc's pages it never ran (a fault each). */
        for (size_t n = 0; name && name[n] && n < sizeof h.program - 1; n++)
            h.program[n] = name[n];
        /* The record of this close is written by the helper, at the end of
         * the linger, where this program's records go. */
        h.has_log = gc_log_export(&h.log);
        h.rec.verdict = GC_V_LINGER;
        /* No event for the old socket may reach the program once it closed
         * its number: leave its epoll sets while the number still names it,
         * and stop signal-driven I/O (the socket is ours alone now). */
        gc_epoll_remove(fd);
        int fl = (int)gc_sys(SYS_fcntl, fd, F_GETFL);
        if (fl >= 0 && (fl & O_ASYNC))
            gc_sys(SYS_fcntl, fd, F_SETFL, fl & ~O_ASYNC);
        /* Our FIN goes out now, from here: the peer need not wait for the
         * helper to wake, and the helper mostly finds the linger over.  Not
         * where the helper must ask first (an inherited socket whose origin
         * may still hold it, a process not yet asked about io_uring), nor
         * at a process's first hand-off (a short close for a fork child). */
        if (!plan->origin_pid && plan->no_io_uring && !plan->fin_by_helper &&
            (plan->s.steps & GC_STEP_SHUTDOWN))
            h.plan.shut_done = gc_sys(SYS_shutdown, fd, SHUT_WR) == 0;
        int r = send_to_helper(fd, &h);
        /* A helper that went away is replaced once, right now. */
        if (r == 0 && __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 0 && start_helper())
            r = send_to_helper(fd, &h);
        sent = r > 0;
        rec->verdict = sent     ? GC_V_LINGER
                       : r < 0 ? GC_V_STALE
                       : __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2 ? GC_V_QUEUE_FULL
                                                                        : GC_V_NO_WORKER;
    }
    gc_errno_restore(saved_errno);
    return sent;
}

/* A helper that ended (it does after a while without lingers) has closed
 * its end: ours then polls as hung up.  A fork server's parent never hands
 * off itself, so without this look it would keep the dead channel, and
 * every child would find it dead and start a helper of its own. */
static void forget_ended_helper(void)
{
    int tx = __atomic_load_n(&channel, __ATOMIC_ACQUIRE);
    struct pollfd p = {.fd = tx, .events = 0}; /* hang-up and error only */

    /* A hang-up on a number that is no channel any more (the program
     * closed ours where no wrapper saw it, and reused the number) leaves
     * that descriptor alone. */
    if (tx >= 0 && __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2 &&
        gc_sys(SYS_poll, &p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)) && is_channel(tx))
        helper_gone(tx, false);
}

bool gc_handoff_before_fork(void)
{
    struct gc_settings s;
    /* Only where lingers can happen: not in audit mode, nor under a
     * policy that is off or reset for the whole program, nor under a
     * seccomp filter (starting a helper makes calls it may kill). */
    if (gc_fd_highwater() >= 0 && !gc_in_foreign_child() && !gc_passthrough() &&
        gc_base_settings(&s) && s.policy == GC_POLICY_LINGER) {
        forget_ended_helper();
        helper_up();
        return true;
    }
    return false;
}
