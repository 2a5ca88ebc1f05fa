/* wrap_exec.c - the exec family: descriptors with close-on-exec vanish
 * with the old program, unseen by any close.  They leave the family count
 * just before the exec, and come back if the exec fails (then the program
 * still holds them).  Between the two, another holder's close may find
 * itself the last: its linger could then shut a socket this process still
 * has open, and only if the exec fails (README: limits). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* execl, execlp, execle: the arguments into an array, then the v form.
 * Returns false (E2BIG) when there are more than ARGS_MAX. */
static bool collect(const char *first, va_list *ap, char **argv)
{
    argv[0] = (char *)first;
    for (int n = 0; n + 1 < ARGS_MAX; n++) {
        if (!argv[n])
            return true; /* the NULL that ends the list is in place */
        argv[n + 1] = va_arg(*ap, char *);
    }
    errno = E2BIG;
    return false;
}

GC_EXPORT int execl(const char *path, const char *arg, ...)
{
    char *argv[ARGS_MAX];
    va_list ap;
    va_start(ap, arg);
    bool ok = collect(arg, &ap, argv);
    va_end(ap);
    return ok ? execv(path, argv) : -1;
}

GC_EXPORT int execlp(const char *file, const char *arg, ...)
{
    char *argv[ARGS_MAX];
    va_list ap;
    va_start(ap, arg);
    bool ok = collect(arg, &ap, argv);
    va_end(ap);
    return ok ? execvp(file, argv) : -1;
}

GC_EXPORT int execle(const char *path, const char *arg, ...)
{
    char *argv[ARGS_MAX];
    va_list ap;
    va_start(ap, arg);
    bool ok = collect(arg, &ap, argv);
    char *const *envp = ok ? va_arg(ap, char *const *) : NULL;
    va_end(ap);
    return ok ? execve(path, argv, envp) : -1;
}
