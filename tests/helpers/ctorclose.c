/* ctorclose - a shared library whose constructor closes sockets.
 *
 * Linked into ctor_prog, it runs before main and possibly before a preloaded
 * library's own constructor.  It closes -1, an unconnected TCP socket and,
 * when GC_CTOR_PORT names a receiver on 127.0.0.1, a connection on which it
 * wrote GC_CTOR_BYTES (default 1000000) without reading the greeting.
 * Each close prints "ctor NAME ret=R errno=E" (errno 1234 = untouched). */
#include "hx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SENTINEL 1234

/* Referenced by ctor_prog so the linker keeps this library (--as-needed). */
int ctorclose_checks;

static void check(const char *name, int fd)
{
    errno = SENTINEL;
    int r = close(fd);
    int e = errno;

    ctorclose_checks++;
    printf("ctor %s ret=%d errno=%s\n", name, r, e == SENTINEL ? "1234" : hx_errname(e));
    fflush(stdout);
}

__attribute__((constructor)) static void ctor_close(void)
{
    const char *port = getenv("GC_CTOR_PORT");
    if (port && !*port)
        port = NULL;
    const char *bytes_text = getenv("GC_CTOR_BYTES");

    check("close(-1)", -1);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    if (t < 0)
        hx_die("socket");
    check("unconnected", t);
    if (!port)
        return;

    size_t bytes = bytes_text ? (size_t)hx_arg_long(bytes_text, "GC_CTOR_BYTES") : 1000000;
    int fd = hx_connect(4, (int)hx_arg_long(port, "GC_CTOR_PORT"));
    char *buf = malloc(bytes);
    int err;
    if (!buf)
        hx_die("malloc");
    memset(buf, 'x', bytes);
    hx_sleep_ms(100);
    size_t sent = hx_send_all(fd, buf, bytes, &err);
    printf("ctor sent=%zu\n", sent);
    free(buf);
    check("connected", fd);
}
