/* wrap_exit.c - the end of the process: exit() and return from main reach
 * the destructor; _exit() and _Exit() are wrapped.  Both hand every socket
 * this process is the last holder of, with something at stake, to the
 * helper, then write the summary (when the log level asks for one). */
#include <stdbool.h>
#include <unistd.h>

#include "sys.h"
#include "fdtable.h"
#include "mode.h"
#include "gc.h"
#include "real.h"
#include "stdio_flush.h"
#include "summary.h"
#include "sweep.h"

/* glibc runs this before it flushes stdio, so the streams that write to
 * our sockets are flushed first: a reply still in stdout's buffer must
 * reach the socket before the FIN. */
__attribute__((destructor)) static void gc_at_exit(void)
{
    if (gc_passthrough())
        return; /* a seccomp filter: no system call the program did not make */
    if (gc_fd_highwater() >= 0) {
        gc_flush_socket_streams();
        gc_sweep_at_exit(GC_PATH_EXIT);
    }
    gc_summary_at_exit();
}

/* _exit is async-signal-safe and flushes nothing; so is the sweep. */
static __attribute__((noreturn)) void exit_now(int status)
{
    if (gc_passthrough())
        goto out;
    gc_sweep_at_exit(GC_PATH_EXIT_NOW);
    gc_summary_at_exit();
out:;
    void (*real)(int) = __atomic_load_n(&gc_real.exit_now, __ATOMIC_ACQUIRE);
    if (real)
        real(status);
    for (;;)
        gc_sys(SYS_exit_group, status);
}

GC_EXPORT void _exit(int status)
{
    exit_now(status);
}

GC_EXPORT void _Exit(int status)
{
    exit_now(status);
}
