/* upload_server - answers an upload before reading its body, then closes.
 *
 * Like a web server refusing a too-large POST: accepts one connection, reads
 * at most HEADER bytes (default 64, 0 = nothing), writes a 413 reply and
 * close()s with the body still arriving.  Prints "port=N", then the reply it
 * sent (escaped) and how its close went.
 *
 * usage: upload_server [-6] [-r HEADER] */
#include "hx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char reply[] =
    "HTTP/1.1 413 Payload Too Large\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 32\r\n"
    "Connection: close\r\n"
    "\r\n"
    "upload refused: body is too big\n";

int main(int argc, char **argv)
{
    int family = 4, opt, port;
    long header = 64;
    char buf[4096];

    while ((opt = getopt(argc, argv, "6r:")) != -1) {
        switch (opt) {
        case '6': family = 6; break;
        case 'r': header = hx_arg_long(optarg, "header"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (header > (long)sizeof buf)
        header = sizeof buf;
    hx_deadline(30);
    int lfd = hx_listen(family, &port);
    hx_announce_port(port);
    int fd = hx_accept(lfd);

    if (header > 0 && read(fd, buf, (size_t)header) < 0)
        hx_die("read header");
    if (write(fd, reply, sizeof reply - 1) != (ssize_t)(sizeof reply - 1))
        hx_die("write reply");
    double t0 = hx_now_ms();
    int r = close(fd), e = errno;
    double ms = hx_now_ms() - t0;

    hx_print_escaped("reply", reply, sizeof reply - 1);
    printf("\nclose=%d errno=%s close_ms=%.1f\n", r, r < 0 ? hx_errname(e) : "0", ms);
    return 0;
}
