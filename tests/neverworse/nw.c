/* nw.c - transcript printing and small socket helpers of the "never worse"
 * scenario programs. */
#include "nw.h"

#include "hx.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void nw_mark(void)
{
    errno = NW_ERRNO_MARK;
}

void nw_report(const char *name, long ret)
{
    int e = errno;

    printf("%s=%ld errno=%s\n", name, ret, hx_errname(e));
    fflush(stdout);
    errno = e;
}

int nw_connect_arg(int family, const char *port)
{
    return hx_connect(family, (int)hx_arg_long(port, "port"));
}

void nw_ignore_sigpipe(void)
{
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        hx_die("signal");
}

void nw_send_bytes(int fd, size_t n)
{
    char *buf = malloc(n ? n : 1);
    int err;

    if (!buf)
        hx_die("malloc");
    memset(buf, 'x', n);
    size_t sent = hx_send_all(fd, buf, n, &err);
    free(buf);
    errno = err ? err : NW_ERRNO_MARK;
    nw_report("send", (long)sent);
}

void nw_close(const char *name, int fd)
{
    nw_mark();
    nw_report(name, close(fd));
}

void nw_await_input(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    double stop = hx_now_ms() + 3000.0;
    int r;

    do {
        double left = stop - hx_now_ms();
        nw_mark();
        r = poll(&p, 1, left > 0 ? (int)left + 1 : 0);
    } while (r < 0 && errno == EINTR && hx_now_ms() < stop);
    if (r >= 0)
        nw_mark();
    nw_report("input_queued", r > 0 && (p.revents & POLLIN));
}
