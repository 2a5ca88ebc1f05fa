/* wrap_exec.c - the exec family: descriptors with close-on-exec vanish
 * with the old program, unseen by any close.  They leave the family count
 * just before the exec, and come back if the exec fails (then the program
 * still holds them).  Between the two, another holder's close may find
 * itself the last: its linger could then shut a socket this process still
 * has open, and only if the exec fails (README: limits). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "gc.h"
#include "real.h"
#include "track.h"

#define ARGS_MAX 4096 /* execl* with more arguments pass through uncounted */

GC_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    gc_track_exec(-1);
    int r = GC_REAL_LATE(execve)(path, argv, envp);
    gc_track_exec(+1);
    return r;
}

GC_EXPORT int execv(const char *path, char *const argv[])
{
    gc_track_exec(-1);
    int r = GC_REAL_LATE(execv)(path, argv);
    gc_track_exec(+1);
    return r;
}

GC_EXPORT int execvp(const char *file, char *const argv[])
{
    gc_track_exec(-1);
    int r = GC_REAL_LATE(execvp)(file, argv);
    gc_track_exec(+1);
    return r;
}

GC_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    gc_track_exec(-1);
    int r = GC_REAL_LATE(execvpe)(file, argv, envp);
    gc_track_exec(+1);
    return r;
}

GC_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    gc_track_exec(-1);
    int r = GC_REAL_LATE(fexecve)(fd, argv, envp);
    gc_track_exec(+1);
    return r;
}

/* execl, execlp, execle: the arguments into an array, then the v form. */
#define COLLECT(first, ap, argv, n)                                                    \
    do {                                                                               \
        argv[0] = (char *)(first);                                                     \
        for (n = 1; argv[n - 1] && n < ARGS_MAX; n++)                                  \
            argv[n] = va_arg(ap, char *);                                              \
    } while (0)

GC_EXPORT int execl(const char *path, const char *arg, ...)
{
    char *argv[ARGS_MAX];
    int n;
    va_list ap;
    va_start(ap, arg);
    COLLECT(arg, ap, argv, n);
    va_end(ap);
    if (argv[n - 1]) {
        errno = E2BIG;
        return -1;
    }
    return execv(path, argv);
}

GC_EXPORT int execlp(const char *file, const char *arg, ...)
{
    char *argv[ARGS_MAX];
    int n;
    va_list ap;
    va_start(ap, arg);
    COLLECT(arg, ap, argv, n);
    va_end(ap);
    if (argv[n - 1]) {
        errno = E2BIG;
        return -1;
    }
    return execvp(file, argv);
}

GC_EXPORT int execle(const char *path, const char *arg, ...)
{
    char *argv[ARGS_MAX];
    int n;
    va_list ap;
    va_start(ap, arg);
    COLLECT(arg, ap, argv, n);
    char *const *envp = argv[n - 1] ? NULL : va_arg(ap, char *const *);
    va_end(ap);
    if (argv[n - 1]) {
        errno = E2BIG;
        return -1;
    }
    return execve(path, argv, envp);
}
