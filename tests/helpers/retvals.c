/* retvals - what close() returns, and what it leaves in errno, case by case.
 *
 * errno is set to a sentinel (1234) before every call and printed after it,
 * so a close that succeeds must print "errno=1234".  The output is meant to
 * be compared byte for byte between a run without and a run with the library.
 *
 * usage: retvals */
#include "hx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define SENTINEL 1234

static void check(const char *what, int fd)
{
    errno = SENTINEL;
    int r = close(fd);
    int e = errno;

    printf("%-22s ret=%d errno=%s\n", what, r, e == SENTINEL ? "1234" : hx_errname(e));
}

int main(void)
{
    int p[2], sv[2], port;
    char path[] = "/tmp/gc-retvals-XXXXXX";

    hx_deadline(30);
    check("close(-1)", -1);
    check("close(999999)", 999999);

    int f = mkstemp(path);
    if (f < 0)
        hx_die("mkstemp");
    unlink(path);
    check("file", f);
    check("file-again", f);

    if (pipe(p) < 0)
        hx_die("pipe");
    check("pipe-read", p[0]);
    check("pipe-write", p[1]);
    check("pipe-again", p[1]);

    int u = socket(AF_INET, SOCK_DGRAM, 0);
    if (u < 0)
        hx_die("udp");
    check("udp", u);
    check("udp-again", u);

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        hx_die("socketpair");
    check("unix", sv[0]);
    check("unix-peer", sv[1]);

    int t = socket(AF_INET, SOCK_STREAM, 0);
    if (t < 0)
        hx_die("tcp");
    check("tcp-unconnected", t);

    /* A connected pair with unread input on both ends: the graceful path runs. */
    int lfd = hx_listen(4, &port);
    int c = hx_connect(4, port);
    int a = hx_accept(lfd);
    if (write(c, "to-a", 4) != 4 || write(a, "to-c", 4) != 4)
        hx_die("write");
    hx_sleep_ms(20);
    check("tcp-connected", c);
    check("tcp-connected-again", c);
    check("tcp-accepted", a);
    check("tcp-listen", lfd);
    check("tcp-listen-again", lfd);
    return 0;
}
