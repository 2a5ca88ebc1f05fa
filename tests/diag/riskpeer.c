/* riskpeer - the peer of riskmix, run without graceclose.  Accepts N
 * connections one after another; the first byte of each says what to do:
 *   R  send a 13-byte greeting, then read until the end (the client's
 *      close with the greeting unread resets: TCPAbortOnClose)
 *   C  send "ok\n" and our FIN, read until the end: nothing at risk
 *   S  send one byte, wait 100 ms, send one more: the client closed in
 *      between, so its kernel answers the late byte with a reset
 * usage: riskpeer N   (prints port=P) */
#include "hx.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void read_to_end(int fd)
{
    char buf[4096];
    for (int i = 0; i < 10000 && recv(fd, buf, sizeof buf, 0) > 0; i++)
        ;
}

int main(int argc, char **argv)
{
    int port, n = argc > 1 ? (int)hx_arg_long(argv[1], "N") : 1;
    int lfd = hx_listen(4, &port);

    hx_deadline(30);
    hx_announce_port(port);
    for (int i = 0; i < n; i++) {
        int fd = hx_accept(lfd), err;
        char cmd = 0;
        if (recv(fd, &cmd, 1, 0) != 1)
            hx_die("recv command");
        if (cmd == 'R') {
            hx_send_all(fd, "220 Welcome\r\n", 13, &err);
        } else if (cmd == 'C') {
            hx_send_all(fd, "ok\n", 3, &err);
            shutdown(fd, SHUT_WR);
        } else if (cmd == 'S') {
            hx_send_all(fd, "a", 1, &err);
            hx_sleep_ms(100);
            hx_send_all(fd, "b", 1, &err);
        }
        read_to_end(fd);
        close(fd);
    }
    printf("done=%d\n", n);
    return 0;
}
