/* fclose_ret - what fclose() returns when its final flush fails.
 *   gone PORT:  the peer has closed and reset us (SIGPIPE ignored); the
 *               buffered tail cannot be written: fclose = -1 EPIPE;
 *   full PORT:  O_NONBLOCK socket whose send buffer the peer never empties;
 *               the buffered tail cannot be written: fclose = -1 EAGAIN;
 *   ok PORT:    the flush succeeds: fclose = 0, errno untouched.
 * Prints one "call=RET errno=E" line per call (see nw.h). */
#include "hx.h"
#include "nw.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Waits (at most 3 s) for the peer's end of stream. */
static void await_eof(int fd)
{
    char c;
    struct pollfd p = {fd, POLLIN, 0};

    if (poll(&p, 1, 3000) != 1 || read(fd, &c, 1) != 0)
        hx_die("peer end of stream");
}

/* Fills the send buffer of the O_NONBLOCK socket until EAGAIN (bounded). */
static void fill(int fd)
{
    static char chunk[65536];

    for (int i = 0; i < 4096; i++) /* at most 256 MiB */
        if (write(fd, chunk, sizeof chunk) < 0) {
            if (errno == EAGAIN)
                return;
            hx_die("fill");
        }
    hx_die("send buffer never filled");
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return HX_SETUP_FAILED;
    hx_deadline(15);
    nw_ignore_sigpipe();
    int fd = nw_connect_arg(4, argv[2]);

    if (strcmp(argv[1], "gone") == 0) {
        await_eof(fd);
        /* Our first write draws the peer's reset. */
        if (write(fd, "x", 1) != 1)
            hx_die("first write");
        hx_sleep_ms(100);
    } else if (strcmp(argv[1], "full") == 0) {
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
            hx_die("O_NONBLOCK");
        fill(fd);
    } else if (strcmp(argv[1], "ok") != 0) {
        return HX_SETUP_FAILED;
    }
    FILE *f = fdopen(fd, "w");
    if (!f)
        hx_die("fdopen");
    nw_mark();
    int n = fputs("buffered tail\n", f);
    nw_report("fputs", n >= 0 ? 0 : n);
    nw_mark();
    nw_report("fclose", fclose(f));
    /* The descriptor is closed exactly once: it is free again. */
    nw_mark();
    nw_report("fcntl_after", fcntl(fd, F_GETFD));
    return 0;
}
