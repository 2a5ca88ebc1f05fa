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

/* The "Seccomp:" line of /proc/self/status, read a piece at a time: this
 * runs at load on the program's stack, which need not grow a page for it. */
void gc_mode_read_status(void)
{
    char buf[1024];
    size_t have = 0;
    int fd = gc_proc_open_self("status");

    if (fd < 0)
        return;
    for (int reads = 0; reads < 16; reads++) { /* the file is 1-2 KiB */
        long n = gc_sys(SYS_read, fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = '\0';
        const char *p = strstr(buf, "\nSeccomp:");
        const char *nl = p ? strchr(p + 1, '\n') : NULL;
        if (nl) { /* the whole line */
            for (p += 9; *p == ' ' || *p == '\t'; p++)
                ;
            if (*p != '0' && p < nl)
                gc_set_passthrough();
            break;
        }
        /* Keep what may be the start of the line for the next piece. */
        const char *from = p ? p : buf + (have > 16 ? have - 16 : 0);
        have -= (size_t)(from - buf);
        memmove(buf, from, have);
    }
    gc_sys(SYS_close, fd);
}
