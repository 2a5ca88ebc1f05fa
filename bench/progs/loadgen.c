/* loadgen - open-loop load for two event-loop servers at once (row 6).
 *
 * Two servers (PORT0 without the library, PORT1 with it) get the same load
 * at the same moments, so machine noise falls on both alike.  For SECONDS,
 * each server gets GOOD good clients per second (GET, read the reply to the
 * end, close) and one misbehaving client per second (POST declaring a 1 MB
 * body, sends 64 KiB of it, reads what comes back and stays open, never
 * closing, until the end).  Starts follow a fixed schedule whether or not
 * earlier requests finished, so a stalled server shows as latency.
 * After SECONDS it waits up to DRAIN seconds for good clients still running;
 * one that never finished counts with the time it waited.
 * Prints the good latencies ("ms0=T" / "ms1=T"), then per server:
 *   srv=S good=N failed=F unfinished=U bad=B bad_full=K bad_reset=R bad_none=Z
 * (bad_none: misbehaving clients that got no byte of a reply at all).
 *
 * usage: loadgen PORT0 PORT1 SECONDS GOOD DRAIN */
#include "bx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXC 6000
#define BAD_SEND 65536
#define RBUF 16384

enum { GOOD, BAD };

struct cl {
    int fd, kind, done, srv;
    double t0;
    size_t sent, got;   /* bytes sent of the request, bytes of reply received */
    char r[RBUF];       /* the start of the reply, to parse its length */
    int reset;
};

static struct cl *c;
static struct pollfd p[MAXC];
static int nc;
static char req_good[] = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
static char req_bad[] = "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Length: 1048576\r\n\r\n";
static char body[BAD_SEND];

/* A reply is full when the received bytes are the head plus Content-Length. */
static int reply_full(const struct cl *x)
{
    size_t have = x->got < RBUF ? x->got : RBUF;
    const char *e = memmem(x->r, have, "\r\n\r\n", 4);
    const char *cl = memmem(x->r, have, "Content-Length:", 15);
    if (!e || !cl)
        return 0;
    return x->got == (size_t)(e + 4 - x->r) + strtoul(cl + 15, NULL, 10);
}

static int start(int port, int srv, int kind, double now)
{
    if (nc >= MAXC)
        return -1;
    int fd = bx_connect_nb(port);
    if (fd < 0)
        return -1;
    memset(&c[nc], 0, sizeof c[nc]);
    c[nc].fd = fd;
    c[nc].srv = srv;
    c[nc].kind = kind;
    c[nc].t0 = now;
    nc++;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: loadgen PORT0 PORT1 SECONDS GOOD DRAIN\n");
        return 90;
    }
    int port[2] = {(int)bx_arg(argv[1], "port0"), (int)bx_arg(argv[2], "port1")};
    long secs = bx_arg(argv[3], "seconds"), rate = bx_arg(argv[4], "good"),
         drain = bx_arg(argv[5], "drain");
    long good[2] = {0}, failed[2] = {0}, unfinished[2] = {0}, bad[2] = {0}, bad_full[2] = {0},
         bad_reset[2] = {0}, bad_none[2] = {0};
    static double lat[2][MAXC];
    long nlat[2] = {0};

    c = calloc(MAXC, sizeof *c);
    if (!c)
        bx_die("calloc");
    bx_nofile(MAXC + 64);
    alarm((unsigned)(secs + drain + 30));
    memset(body, 'b', sizeof body);
    double t0 = bx_now_ms(), end = t0 + secs * 1000.0, stop = end + drain * 1000.0;
    long ngood = 0, nbad = 0;

    for (;;) {
        double now = bx_now_ms();
        /* the fixed schedule: good client i at i/rate s, bad j at j+0.5 s */
        while (now < end && t0 + ngood * 1000.0 / rate <= now) {
            for (int s = 0; s < 2; s++) /* alternate which server goes first */
                if (start(port[(s + ngood) % 2], (s + ngood) % 2, GOOD, t0 + ngood * 1000.0 / rate) < 0)
                    failed[(s + ngood) % 2]++;
            ngood++;
        }
        while (now < end && t0 + nbad * 1000.0 + 500 <= now) {
            for (int s = 0; s < 2; s++)
                if (start(port[(s + nbad) % 2], (s + nbad) % 2, BAD, now) == 0)
                    bad[(s + nbad) % 2]++;
            nbad++;
        }
        int open_good = 0;
        for (int i = 0; i < nc; i++)
            if (c[i].kind == GOOD && !c[i].done)
                open_good++;
        if (now >= stop || (now >= end && open_good == 0))
            break;

        for (int i = 0; i < nc; i++) {
            const char *req = c[i].kind == GOOD ? req_good : req_bad;
            size_t rlen = strlen(req), want = rlen + (c[i].kind == BAD ? BAD_SEND : 0);
            p[i].fd = c[i].done ? -1 : c[i].fd;
            p[i].events = POLLIN | (c[i].sent < want ? POLLOUT : 0);
            p[i].revents = 0;
        }
        /* sleep until the next scheduled start at most, so starts are on time */
        double next = t0 + ngood * 1000.0 / rate, nb = t0 + nbad * 1000.0 + 500;
        double wait = (nb < next ? nb : next) - bx_now_ms();
        if (wait > 5 || now >= end)
            wait = 5;
        if (wait < 0)
            wait = 0;
        struct timespec ts = {0, (long)(wait * 1e6)};
        ppoll(p, (nfds_t)nc, &ts, NULL);
        now = bx_now_ms();

        for (int i = 0; i < nc; i++) {
            struct cl *x = &c[i];
            if (x->done || !p[i].revents)
                continue;
            const char *req = x->kind == GOOD ? req_good : req_bad;
            size_t rlen = strlen(req), want = rlen + (x->kind == BAD ? BAD_SEND : 0);
            if ((p[i].revents & POLLOUT) && x->sent < want) {
                const char *src = x->sent < rlen ? req + x->sent : body + (x->sent - rlen);
                size_t len = x->sent < rlen ? rlen - x->sent : want - x->sent;
                ssize_t n = send(x->fd, src, len, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n > 0)
                    x->sent += (size_t)n;
            }
            if (p[i].revents & (POLLIN | POLLERR | POLLHUP)) {
                char b[65536];
                ssize_t n = recv(x->fd, b, sizeof b, MSG_DONTWAIT);
                if (n > 0) {
                    if (x->got < RBUF)
                        memcpy(x->r + x->got, b, (size_t)n < RBUF - x->got ? (size_t)n : RBUF - x->got);
                    x->got += (size_t)n;
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    int ok = n == 0 && reply_full(x);
                    x->done = 1;
                    if (n < 0)
                        x->reset = 1;
                    if (x->kind == GOOD) {
                        if (ok) {
                            good[x->srv]++;
                            if (nlat[x->srv] < MAXC)
                                lat[x->srv][nlat[x->srv]++] = now - x->t0;
                        } else {
                            failed[x->srv]++;
                        }
                        close(x->fd); /* good clients close after reading */
                    }
                    /* bad clients stay open until the end */
                }
            }
        }
        /* forget finished good clients so the table stays small */
        for (int i = nc - 1; i >= 0; i--)
            if (c[i].done && c[i].kind == GOOD)
                c[i] = c[--nc];
    }
    double now = bx_now_ms();
    for (int i = 0; i < nc; i++) {
        int v = c[i].srv;
        if (c[i].kind == GOOD && !c[i].done) {
            unfinished[v]++;
            if (nlat[v] < MAXC)
                lat[v][nlat[v]++] = now - c[i].t0; /* censored: at least this long */
        } else if (c[i].kind == BAD) {
            if (reply_full(&c[i]))
                bad_full[v]++;
            if (c[i].reset)
                bad_reset[v]++;
            if (c[i].got == 0)
                bad_none[v]++;
        }
    }
    for (int v = 0; v < 2; v++)
        for (long i = 0; i < nlat[v]; i++)
            printf("ms%d=%.3f\n", v, lat[v][i]);
    for (int v = 0; v < 2; v++)
        printf("srv=%d good=%ld failed=%ld unfinished=%ld bad=%ld bad_full=%ld bad_reset=%ld "
               "bad_none=%ld\n",
               v, good[v], failed[v], unfinished[v], bad[v], bad_full[v], bad_reset[v], bad_none[v]);
    return 0;
}
