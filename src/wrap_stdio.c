/* wrap_stdio.c - fclose(), fcloseall(), fdopen(): stdio closes its
 * descriptor through a glibc-internal close that no wrapper sees, so the
 * pipeline runs here, after the stream's buffer is flushed. */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>

#include "closepath.h"
#include "fdtable.h"
#include "gc.h"
#include "real.h"

#define REAL(field) (gc_real.field ? gc_real.field : (gc_real_bind(), gc_real.field))

GC_EXPORT int fclose(FILE *stream)
{
    struct gc_fdent e;
    struct gc_close_record rec;
    int fd = stream ? fileno(stream) : -1;

    if (fd < 0 || !gc_fd_lookup(fd, &e))
        return REAL(fclose)(stream);
    /* The buffered tail must go out before our FIN. */
    int saved_errno = errno;
    if (__fwriting(stream))
        fflush(stream);
    errno = saved_errno;
    gc_close_prepare(fd, 0, &rec);
    int r = REAL(fclose)(stream);
    gc_close_finish(&rec, 1);
    return r;
}

static void add_stream_fd(int *fds, int *n, FILE *f)
{
    struct gc_fdent e;
    int fd = f ? fileno(f) : -1;
    if (fd >= 0 && *n < GC_GROUP_MAX && gc_fd_lookup(fd, &e))
        fds[(*n)++] = fd;
}

/* Every stream closes: the standard three and the ones fdopen made. */
GC_EXPORT int fcloseall(void)
{
    int fds[GC_GROUP_MAX], n = 0;
    struct gc_close_record recs[GC_GROUP_MAX];
    int hw = gc_fd_highwater();
    int saved_errno = errno;

    fflush(NULL);
    errno = saved_errno;
    add_stream_fd(fds, &n, stdin);
    add_stream_fd(fds, &n, stdout);
    add_stream_fd(fds, &n, stderr);
    for (int fd = 0; fd <= hw && n < GC_GROUP_MAX; fd++) {
        struct gc_fdent e;
        if (gc_fd_lookup(fd, &e) && (e.flags & GC_FD_STREAM) && fd > 2)
            fds[n++] = fd;
    }
    gc_close_group_prepare(fds, n, false, 0, recs);
    int r = REAL(fcloseall)();
    gc_close_finish(recs, n);
    return r;
}

GC_EXPORT FILE *fdopen(int fd, const char *mode)
{
    FILE *f = REAL(fdopen)(fd, mode);
    if (f)
        gc_fd_set_flag(fd, GC_FD_STREAM);
    return f;
}
