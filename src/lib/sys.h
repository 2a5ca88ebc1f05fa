/* sys.h - raw system calls for the library's own use.
 *
 * The library exports syscall() (programs close sockets through it), so
 * its own raw calls must not go through that name: gc_sys() makes the
 * call directly.  Async-signal-safe, no cancellation point, no other
 * preload's wrapper in between.  Returns -1 with errno set on failure,
 * like syscall(). */
#ifndef GC_SYS_H
#define GC_SYS_H

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

long gc_sys6(long n, long a, long b, long c, long d, long e, long f);

#define GC_SYS_ARGS(n, a, b, c, d, e, f, ...) gc_sys6((long)(n), (long)(a), (long)(b), \
                                                     (long)(c), (long)(d), (long)(e), (long)(f))
#define gc_sys(...) GC_SYS_ARGS(__VA_ARGS__, 0, 0, 0, 0, 0, 0)

/* The calls glibc's fstat(fd) and access(path, F_OK) make, made directly:
 * a program just executed may never have run those wrappers, and their
 * page of libc is then a fault at load (20 us on a slow machine).  The
 * same system calls, so a seccomp filter sees nothing new. */
static inline long gc_fstat_fd(int fd, void *st)
{
#ifdef SYS_newfstatat
    /* The empty path on the stack, not in our read-only data: the kernel
     * reads it, and in a fork child that page is often not mapped yet (a
     * fault per child where the stack's page is already there). */
    char empty = '\0';
    return gc_sys(SYS_newfstatat, fd, &empty, st, AT_EMPTY_PATH);
#else
    return gc_sys(SYS_fstat, fd, st);
#endif
}

static inline long gc_exists(const char *path)
{
#ifdef SYS_access
    return gc_sys(SYS_access, path, F_OK);
#else
    return gc_sys(SYS_faccessat, AT_FDCWD, path, F_OK);
#endif
}

#endif
