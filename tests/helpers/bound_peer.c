/* bound_peer - a peer that never lets a graceful close finish by itself.
 *
 *   flood: keeps sending CHUNK bytes every 20 ms and never closes, so a drain
 *          never sees end of stream nor a quiet moment;
 *   stall: never reads and never closes, so the closer's data is never
 *          acknowledged beyond what fits in the buffers (zero window).
 * Prints "port=N"; lives until its deadline or until the connection fails,
 * then prints "peer_end=...".
 *
 * usage: bound_peer [-t SECS] [-c CHUNK] flood|stall */
#include "hx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long secs = 10, chunk = 4096;
    int opt, port;
    static char buf[65536];

    while ((opt = getopt(argc, argv, "t:c:")) != -1) {
        switch (opt) {
        case 't': secs = hx_arg_long(optarg, "deadline"); break;
        case 'c': chunk = hx_arg_long(optarg, "chunk"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 1 != argc || chunk <= 0 || chunk > (long)sizeof buf) {
        fprintf(stderr, "usage: bound_peer [-t SECS] [-c CHUNK] flood|stall\n");
        return HX_SETUP_FAILED;
    }
    int flood = strcmp(argv[optind], "flood") == 0;
    hx_deadline((unsigned)secs + 5);
    int lfd = hx_listen(4, &port);
    hx_announce_port(port);
    int fd = hx_accept(lfd);
    double stop = hx_now_ms() + (double)secs * 1000.0;
    unsigned long long total = 0;
    const char *end = "deadline";

    memset(buf, 'f', sizeof buf);
    while (hx_now_ms() < stop) {
        if (flood) {
            ssize_t n = send(fd, buf, (size_t)chunk, MSG_NOSIGNAL);
            if (n < 0 && errno != EINTR) {
                end = hx_errname(errno);
                break;
            }
            total += n > 0 ? (unsigned long long)n : 0;
        }
        hx_sleep_ms(20);
    }
    printf("peer_end=%s flooded=%llu\n", end, total);
    return 0;
}
