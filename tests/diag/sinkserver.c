/* sinkserver - accepts connections one after another and ends each the
 * way MODE says, so that every outcome of a graceful close can be made to
 * happen on purpose (the client is upload_client or nc-like):
 *   early    read 1 byte, answer "413\n", close (the upload continues)
 *   quiet    answer "hi\n", close while the peer stays connected and silent
 *   clean    answer "hi\n", read to the peer's end, close
 *   rst      answer "hi\n", read to the peer's end, then reset (SO_LINGER
 *            {1,0} and close): the peer's linger meets a reset
 * usage: sinkserver MODE [N]   (prints port=P) */
#include "hx.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int port, n = argc > 2 ? (int)hx_arg_long(argv[2], "N") : 1, err;
    const char *mode = argc > 1 ? argv[1] : "clean";
    char buf[4096];

    hx_deadline(60);
    int lfd = hx_listen(4, &port);
    hx_announce_port(port);
    for (int i = 0; i < n; i++) {
        int fd = hx_accept(lfd);
        if (strcmp(mode, "early") == 0) {
            if (recv(fd, buf, 1, 0) != 1)
                hx_die("recv");
            hx_send_all(fd, "413\n", 4, &err);
        } else if (strcmp(mode, "quiet") == 0) {
            hx_send_all(fd, "hi\n", 3, &err);
        } else if (strcmp(mode, "clean") == 0) {
            hx_send_all(fd, "hi\n", 3, &err);
            while (recv(fd, buf, sizeof buf, 0) > 0)
                ;
        } else if (strcmp(mode, "rst") == 0) {
            struct linger lg = {1, 0};
            hx_send_all(fd, "hi\n", 3, &err);
            while (recv(fd, buf, sizeof buf, 0) > 0)
                ;
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        close(fd);
    }
    close(lfd);
    printf("served=%d\n", n);
    return 0;
}
