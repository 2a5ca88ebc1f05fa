/* mode.c - pass-through under seccomp (see mode.h). */
#include "procscan.h"
#include "gc.h"
#include "sys.h"
#include "mode.h"

#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static GC_HOT int passthrough;

bool gc_passthrough(void)
{
    return __atomic_load_n(&passthrough, __ATOMIC_ACQUIRE);
}

void gc_set_passthrough(void)
{
    __atomic_store_n(&passthrough, 1, __ATOMIC_RELEASE);
}

void gc_mode_read_status(void)
{
    char buf[4096];
    if (gc_proc_read_self("status", buf, sizeof buf) <= 0)
        return;
    const char *p = strstr(buf, "\nSeccomp:");
    if (!p)
        return;
    p += 9;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p && *p != '0')
        gc_set_passthrough();
}
