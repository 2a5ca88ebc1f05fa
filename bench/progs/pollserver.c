/* pollserver - a one-thread poll() event-loop HTTP server (row 6).
 *
 * Every connection lives in one poll() loop.  When a request head is
 * complete it answers (GET: 200; POST: early 413 without reading the body)
 * and closes.  A close() that blocks stalls every other client: this is the
 * shape that shows it.
 *
 * usage: pollserver SECONDS   (prints "port=N") */
#include "bx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 4000
#define HEAD 8192

struct conn {
    int fd;
    size_t n;
    char head[HEAD];
};

static struct conn c[MAXC];
static struct pollfd p[MAXC + 1];
static int nc;

static void drop(int i)
{
    close(c[i].fd);
    c[i].fd = c[nc - 1].fd;
    c[i].n = c[nc - 1].n;
    memcpy(c[i].head, c[nc - 1].head, c[i].n);
    nc--;
}

int main(int argc, char **argv)
{
    static char reply[8192];
    int port;

    if (argc != 2) {
        fprintf(stderr, "usage: pollserver SECONDS\n");
        return 90;
    }
    alarm((unsigned)bx_arg(argv[1], "seconds"));
    bx_nofile(MAXC + 64);
    int lfd = bx_listen(4096, &port);
    printf("port=%d\n", port);
    fflush(stdout);

    for (;;) {
        p[0].fd = nc < MAXC ? lfd : -1;
        p[0].events = POLLIN;
        for (int i = 0; i < nc; i++) {
            p[i + 1].fd = c[i].fd;
            p[i + 1].events = POLLIN;
            p[i + 1].revents = 0;
        }
        if (poll(p, (nfds_t)nc + 1, 1000) < 0 && errno != EINTR)
            bx_die("poll");
        for (int i = nc - 1; i >= 0; i--) {
            if (!p[i + 1].revents || p[i + 1].fd != c[i].fd)
                continue;
            ssize_t r = recv(c[i].fd, c[i].head + c[i].n, HEAD - 1 - c[i].n, MSG_DONTWAIT);
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (r <= 0) {
                drop(i);
                continue;
            }
            c[i].n += (size_t)r;
            if (bx_head_done(c[i].head, c[i].n) || c[i].n + 1 >= HEAD) {
                int err;
                size_t len = bx_http_reply(strncmp(c[i].head, "POST", 4) == 0, reply,
                                           sizeof reply);
                bx_send_all(c[i].fd, reply, len, &err);
                drop(i);
            }
        }
        if (p[0].revents & POLLIN) {
            int fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                c[nc].fd = fd;
                c[nc].n = 0;
                nc++;
            }
        }
    }
}
