/* wrap_range.c - close_range() and closefrom(): many closes in one call. */
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "closepath.h"
#include "fdtable.h"
#include "gc.h"
#include "real.h"
#include "sweep.h"

int close_range(unsigned int first, unsigned int last, int flags);
void closefrom(int lowfd);

static int to_int(unsigned int v)
{
    return v > (unsigned int)GC_FDTABLE_SIZE ? GC_FDTABLE_SIZE : (int)v;
}

/* CLOSE_RANGE_CLOEXEC closes nothing.  CLOSE_RANGE_UNSHARE closes in a
 * private copy of the table while other threads keep the shared one, so
 * these closes are not the last either: plain pass-through for both. */
GC_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
    if (flags == 0 && first <= last)
        gc_sweep_range(to_int(first), to_int(last), false, NULL);
    int (*real)(unsigned int, unsigned int, int) =
        __atomic_load_n(&gc_real.close_range, __ATOMIC_ACQUIRE);
    return real ? real(first, last, flags) : (int)syscall(SYS_close_range, first, last, flags);
}

GC_EXPORT void closefrom(int lowfd)
{
    if (lowfd < 0)
        lowfd = 0;
    gc_sweep_range(lowfd, GC_FDTABLE_SIZE - 1, false, NULL);
    void (*real)(int) = __atomic_load_n(&gc_real.closefrom, __ATOMIC_ACQUIRE);
    if (real)
        real(lowfd);
    else
        syscall(SYS_close_range, (unsigned int)lowfd, ~0u, 0);
}
