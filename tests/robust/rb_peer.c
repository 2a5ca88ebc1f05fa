/* rb_peer - the far end for the robustness scenarios, in its own process.
 *
 *   idle:          sends "hello\n", then never reads and never closes (until
 *                  its deadline), so a graceful close of the other side has
 *                  unread input to drain and must end by its idle time;
 *   finsend BYTES: sends BYTES bytes and its FIN at once, then reads the
 *                  reply to the end and prints "peer_got=N end=eof|reset|...".
 * Prints "port=N" first.  usage: rb_peer [-t SECS] idle | finsend BYTES */
#include "hx.h"
#include "rb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long secs = 10;
    int opt, port;

    while ((opt = getopt(argc, argv, "t:")) != -1) {
        if (opt != 't')
            return HX_SETUP_FAILED;
        secs = hx_arg_long(optarg, "deadline");
    }
    if (optind >= argc)
        return HX_SETUP_FAILED;
    const char *mode = argv[optind];
    hx_deadline((unsigned)secs + 2);

    int l = hx_listen(4, &port);
    hx_announce_port(port);
    int fd = hx_accept(l);

    if (strcmp(mode, "idle") == 0) {
        if (write(fd, "hello\n", 6) != 6)
            hx_die("write");
        hx_sleep_ms(secs * 1000); /* hold the connection, read nothing */
        return 0;
    }
    if (strcmp(mode, "finsend") != 0 || optind + 1 >= argc)
        return HX_SETUP_FAILED;
    long bytes = hx_arg_long(argv[optind + 1], "bytes");
    char *buf = malloc((size_t)bytes + 1 + (1u << 20));
    int err;
    if (!buf)
        hx_die("malloc");
    memset(buf, 'q', (size_t)bytes);
    if (hx_send_all(fd, buf, (size_t)bytes, &err) != (size_t)bytes || shutdown(fd, SHUT_WR) < 0)
        hx_die("send");
    const char *end;
    size_t got = rb_read_for(fd, buf, 1u << 20, secs * 1000, &end);
    printf("peer_got=%zu end=%s\n", got, end);
    free(buf);
    return 0;
}
