/* fdtable.c - the fd-indexed descriptor table (see fdtable.h). */
#include "fdtable.h"
#include "gc.h"

#include <sys/socket.h>

struct gc_fdent gc_fdtable[GC_FDTABLE_SIZE];
#define table gc_fdtable
static GC_HOT int highwater = -1;     /* program descriptors: sweeps scan up to it */

static bool in_range(int fd)
{
    return fd >= 0 && fd < GC_FDTABLE_SIZE;
}

/* The flags word is written last and read first, so a reader that sees
 * TRACKED sees the cookie that goes with it. */
static void raise_to(int *mark, int fd)
{
    int hw = __atomic_load_n(mark, __ATOMIC_RELAXED);
    while (fd > hw &&
           !__atomic_compare_exchange_n(mark, &hw, fd, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

void gc_fd_record(int fd, uint64_t cookie, uint32_t flags)
{
    if (!in_range(fd))
        return;
    __atomic_store_n(&table[fd].flags, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&table[fd].cookie, cookie, __ATOMIC_RELAXED);
    __atomic_store_n(&table[fd].flags, flags | GC_FD_TRACKED, __ATOMIC_RELEASE);
    raise_to(&highwater, fd);
}

bool gc_fd_lookup(int fd, struct gc_fdent *out)
{
    if (!in_range(fd))
        return false;
    out->flags = __atomic_load_n(&table[fd].flags, __ATOMIC_ACQUIRE);
    if (!(out->flags & GC_FD_TRACKED))
        return false;
    out->cookie = __atomic_load_n(&table[fd].cookie, __ATOMIC_RELAXED);
    return true;
}

void gc_fd_forget(int fd)
{
    if (in_range(fd))
        __atomic_store_n(&table[fd].flags, 0, __ATOMIC_RELEASE);
}

uint32_t gc_fd_take(int fd)
{
    if (!in_range(fd))
        return 0;
    uint32_t was = __atomic_exchange_n(&table[fd].flags, 0, __ATOMIC_ACQ_REL);
    return was & GC_FD_TRACKED ? was : 0;
}

bool gc_fd_swap_flags(int fd, uint32_t from, uint32_t to)
{
    return in_range(fd) && __atomic_compare_exchange_n(&table[fd].flags, &from, to, false,
                                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void gc_fd_set_flags(int fd, uint32_t flags)
{
    if (in_range(fd) && (__atomic_load_n(&table[fd].flags, __ATOMIC_ACQUIRE) & GC_FD_TRACKED))
        __atomic_or_fetch(&table[fd].flags, flags, __ATOMIC_ACQ_REL);
}

void gc_fd_clear_flags(int fd, uint32_t flags)
{
    if (in_range(fd))
        __atomic_and_fetch(&table[fd].flags, ~flags, __ATOMIC_ACQ_REL);
}

int gc_fd_highwater(void)
{
    return __atomic_load_n(&highwater, __ATOMIC_RELAXED);
}

uint64_t gc_socket_cookie(int fd)
{
    uint64_t cookie = 0;
    socklen_t len = sizeof cookie;

    if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) != 0)
        return 0;
    return cookie;
}
