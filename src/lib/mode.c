/* mode.c - pass-through under seccomp (see mode.h). */
#include "sys.h"
#include "mode.h"

#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int passthrough;

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
    int fd = (int)gc_sys(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    long n = gc_sys(SYS_read, fd, buf, sizeof buf - 1);
    gc_sys(SYS_close, fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    const char *p = strstr(buf, "\nSeccomp:");
    if (!p)
        return;
    p += 9;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p && *p != '0')
        gc_set_passthrough();
}
