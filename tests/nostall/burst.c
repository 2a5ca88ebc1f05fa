/* burst - many at-stake closes at once (issue 8: the helper's channel must
 * take a burst, not turn it into resets).
 *
 *   burst peer K: listens on loopback port 0, prints "port=N", accepts K
 *     connections, greets each with 6 bytes ("hello\n"), reads each to its
 *     end and prints "end=eof|reset bytes=N" per connection; bounded (15 s).
 *   burst close PORT K BYTES: opens K connections, waits until each has the
 *     greeting queued (never read: a plain close resets), sends BYTES on
 *     each, then closes all K in a row and prints "closed=K".
 *
 * usage: burst peer K | burst close PORT K BYTES */
#include "../helpers/hx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXK 500

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

static int closer(int port, long k, long bytes)
{
    static int fd[MAXK];
    char *data = malloc((size_t)bytes);
    int err;

    if (!data)
        hx_die("malloc");
    memset(data, 'b', (size_t)bytes);
    for (long i = 0; i < k; i++)
        fd[i] = hx_connect(4, port);
    for (long i = 0; i < k; i++) {
        int q = 0;
        for (int t = 0; t < 400 && (ioctl(fd[i], FIONREAD, &q) < 0 || q < 6); t++)
            hx_sleep_ms(5);
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
    if (argc == 5 && !strcmp(argv[1], "close")) {
        long k = hx_arg_long(argv[3], "K");
        if (k <= 0 || k > MAXK)
            return HX_SETUP_FAILED;
        return closer((int)hx_arg_long(argv[2], "port"), k, hx_arg_long(argv[4], "bytes"));
    }
    fprintf(stderr, "usage: burst peer K | burst close PORT K BYTES\n");
    return HX_SETUP_FAILED;
}
