/* peer - the other end of the connections the close benchmarks make.
 *
 * Listens on 127.0.0.1 (port 0, printed as "port=N"), accepts without limit
 * and serves every connection in one poll() loop, as MODE says:
 *   close    close at once (the measured side then sees a finished peer)
 *   sit      read and throw away; after EOF wait LINGER ms, then close
 *   trickle  like sit, and writes 100 bytes every 200 ms, also after our EOF
 *            (a peer that never goes quiet)
 *   flood    never reads; writes as fast as it can until an error (an
 *            uploader that is still sending)
 * GREET bytes are written first on every connection (-g).  One line per
 * finished connection on stdout: "end=eof|reset|error bytes=N", so a row can
 * tell a graceful end from a reset and count what arrived.
 *
 * usage: peer MODE [-g GREET] [-l LINGER_MS] [-t SECONDS] */
#include "bx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 8192

enum { M_CLOSE, M_SIT, M_TRICKLE, M_FLOOD };

struct conn {
    int fd;
    long long in;      /* bytes received */
    double eof_at;     /* ms when EOF was seen, 0 before */
    double next_write; /* trickle: next write time */
};

static struct conn c[MAXC];
static struct pollfd p[MAXC + 1];
static int nc;
static char buf[65536];

static void finish(int i, const char *how)
{
    printf("end=%s bytes=%lld\n", how, c[i].in);
    close(c[i].fd);
    c[i] = c[--nc];
}

int main(int argc, char **argv)
{
    int mode, greet = 0, port;
    long linger = 0, secs = 600;

    if (argc < 2) {
        fprintf(stderr, "usage: peer close|sit|trickle|flood [-g N] [-l MS] [-t S]\n");
        return 90;
    }
    if (!strcmp(argv[1], "close"))
        mode = M_CLOSE;
    else if (!strcmp(argv[1], "sit"))
        mode = M_SIT;
    else if (!strcmp(argv[1], "trickle"))
        mode = M_TRICKLE;
    else if (!strcmp(argv[1], "flood"))
        mode = M_FLOOD;
    else {
        fprintf(stderr, "peer: unknown mode %s\n", argv[1]);
        return 90;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-g"))
            greet = (int)bx_arg(argv[i + 1], "greet");
        else if (!strcmp(argv[i], "-l"))
            linger = bx_arg(argv[i + 1], "linger");
        else if (!strcmp(argv[i], "-t"))
            secs = bx_arg(argv[i + 1], "seconds");
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    bx_nofile(MAXC + 64);
    alarm((unsigned)secs);
    memset(buf, 'p', sizeof buf);
    int lfd = bx_listen(4096, &port);
    printf("port=%d\n", port);

    for (;;) {
        double now = bx_now_ms();
        int timeout = 50;

        p[0].fd = nc < MAXC ? lfd : -1;
        p[0].events = POLLIN;
        for (int i = 0; i < nc; i++) {
            p[i + 1].fd = c[i].fd;
            p[i + 1].events = mode == M_FLOOD ? POLLOUT : POLLIN;
            p[i + 1].revents = 0;
        }
        if (mode == M_TRICKLE || linger)
            timeout = 20;
        if (poll(p, (nfds_t)nc + 1, timeout) < 0 && errno != EINTR)
            bx_die("poll");
        now = bx_now_ms();

        /* Walk backwards: finish() moves the last connection into slot i. */
        for (int i = nc - 1; i >= 0; i--) {
            short re = p[i + 1].revents;
            if (p[i + 1].fd != c[i].fd)
                continue; /* slot refilled by finish() in this round */
            /* flood never reads: an uploader that only writes */
            if (mode != M_FLOOD && (re & (POLLIN | POLLERR | POLLHUP))) {
                ssize_t n = recv(c[i].fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n > 0) {
                    c[i].in += n;
                } else if (n == 0 && !c[i].eof_at) {
                    c[i].eof_at = now;
                } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                    finish(i, errno == ECONNRESET ? "reset" : "error");
                    continue;
                }
            }
            if (c[i].eof_at && now - c[i].eof_at >= (double)linger) {
                finish(i, "eof");
                continue;
            }
            /* writers go on after our EOF: a peer that is still sending */
            ssize_t w = 0;
            if (mode == M_FLOOD && (re & (POLLOUT | POLLERR | POLLHUP)))
                w = send(c[i].fd, buf, sizeof buf, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (mode == M_TRICKLE && now >= c[i].next_write) {
                w = send(c[i].fd, buf, 100, MSG_DONTWAIT | MSG_NOSIGNAL);
                c[i].next_write = now + 200;
            }
            if (w < 0 && errno != EAGAIN && errno != EINTR)
                finish(i, errno == ECONNRESET || errno == EPIPE ? "reset" : "error");
        }

        if (p[0].revents & POLLIN) {
            int fd = accept(lfd, NULL, NULL);
            if (fd < 0)
                continue;
            if (mode == M_CLOSE) {
                close(fd);
                continue;
            }
            if (greet) {
                int err;
                bx_send_all(fd, buf, (size_t)greet, &err);
            }
            c[nc].fd = fd;
            c[nc].in = 0;
            c[nc].eof_at = 0;
            c[nc].next_write = now + 200;
            nc++;
        }
    }
}
