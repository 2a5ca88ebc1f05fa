/* wrap_clone.c - clone(): glibc's process-creating call that no fork
 * handler sees (vsftpd makes every session with it).  A child without
 * CLONE_FILES gets a copy of our descriptor table: counted like a fork. */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>

#include "gc.h"
#include "real.h"
#include "spawn_child.h"
#include "owner.h"
#include "track.h"
#include "handoff.h"

struct start {
    int (*fn)(void *);
    void *arg;
};

/* A fork-like child starts here, on its own copy of our memory (so the
 * parent's 'struct start' is there too), before the program's function. */
static int child_start(void *p)
{
    struct start s = *(struct start *)p;
    gc_spawn_child_setup();
    return s.fn(s.arg);
}

GC_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    void *ptid = va_arg(ap, void *);
    void *tls = va_arg(ap, void *);
    void *ctid = va_arg(ap, void *);
    va_end(ap);
    int (*real)(int (*)(void *), void *, int, void *, ...) = GC_REAL_LATE(clone);

    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (flags & CLONE_FILES) { /* a thread, or a process sharing our table */
        gc_owner_threads_begin();
        gc_owner_table_shared(); /* that process may outlive us */
        if (!(flags & CLONE_VM))
            gc_track_promote_all(); /* its own memory, our table: counts it can see */
        return real(fn, stack, flags, arg, ptid, tls, ctid);
    }

    /* CLONE_VM without CLONE_FILES: a spawn-like child that execs. */
    bool spawn_like = flags & CLONE_VM;
    struct start s = {fn, arg};
    if (!spawn_like)
        gc_handoff_before_fork();
    gc_track_fork_begin();
    gc_track_table_copied(+1, spawn_like);
    if (spawn_like)
        gc_owner_vfork_begins(flags & CLONE_VFORK);
    int r = spawn_like ? real(fn, stack, flags, arg, ptid, tls, ctid)
                       : real(child_start, stack, flags, &s, ptid, tls, ctid);
    int saved_errno = gc_errno_save();
    if (r < 0)
        gc_track_table_copied(-1, spawn_like);
    gc_track_fork_end();
    gc_errno_restore(saved_errno);
    return r;
}
