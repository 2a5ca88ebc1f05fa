/* report.c - diagnostics to stderr, unless stderr is a socket. */
#include "report.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES 1024
#define PIECE_MAX_BYTES 400 /* a config message (path + reason) fits whole */

static int stderr_is_socket(void)
{
    struct stat st;
    return fstat(2, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* stderr may be a pipe nobody reads any more: a plain write would kill the
 * host program with SIGPIPE.  Block it for the write, and take back a
 * SIGPIPE the write raised (but not one that was pending already). */
static void write_no_sigpipe(const char *buf, size_t len)
{
    sigset_t pipe_only, old, pending;
    bool was_pending;

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    ssize_t w = write(2, buf, len);
    if (w < 0 && errno == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_only, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void gc_report(const char *first, ...)
{
    char line[LINE_MAX_BYTES];
    size_t used = 0;
    int saved_errno = errno;
    va_list ap;

    if (stderr_is_socket()) {
        errno = saved_errno;
        return;
    }
    memcpy(line, "graceclose: ", 12);
    used = 12;
    va_start(ap, first);
    for (const char *p = first; p; p = va_arg(ap, const char *)) {
        size_t n = strlen(p);
        int cut = n > PIECE_MAX_BYTES;
        if (cut)
            n = PIECE_MAX_BYTES;
        if (used + n + 5 > sizeof line)
            break;
        memcpy(line + used, p, n);
        used += n;
        if (cut) {
            memcpy(line + used, "...", 3);
            used += 3;
        }
    }
    va_end(ap);
    line[used++] = '\n';
    write_no_sigpipe(line, used);
    errno = saved_errno;
}
