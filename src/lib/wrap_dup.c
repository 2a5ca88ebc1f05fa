/* wrap_dup.c - dup(), dup2(), dup3(), fcntl(F_DUPFD*): a second descriptor
 * for a socket means a close of one of them is no longer the last. */

/* fcntl is wrapped under both of its names, so the header must not rename
 * it to fcntl64 for us. */
#undef _FILE_OFFSET_BITS

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys.h"
#include "closepath.h"
#include "fdtable.h"
#include "gc.h"
#include "mode.h"
#include "real.h"
#include "ownfd.h"
#include "track.h"

int fcntl64(int fd, int cmd, ...);

GC_EXPORT int dup(int oldfd)
{
    unsigned phase = gc_track_phase();
    int fd = gc_real_dup(oldfd);
    if (fd >= 0)
        gc_track_copy(oldfd, fd, phase);
    return fd;
}

static bool is_open(int fd)
{
    int saved_errno = gc_errno_save();
    bool open = gc_sys(SYS_fcntl, fd, F_GETFD) >= 0;
    gc_errno_restore(saved_errno);
    return open;
}

/* dup2/dup3 refuse a target at or past RLIMIT_NOFILE without closing it. */
static bool below_limit(int fd)
{
    struct rlimit rl;
    int saved_errno = gc_errno_save();
    bool ok = getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
              (rlim_t)fd < rl.rlim_cur;
    gc_errno_restore(saved_errno);
    return ok;
}

/* dup2/dup3 close 'newfd' first when it is open: that close is a close
 * like any other, so it goes through the pipeline.  Only when the call
 * will succeed (valid 'oldfd', flags and target) does it close anything. */
static int dup_onto(int oldfd, int newfd, int flags, int is_dup3)
{
    struct gc_fdent e;
    struct gc_close_record rec;
    /* Under a seccomp filter (pass-through) no question either: the close
     * would pass through, and a later close of the number forgets it. */
    bool closing = oldfd != newfd && !gc_passthrough() && gc_fd_lookup(newfd, &e) &&
                   is_open(oldfd) && !(is_dup3 && (flags & ~O_CLOEXEC)) && below_limit(newfd);

    unsigned phase = gc_track_phase();
    if (closing)
        gc_close_prepare_on(newfd, is_dup3 ? GC_PATH_DUP3 : GC_PATH_DUP2, &rec);
    else
        gc_ownfd_evacuate(newfd); /* a number of ours, now the program's */
    int fd = is_dup3 ? gc_real_dup3(oldfd, newfd, flags) : gc_real_dup2(oldfd, newfd);
    if (fd >= 0 && oldfd != newfd)
        gc_track_copy(oldfd, fd, phase);
    if (closing)
        gc_close_finish(&rec, 1);
    return fd;
}

GC_EXPORT int dup2(int oldfd, int newfd)
{
    return dup_onto(oldfd, newfd, 0, 0);
}

GC_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    return dup_onto(oldfd, newfd, flags, 1);
}

static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
    unsigned phase = gc_track_phase();
    int r = real ? real(fd, cmd, arg) : (int)gc_sys(SYS_fcntl, fd, cmd, arg);

    if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
        gc_track_copy(fd, r, phase);
    return r;
}

/* Every fcntl command takes at most one argument, an int or a pointer;
 * passing it on as a pointer-sized value is how the C library does it. */
GC_EXPORT int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(__atomic_load_n(&gc_real.fcntl, __ATOMIC_ACQUIRE), fd, cmd, arg);
}

GC_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int (*real)(int, int, ...) = __atomic_load_n(&gc_real.fcntl64, __ATOMIC_ACQUIRE);
    if (!real)
        real = __atomic_load_n(&gc_real.fcntl, __ATOMIC_ACQUIRE);
    return fcntl_common(real, fd, cmd, arg);
}
