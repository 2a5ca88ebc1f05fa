/* wrap_sockopt.c - setsockopt(), shutdown(), prctl(): what the program
 * does to a socket (or to itself) that a linger must respect.  Noted in
 * the descriptor table, so the close path asks no syscall about it. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "fdtable.h"
#include "gc.h"
#include "mode.h"
#include "real.h"

GC_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    int r = GC_REAL_LATE(setsockopt)(fd, level, name, val, len);
    struct gc_fdent e;

    if (r != 0 || !gc_fd_lookup(fd, &e))
        return r;
    if (level == SOL_SOCKET && name == SO_LINGER && len >= sizeof(struct linger)) {
        const struct linger *lg = val;
        gc_fd_clear_flags(fd, GC_FD_LINGER_SET | GC_FD_ABORTIVE);
        if (lg->l_onoff)
            gc_fd_set_flags(fd, lg->l_linger ? GC_FD_LINGER_SET : GC_FD_ABORTIVE);
    } else if (level == IPPROTO_TCP && name == TCP_REPAIR && len >= sizeof(int)) {
        if (*(const int *)val > 0)
            gc_fd_set_flags(fd, GC_FD_REPAIR);
        else
            gc_fd_clear_flags(fd, GC_FD_REPAIR);
    }
    return r;
}

GC_EXPORT int shutdown(int fd, int how)
{
    int r = GC_REAL_LATE(shutdown)(fd, how);
    if (r == 0 && (how == SHUT_RD || how == SHUT_RDWR))
        gc_fd_set_flags(fd, GC_FD_READ_SHUT);
    return r;
}

GC_EXPORT int prctl(int option, ...)
{
    va_list ap;
    va_start(ap, option);
    unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long);
    unsigned long a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
    va_end(ap);
    if (option == PR_SET_SECCOMP)
        gc_set_passthrough(); /* before: the filter may forbid our calls */
    return GC_REAL_LATE(prctl)(option, a2, a3, a4, a5);
}
