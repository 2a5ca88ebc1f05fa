/* sweep.c - mass closes (see sweep.h). */
#include "sweep.h"

#include "closepath.h"
#include "fdtable.h"
#include "gc.h"
#include "mode.h"
#include "owner.h"
#include "policy.h"
#include "procscan.h"
#include "track.h"

void gc_sweep_range(int lo, int hi, enum gc_close_path path)
{
    int hw = gc_fd_highwater();

    if (lo < 0)
        lo = 0;
    for (int fd = lo; fd <= hi && fd <= hw; fd++) {
        struct gc_fdent e;
        struct gc_close_record rec;
        if (!gc_fd_lookup(fd, &e))
            continue;
        gc_close_prepare_on(fd, path, &rec);
        gc_close_finish(&rec, 1);
    }
}

/* While program threads still run, a shutdown could fail their next
 * write with SIGPIPE and change how the process ends: then only the
 * family counts are kept right (README: limits).  Asked once, and only
 * when some socket needs a linger. */
static GC_HOT int alone_answer; /* 0 not asked, 1 yes, 2 no */

static bool program_alone(void)
{
    /* A program that never made a thread (no pthread_create, no clone
     * sharing our table: wrap_thread.c, wrap_clone.c) is alone without
     * asking /proc. */
    if (!alone_answer)
        alone_answer = !gc_owner_has_threads() || gc_proc_thread_count() == 1 ? 1 : 2;
    return alone_answer == 1;
}

void gc_sweep_at_exit(enum gc_close_path path)
{
    struct gc_settings s;
    int hw = gc_fd_highwater();

    if (gc_passthrough())
        return; /* no syscall the program did not make */
    if (gc_in_foreign_child()) {
        gc_track_foreign_child_exit();
        return;
    }
    if (hw < 0)
        return;
    uint64_t now = 0, deadline = 0;
    for (int fd = 0; fd <= hw; fd++) {
        struct gc_fdent e;
        struct gc_close_record rec;
        if (!gc_fd_lookup(fd, &e) || (e.flags & GC_FD_EPOLL))
            continue;
        if (!now) { /* one deadline for all, read once something is open */
            now = gc_now_ms_kernel();
            deadline = now + (gc_base_settings(&s) ? s.timeout_ms : 0);
        }
        if (!gc_close_at_exit(fd, path, now, deadline, program_alone, &rec))
            gc_close_finish(&rec, 1);
    }
}
