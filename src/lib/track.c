/* track.c - table and count updates shared by the wrappers (see track.h). */
#include "sys.h"
#include "gc.h"
#include "track.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "epoll_track.h"
#include "fdtable.h"
#include "mode.h"
#include "owner.h"
#include "procscan.h"
#include "region.h"
#include "summary.h"

static GC_HOT int disabled;
/* Odd while a fork is under way; bumped at its start and its end.  A
 * descriptor made meanwhile may or may not be in the child: count it as
 * if it were (too high is safe, too low is not). */
static GC_HOT unsigned fork_phase;

void gc_track_disable(void)
{
    __atomic_store_n(&disabled, 1, __ATOMIC_RELEASE);
}

bool gc_table_writable(void)
{
    return !__atomic_load_n(&disabled, __ATOMIC_ACQUIRE) && !gc_passthrough() &&
           !gc_in_foreign_child();
}

void gc_track_fork_begin(void)
{
    __atomic_add_fetch(&fork_phase, 1, __ATOMIC_ACQ_REL);
}

void gc_track_fork_end(void)
{
    if (__atomic_load_n(&fork_phase, __ATOMIC_ACQUIRE) & 1)
        __atomic_add_fetch(&fork_phase, 1, __ATOMIC_ACQ_REL);
}

unsigned gc_track_phase(void)
{
    return __atomic_load_n(&fork_phase, __ATOMIC_ACQUIRE);
}

/* One more for a descriptor made while a fork may have copied it. */
static int32_t fork_extra(unsigned before)
{
    unsigned after = gc_track_phase();
    return (before & 1) || before != after ? 1 : 0;
}

/* fresh: a socket made here (a new cookie), not one that arrived. */
static void record(int fd, uint64_t cookie, uint32_t flags, int32_t count, uint32_t oflags,
                   int origin, bool fresh)
{
    /* One descriptor, nothing known about other holders, no family count
     * yet: counted here alone (track.h). */
    if (count == 1 && !oflags && !gc_region_mapped())
        flags |= GC_FD_SOLE;
    else if (gc_region_ensure() && gc_region_insert(cookie, count, oflags, origin, fresh))
        flags |= GC_FD_COUNTED;
    gc_fd_record(fd, cookie, flags);
}

/* Moves a socket counted in its entry alone into the region, with its one
 * descriptor.  Returns whether its entry is counted in the region now.  A
 * close that takes the entry meanwhile decided it as the last holder: the
 * count just made is taken back.  No region to be had: the socket is no
 * longer counted at all, so its close is plain, as without the library. */
static bool promote(int fd, const struct gc_fdent *e)
{
    if (!(e->flags & GC_FD_SOLE))
        return (e->flags & GC_FD_COUNTED) != 0;
    bool inserted = gc_region_ensure() && gc_region_insert(e->cookie, 1, 0, 0, true);
    struct gc_fdent now = *e;
    /* Bounded: only setsockopt's flags (SO_LINGER, TCP_REPAIR) change an
     * entry in place; a close or a new socket at the number ends it. */
    for (int tries = 0; tries < 8; tries++) {
        uint32_t from = now.flags | GC_FD_TRACKED;
        uint32_t to = (from & ~(uint32_t)GC_FD_SOLE) | (inserted ? GC_FD_COUNTED : 0);
        if (gc_fd_swap_flags(fd, from, to))
            return inserted;
        if (!gc_fd_lookup(fd, &now) || now.cookie != e->cookie || !(now.flags & GC_FD_SOLE))
            break;
    }
    if (inserted)
        gc_region_add(e->cookie, -1, NULL, NULL);
    return false;
}

void gc_track_promote_all(void)
{
    int saved_errno = gc_errno_save();
    int hw = gc_fd_highwater();

    for (int fd = 0; fd <= hw; fd++) {
        struct gc_fdent e;
        if (gc_fd_lookup(fd, &e) && (e.flags & GC_FD_SOLE))
            promote(fd, &e);
    }
    gc_errno_restore(saved_errno);
}

void gc_track_new(int fd, uint32_t flags, unsigned before)
{
    int saved_errno = gc_errno_save();

    if (fd >= 0 && fd < GC_FDTABLE_SIZE && gc_table_writable()) {
        uint64_t cookie = gc_socket_cookie(fd);
        struct gc_fdent old;
        if (cookie)
            gc_summary_socket(gc_fd_lookup(fd, &old)); /* an entry left: a close we never saw */
        if (cookie)
            record(fd, cookie, flags, 1 + fork_extra(before), 0, 0, true);
        else
            gc_fd_forget(fd);
    }
    gc_errno_restore(saved_errno);
}

void gc_track_arrived(int fd, uint32_t flags, int n, bool foreign, int origin_pid)
{
    int saved_errno = gc_errno_save();

    if (fd >= 0 && fd < GC_FDTABLE_SIZE && gc_table_writable()) {
        uint64_t cookie = gc_socket_cookie(fd);
        uint32_t oflags = (foreign ? GC_OWN_FOREIGN : 0) |
                          (origin_pid ? GC_OWN_ORIGIN_UNKNOWN : 0);
        if (cookie)
            record(fd, cookie, flags, n, oflags, origin_pid, false);
    }
    gc_errno_restore(saved_errno);
}

static bool survives_exec(int fd)
{
    int fl = (int)gc_sys(SYS_fcntl, fd, F_GETFD);
    return fl >= 0 && !(fl & FD_CLOEXEC);
}

void gc_track_copy(int oldfd, int newfd, unsigned before)
{
    struct gc_fdent e;
    int saved_errno = gc_errno_save();

    if (oldfd != newfd && gc_in_foreign_child() && gc_fd_lookup(oldfd, &e) &&
        (e.flags & GC_FD_COUNTED) && survives_exec(newfd) &&
        gc_socket_cookie(oldfd) == e.cookie)
        gc_region_add(e.cookie, +1, NULL, NULL);
    if (oldfd == newfd || !gc_table_writable()) {
        gc_errno_restore(saved_errno);
        return;
    }
    if (!gc_fd_lookup(oldfd, &e)) {
        gc_fd_forget(newfd);
    } else if (e.flags & GC_FD_EPOLL) {
        gc_epoll_add(newfd);
    } else if (newfd >= GC_FDTABLE_SIZE) {
        /* A copy the table cannot hold: its close would go uncounted. */
        if (promote(oldfd, &e))
            gc_region_flag(e.cookie, GC_OWN_FOREIGN);
    } else {
        bool counted = promote(oldfd, &e) &&
                       gc_region_add(e.cookie, 1 + fork_extra(before), NULL, NULL) > 0;
        uint32_t keep = e.flags & (GC_FD_ACCEPTED | GC_FD_INHERITED | GC_FD_PROGRAM_FLAGS);
        gc_fd_record(newfd, e.cookie, keep | (counted ? GC_FD_COUNTED : 0));
    }
    gc_errno_restore(saved_errno);
}

void gc_track_foreign_child_close(int fd, const struct gc_fdent *e)
{
    int saved_errno = gc_errno_save();
    if ((e->flags & GC_FD_COUNTED) && survives_exec(fd) && gc_socket_cookie(fd) == e->cookie)
        gc_region_add(e->cookie, -1, NULL, NULL);
    gc_errno_restore(saved_errno);
}

static bool exit_socket(int fd, uint64_t inode, void *ctx)
{
    (void)inode;
    (void)ctx;
    uint64_t cookie = gc_socket_cookie(fd);
    if (cookie && survives_exec(fd) && gc_region_known(cookie))
        gc_region_add(cookie, -1, NULL, NULL);
    return true;
}

void gc_track_foreign_child_exit(void)
{
    int saved_errno = gc_errno_save();
    if (gc_region_mapped())
        gc_proc_socket_fds(0, exit_socket, NULL, NULL);
    gc_errno_restore(saved_errno);
}

void gc_track_table_copied(int delta, bool exec_survivors_only)
{
    int saved_errno = gc_errno_save();
    int hw = gc_fd_highwater();

    if (gc_in_foreign_child()) {
        gc_errno_restore(saved_errno);
        return;
    }
    if (delta > 0)
        gc_owner_table_shared();
    for (int fd = 0; fd <= hw; fd++) {
        struct gc_fdent e;
        if (!gc_fd_lookup(fd, &e) || !(e.flags & (GC_FD_COUNTED | GC_FD_SOLE)))
            continue;
        /* A copy is about to exist: every socket needs the family count,
         * also one that closes at exec (a vfork child may put it on a
         * number that does not, as for a spawned program's stdout). */
        if (!(delta > 0 ? promote(fd, &e) : (e.flags & GC_FD_COUNTED) != 0))
            continue;
        if (exec_survivors_only) {
            int fl = (int)gc_sys(SYS_fcntl, fd, F_GETFD);
            if (fl < 0 || (fl & FD_CLOEXEC))
                continue;
        }
        gc_region_add(e.cookie, delta, NULL, NULL);
    }
    gc_errno_restore(saved_errno);
}

void gc_track_exec(int delta)
{
    int saved_errno = gc_errno_save();
    int hw = gc_fd_highwater();

    if (!gc_table_writable()) {
        gc_errno_restore(saved_errno);
        return;
    }
    for (int fd = 0; fd <= hw; fd++) {
        struct gc_fdent e;
        if (!gc_fd_lookup(fd, &e) || !(e.flags & (GC_FD_COUNTED | GC_FD_SOLE)))
            continue;
        int fl = (int)gc_sys(SYS_fcntl, fd, F_GETFD);
        if (fl >= 0 && (fl & FD_CLOEXEC)) {
            if (e.flags & GC_FD_COUNTED)
                gc_region_add(e.cookie, delta, NULL, NULL);
        } else if (fl >= 0 && delta < 0) {
            /* It stays open in the next program, which finds its count in
             * the region (init.c). */
            promote(fd, &e);
        }
    }
    gc_errno_restore(saved_errno);
}

void gc_track_foreign(int fd)
{
    struct gc_fdent e;
    if (gc_fd_lookup(fd, &e) && !(e.flags & GC_FD_EPOLL) && promote(fd, &e))
        gc_region_flag(e.cookie, GC_OWN_FOREIGN);
}
