/* httpd1 - a one-thread accept loop HTTP server (rows 5, 7 and 9).
 *
 * Accepts one connection at a time, reads the request head, answers
 * (GET: 200 with 1 KiB; POST: an early 413 without reading the body) and
 * closes.  The plainest server shape: its close() is on the only thread.
 *
 * usage: httpd1 SECONDS   (prints "port=N"; exits after SECONDS) */
#include "bx.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static char head[8192], reply[8192];
    int port;

    if (argc != 2) {
        fprintf(stderr, "usage: httpd1 SECONDS\n");
        return 90;
    }
    alarm((unsigned)bx_arg(argv[1], "seconds"));
    int lfd = bx_listen(1024, &port);
    printf("port=%d\n", port);
    fflush(stdout);

    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        /* a client that never sends must not stop the loop for long */
        struct timeval tv = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        long n = bx_read_head(fd, head, sizeof head);
        if (n > 0) {
            int err;
            size_t len = bx_http_reply(strncmp(head, "POST", 4) == 0, reply, sizeof reply);
            bx_send_all(fd, reply, len, &err);
        }
        close(fd);
    }
}
