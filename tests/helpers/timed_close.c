/* timed_close - connects, sends, and measures how long its close() takes.
 *
 *   small: sends 100 bytes (blocking), waits 100 ms so the peer's data is
 *          queued unread, then closes;
 *   fill:  switches to O_NONBLOCK and sends until the buffers are full
 *          (EAGAIN: the peer does not read), then closes.
 * Prints "queued=N" then "close=RET errno=NAME|unchanged close_ms=T", the time
 * measured on CLOCK_MONOTONIC around the close() call alone.
 *
 * usage: timed_close small|fill PORT */
#include "hx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SENTINEL 1234

int main(int argc, char **argv)
{
    static char buf[65536];
    unsigned long long queued = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: timed_close small|fill PORT\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(60);
    int fd = hx_connect(4, (int)hx_arg_long(argv[2], "port"));
    memset(buf, 'c', sizeof buf);

    if (strcmp(argv[1], "fill") == 0) {
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
            hx_die("O_NONBLOCK");
        /* Bounded: loopback buffers hold a few MB at most. */
        int full = 0;
        for (int i = 0; i < 100000 && full < 3; i++) {
            ssize_t n = send(fd, buf, sizeof buf, MSG_NOSIGNAL);
            if (n > 0) {
                queued += (unsigned long long)n;
                full = 0;
            } else if (n < 0 && errno == EAGAIN) {
                full++; /* let the window settle, then top up again */
                hx_sleep_ms(20);
            } else if (!(n < 0 && errno == EINTR)) {
                hx_die("send");
            }
        }
    } else {
        int err;
        queued = hx_send_all(fd, buf, 100, &err);
        if (err)
            hx_die("send");
        hx_sleep_ms(100);
    }
    printf("queued=%llu\n", queued);
    fflush(stdout);

    errno = SENTINEL;
    double t0 = hx_now_ms();
    int r = close(fd);
    int e = errno;
    double ms = hx_now_ms() - t0;
    printf("close=%d errno=%s close_ms=%.1f\n", r, e == SENTINEL ? "unchanged" : hx_errname(e),
           ms);
    return 0;
}
