/* wrap_range.c - close_range() and closefrom(): many closes in one call.
 * Each tracked socket in the range takes the close pipeline; the real
 * call then closes the range in pieces that step around the library's
 * own descriptors. */
#include <linux/close_range.h>
#include <unistd.h>

#include "sys.h"
#include "fdtable.h"
#include "gc.h"
#include "ownfd.h"
#include "real.h"
#include "sweep.h"

int close_range(unsigned int first, unsigned int last, int flags);
void closefrom(int lowfd);

static int to_int(unsigned int v)
{
    return v >= (unsigned int)GC_FDTABLE_SIZE ? GC_FDTABLE_SIZE - 1 : (int)v;
}

struct range_call {
    int flags;
    int result;
};

static void close_piece(unsigned lo, unsigned hi, void *ctx)
{
    struct range_call *c = ctx;
    int (*real)(unsigned int, unsigned int, int) =
        __atomic_load_n(&gc_real.close_range, __ATOMIC_ACQUIRE);
    int r = real ? real(lo, hi, c->flags) : (int)gc_sys(SYS_close_range, lo, hi, c->flags);
    if (r != 0)
        c->result = r;
}

/* CLOSE_RANGE_UNSHARE closes in a private copy of the table while other
 * threads keep the shared one, so those closes are not the last: the
 * pipeline runs only for a plain close_range.  CLOSE_RANGE_CLOEXEC
 * closes nothing now, but must not mark the library's own descriptors. */
GC_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
    struct range_call c = {.flags = flags};

    if (first > last) /* the kernel's EINVAL, unchanged */
        return (int)gc_sys(SYS_close_range, first, last, flags);
    if (flags == 0)
        gc_sweep_range(to_int(first), to_int(last), GC_PATH_CLOSE_RANGE);
    gc_ownfd_each_gap(first, last, close_piece, &c);
    return c.result;
}

GC_EXPORT void closefrom(int lowfd)
{
    struct range_call c = {.flags = 0};

    if (lowfd < 0)
        lowfd = 0;
    gc_sweep_range(lowfd, GC_FDTABLE_SIZE - 1, GC_PATH_CLOSEFROM);
    gc_ownfd_each_gap((unsigned)lowfd, ~0u, close_piece, &c);
}
