/* rb.c - in-process loopback pairs and bounded reads for tests/robust. */
#include "rb.h"

#include "hx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

void rb_pair(int *c, int *s)
{
    int port, l = hx_listen(4, &port);

    *c = hx_connect(4, port);
    *s = hx_accept(l);
    close(l);
}

size_t rb_read_for(int fd, char *buf, size_t want, long ms, const char **end)
{
    static char err[40];
    double stop = hx_now_ms() + (double)ms;
    size_t got = 0;

    *end = "timeout";
    while (got < want) {
        double left = stop - hx_now_ms();
        if (left <= 0)
            return got;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left + 1) <= 0)
            continue; /* EINTR or time up: the loop re-checks the clock */
        ssize_t n = recv(fd, buf + got, want - got, 0);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            *end = "eof";
        else if (errno == ECONNRESET)
            *end = "reset";
        else {
            snprintf(err, sizeof err, "error:%s", hx_errname(errno));
            *end = err;
        }
        return got;
    }
    *end = "full";
    return got;
}
