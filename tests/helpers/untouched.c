/* untouched - closes one kind of descriptor graceclose must leave alone.
 *
 * Runs in one process and never calls recv/recvfrom/shutdown itself, so a
 * trace of those calls (strace -e trace=shutdown,recvfrom) shows only what
 * a preloaded library did.  Prints one line per close of the subject:
 *     NAME close=RET errno=NAME|unchanged close_ms=T
 *
 * usage: untouched CASE
 *   udp          connected UDP socket with a datagram queued unread
 *   pipe         both ends of a pipe with data in it
 *   file         a regular file just written
 *   unix         a connected AF_UNIX stream pair with data unread
 *   unconnected  a TCP socket never connected
 *   listen       a listening socket with a connection waiting in its queue,
 *                then the client of that connection, now reset ("reset")
 *   tcp          control: a connected TCP socket with unread input (the
 *                case graceclose exists for; its close must show up) */
#include "hx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SENTINEL 1234

static void timed_close(const char *name, int fd)
{
    errno = SENTINEL;
    double t0 = hx_now_ms();
    int r = close(fd);
    int e = errno;
    double ms = hx_now_ms() - t0;

    printf("%s close=%d errno=%s close_ms=%.1f\n", name, r,
           e == SENTINEL ? "unchanged" : hx_errname(e), ms);
    fflush(stdout);
}

static void case_udp(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        hx_die("udp setup");
    if (write(fd, "datagram", 8) != 8) /* to itself: stays queued, unread */
        hx_die("udp write");
    timed_close("udp", fd);
}

static void case_pipe(void)
{
    int p[2];

    if (pipe(p) < 0 || write(p[1], "data", 4) != 4)
        hx_die("pipe");
    timed_close("pipe-write", p[1]);
    timed_close("pipe-read", p[0]);
}

static void case_file(void)
{
    char path[] = "/tmp/gc-untouched-XXXXXX";
    int fd = mkstemp(path);

    if (fd < 0 || write(fd, "data", 4) != 4)
        hx_die("file");
    unlink(path);
    timed_close("file", fd);
}

static void case_unix(void)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || write(sv[1], "data", 4) != 4)
        hx_die("socketpair");
    timed_close("unix", sv[0]);
    timed_close("unix-peer", sv[1]);
}

static void case_unconnected(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        hx_die("socket");
    timed_close("unconnected", fd);
}

static void case_listen(void)
{
    int port, lfd = hx_listen(4, &port);
    int c = hx_connect(4, port); /* completes in the backlog, never accepted */

    if (write(c, "hello", 5) != 5)
        hx_die("write");
    hx_sleep_ms(50);
    timed_close("listen", lfd);
    /* The queued connection is reset by the listener's close: c is no longer connected. */
    struct pollfd p = {c, POLLIN, 0};
    poll(&p, 1, 1000);
    timed_close("reset", c);
}

static void case_tcp(void)
{
    int port, lfd = hx_listen(4, &port);
    int c = hx_connect(4, port);
    int a = hx_accept(lfd);

    if (write(c, "unread", 6) != 6)
        hx_die("write");
    hx_sleep_ms(50);
    timed_close("tcp", a);
    timed_close("tcp-peer", c);
    timed_close("tcp-listen", lfd);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*run)(void);
    } cases[] = {
        {"udp", case_udp},       {"pipe", case_pipe},
        {"file", case_file},     {"unix", case_unix},
        {"unconnected", case_unconnected}, {"listen", case_listen},
        {"tcp", case_tcp},
    };

    hx_deadline(30);
    for (size_t i = 0; argc == 2 && i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            cases[i].run();
            return 0;
        }
    }
    fprintf(stderr, "usage: untouched udp|pipe|file|unix|unconnected|listen|tcp\n");
    return HX_SETUP_FAILED;
}
