/* receiver - the peer "B" of the seed scenario.
 *
 * Listens on loopback port 0 and prints "port=N"; accepts one connection,
 * writes a greeting (which the sender never reads: that unread input is what
 * makes a plain close() reset), then counts bytes until end of stream, an
 * error or its deadline, and prints
 *     bytes=N end=eof|reset|timeout|error:ENAME [data="..."]
 *
 * usage: receiver [-6] [-n] [-g TEXT] [-s] [-t SECS] [-d MS]
 *   -6 use ::1   -n no greeting   -g TEXT greeting (default "220 Welcome\r\n")
 *   -s also print what arrived (first 4 KiB, escaped)   -t deadline (default 20)
 *   -d MS wait before reading (default 200: the sender has written and closed
 *         by then, as when the receiver is slower than the sender) */
#include "hx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SHOW_MAX 4096

int main(int argc, char **argv)
{
    const char *greeting = "220 Welcome\r\n";
    int family = 4, show = 0, opt, port;
    long secs = 20, delay_ms = 200;
    static char buf[65536], shown[SHOW_MAX];
    size_t nshown = 0;
    unsigned long long total = 0;
    const char *end = "timeout";

    while ((opt = getopt(argc, argv, "6ng:st:d:")) != -1) {
        switch (opt) {
        case '6': family = 6; break;
        case 'n': greeting = NULL; break;
        case 'g': greeting = optarg; break;
        case 's': show = 1; break;
        case 't': secs = hx_arg_long(optarg, "deadline"); break;
        case 'd': delay_ms = hx_arg_long(optarg, "delay"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    hx_deadline((unsigned)secs + 5); /* backstop; the poll below ends first */

    int lfd = hx_listen(family, &port);
    hx_announce_port(port);
    int fd = hx_accept(lfd);
    double stop = hx_now_ms() + (double)secs * 1000.0;

    if (greeting && write(fd, greeting, strlen(greeting)) < 0)
        hx_die("write greeting");
    hx_sleep_ms(delay_ms);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        double left = stop - hx_now_ms();
        if (left <= 0)
            break;
        int r = poll(&p, 1, (int)left + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue; /* loop re-checks the deadline */
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            size_t room = SHOW_MAX - nshown, take = (size_t)n < room ? (size_t)n : room;
            memcpy(shown + nshown, buf, take);
            nshown += take;
            total += (unsigned long long)n;
            continue;
        }
        if (n == 0)
            end = "eof";
        else if (errno == EINTR)
            continue;
        else if (errno == ECONNRESET)
            end = "reset";
        else {
            static char e[40];
            snprintf(e, sizeof e, "error:%s", hx_errname(errno));
            end = e;
        }
        break;
    }
    printf("bytes=%llu end=%s", total, end);
    if (show) {
        putchar(' ');
        hx_print_escaped("data", shown, nshown);
    }
    putchar('\n');
    return 0;
}
