/* wrap_syscall.c - syscall(): some programs close, fork and pass sockets
 * through it (libuv, hence node, closes with syscall(SYS_close); vsftpd
 * clones with it).  Those numbers take the same paths as the named calls;
 * every other number goes to the kernel unchanged, with all six arguments. */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys.h"
#include "closepath.h"
#include "epoll_track.h"
#include "gc.h"
#include "mode.h"
#include "real.h"
#include "spawn_child.h"
#include "owner.h"
#include "track.h"
#include "handoff.h"

int close_range(unsigned int first, unsigned int last, int flags);

/* A clone by raw syscall: like a fork unless the table is shared. */
static long raw_clone(long n, const long *a, unsigned long flags)
{
    if (flags & CLONE_FILES) {
        gc_owner_threads_begin(); /* a thread, or a process sharing our table */
        gc_owner_table_shared();  /* that process may outlive us */
        if (!(flags & CLONE_VM))
            gc_track_promote_all(); /* its own memory, our table: counts it can see */
        return gc_sys6(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    bool spawn_like = flags & CLONE_VM;
    if (!spawn_like)
        gc_handoff_before_fork();
    gc_track_fork_begin();
    gc_track_table_copied(+1, spawn_like);
    if (spawn_like)
        gc_owner_vfork_begins(flags & CLONE_VFORK);
    long r = gc_sys6(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (r == 0) {
        if (!spawn_like) /* a spawn-like child shares our memory: hands off */
            gc_spawn_child_setup();
        return 0;
    }
    int saved_errno = gc_errno_save();
    if (r < 0)
        gc_track_table_copied(-1, spawn_like);
    gc_track_fork_end();
    gc_errno_restore(saved_errno);
    return r;
}

long gc_pidfd_arrived(long r);
long gc_pidfd_arrived(long r)
{
    if (r >= 0 && gc_table_writable()) {
        int proto = 0;
        socklen_t len = sizeof proto;
        int saved_errno = gc_errno_save();
        if (getsockopt((int)r, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == 6)
            gc_track_arrived((int)r, 0, 1, true, 0);
        gc_errno_restore(saved_errno);
    }
    return r;
}

/* glibc's own pidfd_getfd(), for programs that do not go through syscall(). */
GC_EXPORT int pidfd_getfd(int pidfd, int targetfd, unsigned int flags)
{
    int (*real)(int, int, unsigned int) = GC_REAL_LATE(pidfd_getfd);
    long r = real ? real(pidfd, targetfd, flags)
                  : gc_sys6(SYS_pidfd_getfd, pidfd, targetfd, flags, 0, 0, 0);
    return (int)gc_pidfd_arrived(r);
}

GC_EXPORT long syscall(long n, ...)
{
    long a[6];
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);

    switch (n) {
    case SYS_close:
        return gc_close_on((int)a[0], GC_PATH_SYSCALL);
    case SYS_close_range:
        return close_range((unsigned int)a[0], (unsigned int)a[1], (int)a[2]);
    case SYS_clone:
        return raw_clone(n, a, (unsigned long)a[0]);
    case SYS_clone3: {
        const struct clone_args *ca = (const struct clone_args *)a[0];
        if (!ca || (size_t)a[1] < sizeof(uint64_t))
            break;
        return raw_clone(n, a, (unsigned long)ca->flags);
    }
#ifdef SYS_fork
    case SYS_fork:
        return raw_clone(n, a, 0);
#endif
#ifdef SYS_vfork
    case SYS_vfork:
        return raw_clone(n, a, CLONE_VM | CLONE_VFORK);
#endif
    case SYS_pidfd_getfd:
        return gc_pidfd_arrived(gc_sys6(n, a[0], a[1], a[2], a[3], a[4], a[5]));
#ifdef SYS_epoll_create
    case SYS_epoll_create:
#endif
    case SYS_epoll_create1: {
        long r = gc_sys6(n, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r >= 0)
            gc_epoll_add((int)r);
        return r;
    }
    case SYS_seccomp:
        gc_set_passthrough(); /* before: the filter may forbid our calls */
        break;
    case SYS_prctl:
        if (a[0] == PR_SET_SECCOMP)
            gc_set_passthrough();
        break;
    default:
        break;
    }
    return gc_sys6(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
