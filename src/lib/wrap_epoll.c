/* wrap_epoll.c - epoll_create(), epoll_create1(): the program's epoll
 * sets, which a lingering socket must leave (epoll_track.h). */
#include <sys/epoll.h>

#include "epoll_track.h"
#include "gc.h"
#include "real.h"
#include "track.h"

GC_EXPORT int epoll_create(int size)
{
    int fd = GC_REAL_LATE(epoll_create)(size);
    if (fd >= 0 && gc_table_writable())
        gc_epoll_add(fd);
    return fd;
}

GC_EXPORT int epoll_create1(int flags)
{
    int fd = GC_REAL_LATE(epoll_create1)(flags);
    if (fd >= 0 && gc_table_writable())
        gc_epoll_add(fd);
    return fd;
}
