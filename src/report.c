/* report.c - diagnostics to stderr, unless stderr is a socket. */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES 512
#define PIECE_MAX_BYTES 120

static int stderr_is_socket(void)
{
    struct stat st;
    return fstat(2, &st) == 0 && S_ISSOCK(st.st_mode);
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
    ssize_t w = write(2, line, used);
    (void)w;
    errno = saved_errno;
}
