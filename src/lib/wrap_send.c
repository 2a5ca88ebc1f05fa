/* wrap_send.c - sendmsg(), sendmmsg(): a socket passed with SCM_RIGHTS has a
 * holder in another process that the table cannot follow.
 *
 * The message is read only after the kernel accepted it: then its pointers
 * and control headers are known to be good, so a bad argument still gets
 * the kernel's EFAULT / EINVAL, never a crash in here.  (The copy is in
 * flight from that moment; a close of the same socket racing in another
 * thread could miss the mark: a documented blind spot.) */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fdtable.h"
#include "gc.h"
#include "owner.h"
#include "real.h"
#include "track.h"

/* Calls fn for every descriptor in the message's SCM_RIGHTS headers. */
static void each_passed(const struct msghdr *msg, void (*fn)(int fd))
{
    if (!msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
         c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        if (c->cmsg_len < CMSG_LEN(0))
            break;
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const int *fds = (const int *)CMSG_DATA(c);
        for (size_t i = 0; i < n; i++)
            fn(fds[i]);
    }
}

/* Any descriptor sent may be one the table cannot see (an io_uring
 * instance: owner.h); a socket of ours now has a holder elsewhere. */
static void note_passed(int fd)
{
    gc_owner_table_shared();
    if (gc_fd_highwater() >= 0)
        gc_track_foreign(fd);
}

static void mark_passed(const struct msghdr *msg)
{
    each_passed(msg, note_passed);
}

/* A socket received from another process: its holders there are not
 * counted here, so it is foreign (every close of it stays plain). */
static void note_received(int fd)
{
    int proto = 0;
    socklen_t len = sizeof proto;
    if (gc_table_writable() && getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
        proto == IPPROTO_TCP)
        gc_track_arrived(fd, 0, 1, true, 0);
}

GC_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    ssize_t r = GC_REAL_LATE(recvmsg)(fd, msg, flags);
    if (r >= 0 && msg) {
        int saved_errno = gc_errno_save();
        each_passed(msg, note_received);
        gc_errno_restore(saved_errno);
    }
    return r;
}

GC_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    ssize_t r = gc_real_sendmsg(fd, msg, flags);
    if (r >= 0) {
        int saved_errno = gc_errno_save();
        mark_passed(msg);
        gc_errno_restore(saved_errno);
    }
    return r;
}

GC_EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
    int r = gc_real_sendmmsg(fd, v, n, flags);
    if (r > 0) {
        int saved_errno = gc_errno_save();
        for (int i = 0; i < r; i++)
            mark_passed(&v[i].msg_hdr);
        gc_errno_restore(saved_errno);
    }
    return r;
}
