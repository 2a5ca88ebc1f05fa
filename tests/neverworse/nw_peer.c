/* nw_peer - the far end of a "never worse" scenario, in its own process
 * (always run without the library).  Prints "port=N" first, accepts one
 * connection, then:
 *   close:  closes it at once without reading (a peer that is gone);
 *   idle:   holds it without reading until its deadline (a peer that never
 *           reads, so the other side's send buffer fills);
 *   count:  reads to the end and prints "peer bytes=N end=eof|reset|...".
 * usage: nw_peer [-t SECS] [-6] close|idle|count */
#include "hx.h"
#include "rb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    if (strcmp(mode, "count") != 0)
        return HX_SETUP_FAILED;
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
