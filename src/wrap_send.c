/* wrap_send.c - sendmsg(), sendmmsg(): a socket passed with SCM_RIGHTS has a
 * holder in another process that the table cannot follow. */
#include <sys/socket.h>

#include "fdtable.h"
#include "gc.h"
#include "real.h"
#include "track.h"

static void mark_passed(const struct msghdr *msg)
{
    if (!msg || !msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
         c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const int *fds = (const int *)CMSG_DATA(c);
        for (size_t i = 0; i < n; i++) {
            struct gc_fdent e;
            /* Marked before the send: a copy may be in flight either way. */
            if (gc_fd_lookup(fds[i], &e) && gc_table_writable())
                gc_fd_flag_cookie(e.cookie, GC_FD_ELSEWHERE);
        }
    }
}

GC_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    mark_passed(msg);
    return gc_real_sendmsg(fd, msg, flags);
}

GC_EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
    for (unsigned int i = 0; v && i < n; i++)
        mark_passed(&v[i].msg_hdr);
    return gc_real_sendmmsg(fd, v, n, flags);
}
