/* highfd.c - placing the library's own descriptors (see highfd.h). */
#include "highfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/resource.h>

#include "gc.h"
#include "sys.h"

#define SMALL_LIMIT 1024
#define TOP_ROOM 8    /* the top slots the library may take when the limits are one */
#define LARGE_LIMIT 4096 /* above it, the top of the range is too far away */
#define MIDDLE 1024   /* where ours go under a large limit: out of select()'s range */

/* The kernel copies a process's descriptor array up to its highest open
 * number at every fork, and keeps it that long: a descriptor near a limit
 * of 1,048,576 (Docker's) would cost 8 MiB per process and as much copying
 * per fork.  So under a large limit ours go just above 1024 instead, in the
 * program's range: it loses those two or three numbers of the many. */
int gc_fd_copy_high(int fd, bool keep_on_exec)
{
    struct rlimit rl;
    int cmd = keep_on_exec ? F_DUPFD : F_DUPFD_CLOEXEC;
    int saved_errno = gc_errno_save(), high = -1;

    if (gc_sys(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) != 0) {
        gc_errno_restore(saved_errno);
        return -1;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LARGE_LIMIT) {
        high = (int)gc_sys(SYS_fcntl, fd, cmd, (long)MIDDLE);
    } else if (rl.rlim_max > rl.rlim_cur) {
        struct rlimit raised = {rl.rlim_max, rl.rlim_max};
        if (gc_sys(SYS_prlimit64, 0, RLIMIT_NOFILE, &raised, NULL) == 0) {
            high = (int)gc_sys(SYS_fcntl, fd, cmd, (long)rl.rlim_cur);
            gc_sys(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL);
        }
    } else if (rl.rlim_cur >= SMALL_LIMIT) {
        high = (int)gc_sys(SYS_fcntl, fd, cmd, (long)(rl.rlim_cur - TOP_ROOM));
    }
    gc_errno_restore(saved_errno);
    return high;
}
