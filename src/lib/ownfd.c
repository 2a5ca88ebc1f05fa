/* ownfd.c - placing and protecting the library's own descriptors. */
#include "ownfd.h"
#include "gc.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "handoff.h"
#include "highfd.h"
#include "region.h"
#include "sys.h"

#define OWN_MAX 8 /* the table, the channel, and room for a move */

static GC_HOT int own[OWN_MAX]; /* fd + 1; 0: free */
GC_HOT int gc_own_fd_min = 1 << 30; /* lowest of ours: below it, a close asks nothing */

static void remember(int fd)
{
    int lowest = __atomic_load_n(&gc_own_fd_min, __ATOMIC_RELAXED);
    while (fd < lowest && !__atomic_compare_exchange_n(&gc_own_fd_min, &lowest, fd, false,
                                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    for (int i = 0; i < OWN_MAX; i++) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&own[i], &expected, fd + 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return;
    }
}

static void forget(int fd)
{
    for (int i = 0; i < OWN_MAX; i++) {
        int expected = fd + 1;
        __atomic_compare_exchange_n(&own[i], &expected, 0, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED);
    }
}

bool gc_ownfd_is(int fd)
{
    for (int i = 0; i < OWN_MAX; i++)
        if (__atomic_load_n(&own[i], __ATOMIC_ACQUIRE) == fd + 1)
            return true;
    return false;
}

void gc_ownfd_adopt(int fd)
{
    if (fd >= 0 && !gc_ownfd_is(fd))
        remember(fd);
}

static int copy_high(int fd, bool keep_on_exec)
{
    return gc_fd_copy_high(fd, keep_on_exec);
}

int gc_ownfd_place(int fd, bool keep_on_exec)
{
    int saved_errno = gc_errno_save();
    if (fd < 0)
        return -1;
    int high = copy_high(fd, keep_on_exec);
    gc_sys(SYS_close, fd);
    if (high >= 0)
        remember(high);
    gc_errno_restore(saved_errno);
    return high;
}

void gc_ownfd_close(int fd)
{
    if (fd < 0)
        return;
    forget(fd);
    gc_sys(SYS_close, fd);
}

void gc_ownfd_evacuate(int fd)
{
    if (!gc_ownfd_is(fd))
        return;
    int saved_errno = gc_errno_save();
    int flags = (int)gc_sys(SYS_fcntl, fd, F_GETFD);
    int moved = copy_high(fd, flags >= 0 && !(flags & FD_CLOEXEC));
    /* The old number is the program's now; whoever held ours moves. */
    forget(fd);
    if (moved >= 0)
        remember(moved);
    if (!gc_region_moved(fd, moved) && !gc_handoff_moved(fd, moved) && moved >= 0)
        gc_ownfd_close(moved);
    gc_errno_restore(saved_errno);
}

void gc_ownfd_each_gap(unsigned lo, unsigned hi, void (*fn)(unsigned lo, unsigned hi, void *ctx),
                       void *ctx)
{
    unsigned start = lo;

    for (;;) {
        /* the lowest of ours in [start, hi] */
        unsigned next = 0;
        bool found = false;
        for (int i = 0; i < OWN_MAX; i++) {
            int v = __atomic_load_n(&own[i], __ATOMIC_ACQUIRE);
            if (!v)
                continue;
            unsigned fd = (unsigned)(v - 1);
            if (fd >= start && fd <= hi && (!found || fd < next)) {
                next = fd;
                found = true;
            }
        }
        if (!found) {
            fn(start, hi, ctx);
            return;
        }
        if (next > start)
            fn(start, next - 1, ctx);
        if (next == hi || next == ~0u)
            return;
        start = next + 1;
    }
}
