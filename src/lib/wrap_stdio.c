/* wrap_stdio.c - fclose() and fdopen(): stdio closes its descriptor through
 * a glibc-internal close that no wrapper sees, so the pipeline runs here,
 * after the stream's buffer is flushed.  fcloseall() is not wrapped: in
 * glibc it flushes every stream but closes no descriptor. */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>

#include "closepath.h"
#include "fdtable.h"
#include "gc.h"
#include "real.h"
#include "stdio_flush.h"
#include "track.h"

#define MAX_STREAMS 64

/* Streams made by fdopen on a tracked socket, for the flush at exit.
 * Slots are claimed and released with atomics; a full list only means a
 * stream is not flushed early (glibc still flushes it at exit). */
static FILE *streams[MAX_STREAMS];
/* Set by the first one: until then the exit flush leaves the list's page
 * untouched (a fault in every process that never made such a stream). */
static GC_HOT int streams_made;

static void remember(FILE *f)
{
    __atomic_store_n(&streams_made, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < MAX_STREAMS; i++) {
        FILE *expected = NULL;
        if (__atomic_compare_exchange_n(&streams[i], &expected, f, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return;
    }
}

static void forget(FILE *f)
{
    for (int i = 0; i < MAX_STREAMS; i++) {
        FILE *expected = f;
        __atomic_compare_exchange_n(&streams[i], &expected, NULL, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED);
    }
}

/* Output in the stream's buffer.  glibc's fields are read directly (what
 * its __fpending does): a program that never used stdio then runs none of
 * stdio's code here, whose pages it may never have mapped (a fault each).
 * Unlocked: a guess, and a stream being written by another thread is
 * skipped below anyway. */
static bool pending(FILE *f)
{
#ifdef __GLIBC__
    return f->_mode > 0 || f->_IO_write_ptr > f->_IO_write_base;
#else
    return __fpending(f) > 0;
#endif
}

/* Never blocks: a stream another thread holds locked is left to glibc. */
static void flush_if_socket(FILE *f)
{
    struct gc_fdent e;
    int fd = f && pending(f) ? fileno(f) : -1;

    if (fd >= 0 && gc_fd_lookup(fd, &e) && ftrylockfile(f) == 0) {
        fflush_unlocked(f);
        funlockfile(f);
    }
}

void gc_flush_socket_streams(void)
{
    int saved_errno = gc_errno_save();

    flush_if_socket(stdout);
    flush_if_socket(stderr);
    for (int i = 0; i < MAX_STREAMS && __atomic_load_n(&streams_made, __ATOMIC_ACQUIRE); i++)
        flush_if_socket(__atomic_load_n(&streams[i], __ATOMIC_ACQUIRE));
    gc_errno_restore(saved_errno);
}

GC_EXPORT int fclose(FILE *stream)
{
    struct gc_fdent e;
    struct gc_close_record rec;
    int fd = stream ? fileno(stream) : -1;

    if (stream)
        forget(stream);
    if (fd < 0 || !gc_fd_lookup(fd, &e))
        return GC_REAL_LATE(fclose)(stream);
    /* The buffered tail must go out before our FIN.  A failed flush
     * empties the buffer, so the real fclose would then report success:
     * keep its result and report it as glibc's fclose would have (-1 with
     * the write's errno, unless the close itself fails and sets its own). */
    int saved_errno = errno, flush_errno = 0;
    if (__fwriting(stream) && fflush(stream) == EOF)
        flush_errno = errno;
    gc_errno_restore(saved_errno);
    gc_close_prepare_on(fd, GC_PATH_FCLOSE, &rec);
    rec.path = GC_PATH_FCLOSE;
    int r = GC_REAL_LATE(fclose)(stream);
    gc_close_finish(&rec, 1);
    if (flush_errno && r == 0) {
        errno = flush_errno;
        r = EOF;
    }
    return r;
}

GC_EXPORT FILE *fdopen(int fd, const char *mode)
{
    struct gc_fdent e;
    FILE *f = GC_REAL_LATE(fdopen)(fd, mode);

    if (f && gc_fd_lookup(fd, &e)) {
        int saved_errno = gc_errno_save();
        if (gc_table_writable())
            remember(f);
        gc_errno_restore(saved_errno);
    }
    return f;
}
