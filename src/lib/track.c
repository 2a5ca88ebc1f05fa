/* track.c - table updates shared by the creating and duplicating wrappers. */
#include "track.h"

#include <errno.h>

#include "fdtable.h"
#include "owner.h"
#include "summary.h"

static int disabled;

void gc_track_disable(void)
{
    __atomic_store_n(&disabled, 1, __ATOMIC_RELEASE);
}

bool gc_table_writable(void)
{
    return !__atomic_load_n(&disabled, __ATOMIC_ACQUIRE) && !gc_in_foreign_child();
}

void gc_track_new(int fd, uint32_t gen, uint32_t flags)
{
    int saved_errno = errno;

    if (fd >= 0 && fd < GC_FDTABLE_SIZE && gc_table_writable()) {
        uint64_t cookie = gc_socket_cookie(fd);
        struct gc_fdent old;
        if (cookie)
            gc_summary_socket(gc_fd_lookup(fd, &old)); /* issue 9: an entry left = a missed close */
        if (cookie)
            gc_fd_record(fd, cookie, gen, flags);
        else
            gc_fd_forget(fd);
    }
    errno = saved_errno;
}

void gc_track_copy(int oldfd, int newfd)
{
    struct gc_fdent e;
    int saved_errno = errno;

    if (gc_fd_lookup(oldfd, &e) || gc_fd_lookup(newfd, &e))
        if (gc_table_writable())
            gc_fd_copy(oldfd, newfd);
    errno = saved_errno;
}
