/* wrap_create.c - socket(), accept(), accept4(): where owned sockets are born. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fdtable.h"
#include "gc.h"
#include "real.h"
#include "track.h"

static bool asks_for_tcp(int domain, int type, int protocol)
{
    return (domain == AF_INET || domain == AF_INET6) && (type & 0xf) == SOCK_STREAM &&
           (protocol == 0 || protocol == IPPROTO_TCP);
}

GC_EXPORT int socket(int domain, int type, int protocol)
{
    unsigned phase = gc_track_phase();
    int fd = gc_real_socket(domain, type, protocol);

    if (fd >= 0 && asks_for_tcp(domain, type, protocol))
        gc_track_new(fd, 0, phase);
    return fd;
}

/* An accepted socket is TCP when its listener is one we track; a listener
 * we did not make (inherited, socket-activated) costs one question. */
static bool accepted_tcp(int listener, int fd)
{
    struct gc_fdent e;
    int proto = 0;
    socklen_t len = sizeof proto;

    if (gc_fd_lookup(listener, &e))
        return true;
    return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_TCP;
}

static int accept_common(int listener, struct sockaddr *addr, socklen_t *len, int flags,
                         int use_accept4)
{
    unsigned phase = gc_track_phase();
    int fd = gc_real_accept4(listener, addr, len, flags, use_accept4);

    if (fd >= 0) {
        int saved_errno = gc_errno_save();
        struct gc_fdent l = {0};
        /* An accepted socket inherits its listener's SO_LINGER. */
        gc_fd_lookup(listener, &l);
        /* Nothing is tracked (pass-through, the kill switch): no
         * question asked either. */
        if (gc_table_writable() && accepted_tcp(listener, fd))
            gc_track_new(fd, GC_FD_ACCEPTED | (l.flags & (GC_FD_LINGER_SET | GC_FD_ABORTIVE)),
                         phase);
        gc_errno_restore(saved_errno);
    }
    return fd;
}

GC_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept_common(fd, addr, len, 0, 0);
}

GC_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    return accept_common(fd, addr, len, flags, 1);
}
