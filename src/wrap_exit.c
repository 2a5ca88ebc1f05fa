/* wrap_exit.c - the end of the process: exit() and return from main reach
 * the destructor; _exit() and _Exit() are wrapped.  Both sweep every
 * socket this process is the last holder of, under one deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdtable.h"
#include "gc.h"
#include "real.h"
#include "sweep.h"

/* glibc runs this before it flushes stdio, so flush first: a reply still
 * in stdout's buffer must reach the socket before the FIN. */
__attribute__((destructor)) static void gc_at_exit(void)
{
    if (gc_fd_highwater() < 0)
        return; /* no socket was ever tracked: change nothing */
    fflush(NULL);
    gc_sweep_at_exit();
}

/* _exit is async-signal-safe and flushes nothing; so is the sweep. */
static __attribute__((noreturn)) void exit_now(int status)
{
    gc_sweep_at_exit();
    void (*real)(int) = __atomic_load_n(&gc_real.exit_now, __ATOMIC_ACQUIRE);
    if (real)
        real(status);
    for (;;)
        syscall(SYS_exit_group, status);
}

GC_EXPORT void _exit(int status)
{
    exit_now(status);
}

GC_EXPORT void _Exit(int status)
{
    exit_now(status);
}
