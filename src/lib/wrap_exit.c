/* wrap_exit.c - the end of the process: exit() and return from main reach
 * the destructor; _exit() and _Exit() are wrapped.  Both sweep every
 * socket this process is the last holder of, under one deadline. */
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdtable.h"
#include "gc.h"
#include "procscan.h"
#include "real.h"
#include "stdio_flush.h"
#include "summary.h"
#include "sweep.h"

/* While other threads still run, a shutdown could fail their next write
 * with SIGPIPE and change how the process ends: leave such a process
 * alone (README: limits). */
static bool sweep_is_safe(void)
{
    return gc_fd_highwater() >= 0 && !gc_proc_other_threads();
}

/* glibc runs this before it flushes stdio, so the streams that write to
 * our sockets are flushed first: a reply still in stdout's buffer must
 * reach the socket before the FIN. */
__attribute__((destructor)) static void gc_at_exit(void)
{
    if (sweep_is_safe()) {
        gc_flush_socket_streams();
        gc_sweep_at_exit();
    }
    gc_summary_at_exit();
}

/* _exit is async-signal-safe and flushes nothing; so is the sweep. */
static __attribute__((noreturn)) void exit_now(int status)
{
    if (sweep_is_safe())
        gc_sweep_at_exit();
    gc_summary_at_exit();
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
