/* sweep.c - group closes: exit, _exit, close_range, closefrom. */
#include "sweep.h"

#include "closepath.h"
#include "fdtable.h"
#include "gc.h"
#include "policy.h"
#include "real.h"

void gc_sweep_range(int lo, int hi, bool whole_process,
                    void (*close_fn)(const struct gc_close_record *recs, int n))
{
    struct gc_settings s;
    uint64_t deadline = gc_now_ms() + (gc_base_settings(&s) ? s.timeout_ms : 0);
    int fds[GC_GROUP_MAX];
    struct gc_close_record recs[GC_GROUP_MAX];
    int hw = gc_fd_highwater();

    if (lo < 0)
        lo = 0;
    if (hi > hw)
        hi = hw;
    for (int fd = lo; fd <= hi;) {
        int n = 0;
        for (; fd <= hi && n < GC_GROUP_MAX; fd++) {
            struct gc_fdent e;
            if (gc_fd_lookup(fd, &e))
                fds[n++] = fd;
        }
        if (n == 0)
            continue;
        gc_close_group_prepare(fds, n, whole_process, deadline, recs);
        gc_record_set_path(recs, n, whole_process ? GC_PATH_EXIT : GC_PATH_CLOSE_RANGE);
        if (close_fn)
            close_fn(recs, n);
        gc_close_finish(recs, n);
    }
}

/* After a linger the socket is shut for writing: close it, so that a late
 * write (another library's destructor) fails quietly with EBADF instead
 * of raising SIGPIPE. */
static void close_lingered(const struct gc_close_record *recs, int n)
{
    for (int i = 0; i < n; i++)
        if (recs[i].verdict == GC_V_LINGER)
            gc_real_close(recs[i].fd);
}

void gc_sweep_at_exit(void)
{
    gc_sweep_range(0, GC_FDTABLE_SIZE - 1, true, close_lingered);
}
