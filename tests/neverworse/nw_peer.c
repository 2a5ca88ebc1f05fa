/* nw_peer - the far end of a "never worse" scenario, in its own process
 * (always run without the library).  Prints "port=N" first, accepts one
 * connection, then:
 *   close:  closes it at once without reading (a peer that is gone);
 *   idle:   holds it without reading until its deadline (a peer that never
 *           reads, so the other side's send buffer fills);
 *   count:  reads to the end and prints "peer bytes=N end=eof|reset|...";
 *   greet:  sends "220 Welcome\r\n" (which the program never reads: its
 *           plain close resets), waits 200 ms, then reads as count does;
 *   quiet:  sends the greeting, then reads until 500 ms pass without
 *           anything arriving: "peer bytes=N end=none" when the connection
 *           is still open then (no FIN, no reset), else end=eof|reset;
 *   upload: sends 1 KiB every ms (non-blocking, at most 4 MiB) while it
 *           reads what comes back, until a send or a read fails:
 *           "peer reply=N end=reset|epipe|done|timeout|error:E" (the first
 *           error; reply bytes read to the end of the queue), and on stderr
 *           "ms_after_reply=T": from the last reply byte (or the start) to
 *           that error;
 *   hello:  reads 100000 bytes, then looks for 300 ms whether the stream
 *           has ended (eof_before_send=yes|no), then sends "hello" and reads
 *           to the end: "peer bytes=N eof_before_send=.. sent=N errno=E end=..".
 * usage: nw_peer [-t SECS] [-6] close|idle|count|greet|quiet|upload|hello */
#include "hx.h"
#include "rb.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char greeting[] = "220 Welcome\r\n";

static void greet(int fd)
{
    if (send(fd, greeting, sizeof greeting - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof greeting - 1))
        hx_die("send greeting");
}

static const char *err_kind(int e)
{
    static char buf[40];

    if (e == ECONNRESET)
        return "reset";
    if (e == EPIPE)
        return "epipe";
    snprintf(buf, sizeof buf, "error:%s", hx_errname(e));
    return buf;
}

/* quiet: reads until 500 ms of silence, the end of stream or an error. */
static int quiet(int fd, long secs)
{
    static char buf[65536];
    size_t total = 0;
    const char *end = "timeout";
    double stop = hx_now_ms() + (double)secs * 1000.0;

    greet(fd);
    while (hx_now_ms() < stop) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, 500);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            end = "none";
            break;
        }
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            total += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        end = n == 0 ? "eof" : err_kind(errno);
        break;
    }
    printf("peer bytes=%zu end=%s\n", total, end);
    return 0;
}

/* upload: see the top of the file. */
static int upload(int fd, long secs)
{
    static char chunk[1024], buf[65536];
    size_t sent = 0, reply = 0, cap = 4u << 20;
    int read_open = 1;
    const char *end = "done";
    double start = hx_now_ms(), stop = start + (double)secs * 1000.0;
    double next = start, t_reply = start;

    memset(chunk, 'u', sizeof chunk);
    if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
        hx_die("fcntl");
    while (sent < cap) {
        double now = hx_now_ms();
        if (now > stop) {
            end = "timeout";
            break;
        }
        int wait = next > now ? (int)(next - now) + 1 : 0;
        struct pollfd p = {fd, read_open ? POLLIN : 0, 0};
        if (poll(&p, 1, wait) > 0 && read_open && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                reply += (size_t)n;
                t_reply = hx_now_ms();
            } else if (n == 0) {
                read_open = 0;
            } else if (errno != EAGAIN && errno != EINTR) {
                end = err_kind(errno);
                break;
            }
        }
        if (hx_now_ms() >= next) {
            next += 1.0;
            ssize_t n = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                end = err_kind(errno);
                break;
            }
        }
    }
    double t_end = hx_now_ms();
    /* What is still queued: the reply may have come just before the error. */
    for (int i = 0; read_open && i < 1000; i++) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0)
            break;
        reply += (size_t)n;
    }
    printf("peer reply=%zu end=%s\n", reply, end);
    fprintf(stderr, "ms_after_reply=%.1f\n", t_end - t_reply);
    return 0;
}

/* hello: see the top of the file. */
static int hello(int fd, long secs)
{
    static char buf[65536];
    const char *end, *eof_before = "no";
    size_t total = rb_read_for(fd, buf, 100000, 3000, &end);
    struct pollfd p = {fd, POLLIN, 0};

    if (poll(&p, 1, 300) > 0) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0)
            eof_before = "yes";
        else if (n < 0)
            eof_before = err_kind(errno);
        else
            eof_before = "no:data";
    }
    errno = 0;
    ssize_t s = send(fd, "hello", 5, MSG_NOSIGNAL);
    int send_errno = s < 0 ? errno : 0;
    for (int i = 0; i < 64; i++) { /* bounded: the program ends well before */
        total += rb_read_for(fd, buf, sizeof buf, secs * 1000, &end);
        if (strcmp(end, "full") != 0)
            break;
    }
    printf("peer bytes=%zu eof_before_send=%s sent=%zd errno=%s end=%s\n", total, eof_before, s,
           hx_errname(send_errno), end);
    return 0;
}

int main(int argc, char **argv)
{
    long secs = 10;
    int opt, port, family = 4;

    while ((opt = getopt(argc, argv, "t:6")) != -1) {
        if (opt == 't')
            secs = hx_arg_long(optarg, "deadline");
        else if (opt == '6')
            family = 6;
        else
            return HX_SETUP_FAILED;
    }
    if (optind >= argc)
        return HX_SETUP_FAILED;
    const char *mode = argv[optind];
    hx_deadline((unsigned)secs + 2);

    int l = hx_listen(family, &port);
    hx_announce_port(port);
    int fd = hx_accept(l);

    if (strcmp(mode, "close") == 0)
        return close(fd) == 0 ? 0 : HX_SETUP_FAILED;
    if (strcmp(mode, "idle") == 0) {
        hx_sleep_ms(secs * 1000);
        return 0;
    }
    if (strcmp(mode, "quiet") == 0)
        return quiet(fd, secs);
    if (strcmp(mode, "upload") == 0)
        return upload(fd, secs);
    if (strcmp(mode, "hello") == 0)
        return hello(fd, secs);
    if (strcmp(mode, "greet") == 0) {
        greet(fd);
        hx_sleep_ms(200);
    } else if (strcmp(mode, "count") != 0) {
        return HX_SETUP_FAILED;
    }
    size_t cap = 1u << 20, total = 0;
    char *buf = malloc(cap);
    const char *end = "timeout";
    if (!buf)
        hx_die("malloc");
    for (int i = 0; i < 4096; i++) { /* bounded: 4 GiB or the deadline */
        size_t got = rb_read_for(fd, buf, cap, secs * 1000, &end);
        total += got;
        if (strcmp(end, "full") != 0)
            break;
    }
    printf("peer bytes=%zu end=%s\n", total, end);
    free(buf);
    return 0;
}
