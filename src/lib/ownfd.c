/* ownfd.c - placing and protecting the library's own descriptors. */
#include "sys.h"
#include "ownfd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdtable.h"
#include "region.h"
#include "worker.h"

/* Above 1023 when the limit allows (select() never sees them), else in
 * the top quarter of the range. */
static int high_min(void)
{
    struct rlimit rl;

    if (gc_sys(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > 1024 + 256)
        return 1024;
    return (int)(rl.rlim_cur * 3 / 4);
}

int gc_ownfd_copy(int fd, bool keep_on_exec)
{
    int saved_errno = errno;
    int cmd = keep_on_exec ? F_DUPFD : F_DUPFD_CLOEXEC;
    int copy = (int)gc_sys(SYS_fcntl, fd, cmd, high_min());

    if (copy >= 0) {
        if (copy < GC_FDTABLE_SIZE)
            gc_fd_record(copy, 0, GC_FD_OWN);
        else
            gc_fd_forget(copy);
    }
    errno = saved_errno;
    return copy;
}

int gc_ownfd_place(int fd, bool keep_on_exec)
{
    if (fd < 0)
        return -1;
    int high = gc_ownfd_copy(fd, keep_on_exec);
    gc_sys(SYS_close, fd);
    return high;
}

bool gc_ownfd_is(int fd)
{
    struct gc_fdent e;
    return gc_fd_lookup(fd, &e) && (e.flags & GC_FD_OWN);
}

void gc_ownfd_close(int fd)
{
    if (fd < 0)
        return;
    gc_fd_forget(fd);
    gc_sys(SYS_close, fd);
}

void gc_ownfd_evacuate(int fd)
{
    if (!gc_ownfd_is(fd))
        return;
    int flags = (int)gc_sys(SYS_fcntl, fd, F_GETFD);
    int moved = gc_ownfd_copy(fd, flags >= 0 && !(flags & FD_CLOEXEC));
    /* The old number is the program's now; whoever held ours moves. */
    gc_fd_forget(fd);
    if (!gc_region_moved(fd, moved) && !gc_worker_moved(fd, moved) && moved >= 0)
        gc_ownfd_close(moved);
}

void gc_ownfd_each_gap(unsigned lo, unsigned hi, void (*fn)(unsigned lo, unsigned hi, void *ctx),
                       void *ctx)
{
    int top = gc_fd_own_highwater();
    unsigned start = lo;

    for (unsigned fd = lo; fd <= hi && (int)fd <= top && fd < GC_FDTABLE_SIZE; fd++) {
        if (!gc_ownfd_is((int)fd))
            continue;
        if (fd > start)
            fn(start, fd - 1, ctx);
        start = fd + 1;
    }
    if (start <= hi && start >= lo)
        fn(start, hi, ctx);
}
