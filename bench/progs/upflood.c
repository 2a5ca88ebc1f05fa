/* upflood - many concurrent uploads that each get an early reply (row 10).
 *
 * Opens P connections to 127.0.0.1:PORT at once; on each it sends a POST
 * head declaring BYTES, then the whole body, and only then reads the reply
 * to its end (like Python's http.client: it reads after it has written).
 * The server answers before reading the body and closes: without a
 * graceful close its socket resets, and the client's send or read fails.
 * One process, non-blocking sockets and poll(), bounded by DEADLINE_S.
 *
 * Prints one line: "conns=P delivered=K reset=R short=S unfinished=U
 * reset_in_send=A reset_in_read=B"
 *   delivered: the whole reply (head + Content-Length) and a clean end;
 *   reset: a send or read failed (ECONNRESET, EPIPE, ...);
 *   short: a clean end before the whole reply;
 *   unfinished: still going at the deadline.
 *
 * usage: upflood PORT P BYTES DEADLINE_S */
#include "bx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXP 1000
#define REPLY_CAP 16384

enum phase { SENDING, READING, DONE };
enum end { E_NONE, E_DELIVERED, E_RESET, E_SHORT };
static long reset_in_send, reset_in_read; /* where the resets showed */

struct conn {
    int fd;
    enum phase phase;
    enum end end;
    char head[256];
    size_t head_len, head_sent;
    long long body_left;
    char reply[REPLY_CAP];
    size_t got;
};

static struct conn c[MAXP];
static char chunk[65536];

/* The reply is whole once the head and Content-Length bytes are in. */
static int reply_whole(const struct conn *k)
{
    const char *e = strstr(k->reply, "\r\n\r\n"), *cl = strstr(k->reply, "Content-Length:");
    return e && cl && k->got == (size_t)(e + 4 - k->reply) + strtoul(cl + 15, NULL, 10);
}

static void end_conn(struct conn *k, enum end how)
{
    k->end = how;
    k->phase = DONE;
    close(k->fd);
}

static void step_send(struct conn *k)
{
    while (k->head_sent < k->head_len) {
        ssize_t n = send(k->fd, k->head + k->head_sent, k->head_len - k->head_sent,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                reset_in_send++;
                end_conn(k, E_RESET);
            }
            return;
        }
        k->head_sent += (size_t)n;
    }
    while (k->body_left > 0) {
        size_t len = k->body_left < (long long)sizeof chunk ? (size_t)k->body_left : sizeof chunk;
        ssize_t n = send(k->fd, chunk, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                reset_in_send++;
                end_conn(k, E_RESET);
            }
            return;
        }
        k->body_left -= n;
    }
    k->phase = READING;
}

static void step_read(struct conn *k)
{
    for (;;) {
        ssize_t n = recv(k->fd, k->reply + k->got, sizeof k->reply - 1 - k->got, MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                reset_in_read++;
                end_conn(k, E_RESET);
            }
            return;
        }
        if (n == 0) {
            end_conn(k, reply_whole(k) ? E_DELIVERED : E_SHORT);
            return;
        }
        k->got += (size_t)n;
        k->reply[k->got] = 0;
        if (k->got + 1 >= sizeof k->reply) { /* more than any reply we expect */
            end_conn(k, E_SHORT);
            return;
        }
    }
}

int main(int argc, char **argv)
{
    static struct pollfd p[MAXP];
    static int who[MAXP];

    if (argc != 5) {
        fprintf(stderr, "usage: upflood PORT P BYTES DEADLINE_S\n");
        return 90;
    }
    int port = (int)bx_arg(argv[1], "port");
    long np = bx_arg(argv[2], "P"), deadline_s = bx_arg(argv[4], "deadline");
    long long bytes = bx_arg(argv[3], "bytes");
    if (np < 1 || np > MAXP) {
        fprintf(stderr, "upflood: P must be 1..%d\n", MAXP);
        return 90;
    }
    alarm((unsigned)deadline_s + 10);
    bx_nofile(np + 64);
    memset(chunk, 'u', sizeof chunk);

    for (long i = 0; i < np; i++) {
        c[i].fd = bx_connect_nb(port);
        if (c[i].fd < 0)
            bx_die("connect");
        c[i].head_len = (size_t)snprintf(c[i].head, sizeof c[i].head,
                                         "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         "Content-Type: application/octet-stream\r\n"
                                         "Content-Length: %lld\r\n\r\n",
                                         bytes);
        c[i].body_left = bytes;
    }

    double end_at = bx_now_ms() + (double)deadline_s * 1000;
    for (;;) {
        nfds_t n = 0;
        for (long i = 0; i < np; i++) {
            if (c[i].phase == DONE)
                continue;
            p[n].fd = c[i].fd;
            p[n].events = c[i].phase == SENDING ? POLLOUT : POLLIN;
            p[n].revents = 0;
            who[n++] = (int)i;
        }
        double left = end_at - bx_now_ms();
        if (n == 0 || left <= 0)
            break;
        if (poll(p, n, left > 200 ? 200 : (int)left + 1) < 0 && errno != EINTR)
            bx_die("poll");
        for (nfds_t j = 0; j < n; j++) {
            struct conn *k = &c[who[j]];
            if (!p[j].revents)
                continue;
            if (k->phase == SENDING)
                step_send(k);
            if (k->phase == READING)
                step_read(k);
        }
    }

    long got[4] = {0}, unfinished = 0;
    for (long i = 0; i < np; i++) {
        if (c[i].phase == DONE)
            got[c[i].end]++;
        else
            unfinished++;
    }
    printf("conns=%ld delivered=%ld reset=%ld short=%ld unfinished=%ld reset_in_send=%ld "
           "reset_in_read=%ld\n",
           np, got[E_DELIVERED], got[E_RESET], got[E_SHORT], unfinished, reset_in_send,
           reset_in_read);
    return 0;
}
