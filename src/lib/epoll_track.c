/* epoll_track.c - the program's epoll sets (see epoll_track.h). */
#include "gc.h"
#include "sys.h"
#include "epoll_track.h"

#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdtable.h"

static int sets[GC_EPOLL_SETS_MAX]; /* epfd + 1; 0: free */
/* Slots ever claimed (raised before epoll_create returns, so before the
 * program can add a socket to the set).  A program without epoll never
 * reads the list: a handed-off close, perhaps a fork child's first, maps
 * no page for it. */
static GC_LOAD int used;
static GC_HOT int overflowed;

static int slots_used(void)
{
    return __atomic_load_n(&used, __ATOMIC_ACQUIRE);
}

void gc_epoll_add(int epfd)
{
    if (epfd < 0)
        return;
    gc_fd_record(epfd, 0, GC_FD_EPOLL);
    for (int i = 0; i < GC_EPOLL_SETS_MAX; i++) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&sets[i], &expected, epfd + 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            int u = slots_used();
            while (u < i + 1 && !__atomic_compare_exchange_n(&used, &u, i + 1, false,
                                                             __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                ;
            return;
        }
    }
    __atomic_store_n(&overflowed, 1, __ATOMIC_RELEASE);
}

void gc_epoll_forget(int epfd)
{
    for (int i = 0, n = slots_used(); i < n; i++) {
        int expected = epfd + 1;
        __atomic_compare_exchange_n(&sets[i], &expected, 0, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED);
    }
    gc_fd_forget(epfd);
}

bool gc_epoll_can_remove(void)
{
    return !__atomic_load_n(&overflowed, __ATOMIC_ACQUIRE);
}

void gc_epoll_remove(int fd)
{
    struct epoll_event ignored = {0};

    for (int i = 0, n = slots_used(); i < n; i++) {
        int v = __atomic_load_n(&sets[i], __ATOMIC_ACQUIRE);
        if (v)
            gc_sys(SYS_epoll_ctl, v - 1, EPOLL_CTL_DEL, fd, &ignored);
    }
}
