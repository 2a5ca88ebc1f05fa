/* fdtable.c - the fd-indexed ownership table (see fdtable.h). */
#include "fdtable.h"

#include <sys/socket.h>

static struct gc_fdent table[GC_FDTABLE_SIZE];
static uint32_t fork_gen;
static int highwater = -1;

uint32_t gc_fork_gen(void)
{
    return __atomic_load_n(&fork_gen, __ATOMIC_ACQUIRE);
}

void gc_fork_gen_bump(void)
{
    __atomic_add_fetch(&fork_gen, 1, __ATOMIC_ACQ_REL);
}

static bool in_range(int fd)
{
    return fd >= 0 && fd < GC_FDTABLE_SIZE;
}

/* The flags word is written last and read first, so a reader that sees
 * TRACKED sees the cookie and generation that go with it. */
void gc_fd_record(int fd, uint64_t cookie, uint32_t gen, uint32_t flags)
{
    if (!in_range(fd))
        return;
    __atomic_store_n(&table[fd].flags, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&table[fd].cookie, cookie, __ATOMIC_RELAXED);
    __atomic_store_n(&table[fd].gen, gen, __ATOMIC_RELAXED);
    __atomic_store_n(&table[fd].flags, flags | GC_FD_TRACKED, __ATOMIC_RELEASE);

    int hw = __atomic_load_n(&highwater, __ATOMIC_RELAXED);
    while (fd > hw && !__atomic_compare_exchange_n(&highwater, &hw, fd, false, __ATOMIC_RELAXED,
                                                   __ATOMIC_RELAXED))
        ;
}

bool gc_fd_lookup(int fd, struct gc_fdent *out)
{
    if (!in_range(fd))
        return false;
    out->flags = __atomic_load_n(&table[fd].flags, __ATOMIC_ACQUIRE);
    if (!(out->flags & GC_FD_TRACKED))
        return false;
    out->cookie = __atomic_load_n(&table[fd].cookie, __ATOMIC_RELAXED);
    out->gen = __atomic_load_n(&table[fd].gen, __ATOMIC_RELAXED);
    return true;
}

void gc_fd_forget(int fd)
{
    if (in_range(fd))
        __atomic_store_n(&table[fd].flags, 0, __ATOMIC_RELEASE);
}

void gc_fd_copy(int oldfd, int newfd)
{
    struct gc_fdent e;

    if (!gc_fd_lookup(oldfd, &e)) {
        gc_fd_forget(newfd);
        return;
    }
    if (!in_range(newfd)) {
        __atomic_or_fetch(&table[oldfd].flags, GC_FD_ELSEWHERE, __ATOMIC_ACQ_REL);
        return;
    }
    __atomic_or_fetch(&table[oldfd].flags, GC_FD_DUPED, __ATOMIC_ACQ_REL);
    gc_fd_record(newfd, e.cookie, e.gen, e.flags | GC_FD_DUPED);
}

void gc_fd_flag_cookie(uint64_t cookie, uint32_t flag)
{
    int hw = gc_fd_highwater();

    for (int fd = 0; fd <= hw; fd++) {
        struct gc_fdent e;
        if (gc_fd_lookup(fd, &e) && e.cookie == cookie)
            __atomic_or_fetch(&table[fd].flags, flag, __ATOMIC_ACQ_REL);
    }
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
