/* burst - many at-stake closes at once (issue 8: the helper's channel must
 * take a burst, not turn it into resets).
 *
 *   burst peer K: listens on loopback port 0, prints "port=N", accepts K
 *     connections, greets each with 6 bytes ("hello\n"), reads each to its
 *     end and prints "end=eof|reset bytes=N" per connection; bounded (15 s).
 *   burst close PORT K BYTES: opens K connections, waits until each has the
 *     greeting queued (never read: a plain close resets), sends BYTES on
 *     each, then closes all K in a row and prints "closed=K".
 *   burst exec PORT K BYTES: the same, but the K connections are opened,
 *     moved to fds 400..K+399 (K <= 300), then the program execs itself; the new image
 *     (inheriting them, as an inetd-style service inherits its socket)
 *     sends and closes.  More sockets than the library notes at load in
 *     one pass.
 *
 * usage: burst peer K | burst close|exec PORT K BYTES */
#include "../helpers/hx.h"

#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXK 500
#define INHERITED_BASE 400 /* where "exec" puts the sockets (K <= 300): above the ones it opened */

static int peer(long k)
{
    static struct pollfd p[MAXK];
    static long got[MAXK];
    static char buf[65536];
    int port, lfd = hx_listen(4, &port);
    long ended = 0, accepted = 0;

    printf("port=%d\n", port);
    fflush(stdout);
    double stop = hx_now_ms() + 15000;
    while (ended < k && hx_now_ms() < stop) {
        if (accepted < k) {
            int fd = accept(lfd, NULL, NULL);
            if (fd < 0)
                hx_die("accept");
            if (write(fd, "hello\n", 6) != 6)
                hx_die("greet");
            p[accepted].fd = fd;
            p[accepted++].events = POLLIN;
            continue;
        }
        if (poll(p, (nfds_t)k, 100) < 0 && errno != EINTR)
            hx_die("poll");
        for (long i = 0; i < k; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            ssize_t n = read(p[i].fd, buf, sizeof buf);
            if (n > 0) {
                got[i] += n;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            printf("end=%s bytes=%ld\n", n == 0 ? "eof" : "reset", got[i]);
            close(p[i].fd);
            p[i].fd = -1;
            ended++;
        }
    }
    printf("ended=%ld of=%ld\n", ended, k);
    return 0;
}

/* Waits (bounded) until fd has the peer's greeting queued. */
static void await_greeting(int fd)
{
    int q = 0;
    for (int t = 0; t < 400 && (ioctl(fd, FIONREAD, &q) < 0 || q < 6); t++)
        hx_sleep_ms(5);
}

static int closer(int port, long k, long bytes, bool then_exec)
{
    static int fd[MAXK];
    char *data = malloc((size_t)bytes);
    int err;

    if (!data)
        hx_die("malloc");
    memset(data, 'b', (size_t)bytes);
    if (port > 0) {
        for (long i = 0; i < k; i++)
            fd[i] = hx_connect(4, port);
        for (long i = 0; i < k; i++)
            await_greeting(fd[i]);
        if (then_exec) {
            for (long i = 0; i < k; i++) {
                if (dup2(fd[i], INHERITED_BASE + (int)i) < 0)
                    hx_die("dup2");
                if (fd[i] != INHERITED_BASE + i)
                    close(fd[i]);
            }
            char kk[24], bb[24];
            snprintf(kk, sizeof kk, "%ld", k);
            snprintf(bb, sizeof bb, "%ld", bytes);
            execl("/proc/self/exe", "burst", "inherited", kk, bb, (char *)NULL);
            hx_die("exec");
        }
    } else {
        for (long i = 0; i < k; i++)
            fd[i] = INHERITED_BASE + (int)i; /* inherited across exec */
    }
    for (long i = 0; i < k; i++) {
        hx_send_all(fd[i], data, (size_t)bytes, &err);
        if (err)
            hx_die("send");
    }
    for (long i = 0; i < k; i++)
        close(fd[i]);
    printf("closed=%ld\n", k);
    return 0;
}

int main(int argc, char **argv)
{
    hx_deadline(30);
    if (argc == 3 && !strcmp(argv[1], "peer")) {
        long k = hx_arg_long(argv[2], "K");
        return k > 0 && k <= MAXK ? peer(k) : HX_SETUP_FAILED;
    }
    if (argc == 5 && (!strcmp(argv[1], "close") || !strcmp(argv[1], "exec"))) {
        long k = hx_arg_long(argv[3], "K");
        if (k <= 0 || k > MAXK)
            return HX_SETUP_FAILED;
        if (!strcmp(argv[1], "exec") && k > INHERITED_BASE - 100)
            return HX_SETUP_FAILED;
        return closer((int)hx_arg_long(argv[2], "port"), k, hx_arg_long(argv[4], "bytes"),
                      !strcmp(argv[1], "exec"));
    }
    if (argc == 4 && !strcmp(argv[1], "inherited")) {
        long k = hx_arg_long(argv[2], "K");
        if (k <= 0 || k > MAXK)
            return HX_SETUP_FAILED;
        return closer(0, k, hx_arg_long(argv[3], "bytes"), false);
    }
    fprintf(stderr, "usage: burst peer K | burst close|exec PORT K BYTES\n");
    return HX_SETUP_FAILED;
}
