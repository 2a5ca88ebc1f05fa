/* riskmix - closes one connection to riskpeer for each letter of PLAN:
 *   R  send R, wait until the greeting is here, unread; close: a reset for certain
 *   C  send C, read the reply to the peer's end, close: nothing at risk
 *   S  send S, read the one byte, close while the peer still sends
 *   D  like R, but through a dup: the first close is not the last holder
 *   E  send C, read to the peer's end, shut our side down and wait until
 *      the connection is over (TCP state CLOSE), then close a dup of it
 *      (not the last holder) and then it
 * then waits 300 ms so that late data meets the closed sockets.
 * usage: riskmix PORT PLAN */
#include "hx.h"

#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

/* The peer serves one connection at a time: wait until its 13-byte
 * greeting is really queued here (unread), not a fixed time. */
static void wait_greeting(int fd)
{
    char buf[16];
    if (recv(fd, buf, 13, MSG_PEEK | MSG_WAITALL) != 13)
        hx_die("greeting");
}

/* Waits (bounded) until both ends have finished: our FIN acknowledged
 * after the peer's, the socket still open here. */
static void wait_closed(int fd)
{
    for (int i = 0; i < 200; i++) {
        struct tcp_info ti;
        socklen_t len = sizeof ti;
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == TCP_CLOSE)
            return;
        hx_sleep_ms(10);
    }
    hx_die("connection not closed");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: riskmix PORT PLAN\n");
        return HX_SETUP_FAILED;
    }
    int port = (int)hx_arg_long(argv[1], "port");

    hx_deadline(30);
    for (const char *p = argv[2]; *p; p++) {
        int fd = hx_connect(4, port), err;
        char c = *p == 'D' ? 'R' : *p == 'E' ? 'C' : *p, buf[64];
        hx_send_all(fd, &c, 1, &err);
        switch (*p) {
        case 'R':
            wait_greeting(fd);
            close(fd);
            break;
        case 'D': {
            wait_greeting(fd);
            int copy = dup(fd);
            close(copy);
            close(fd);
            break;
        }
        case 'C':
            while (recv(fd, buf, sizeof buf, 0) > 0)
                ;
            close(fd);
            break;
        case 'E': {
            while (recv(fd, buf, sizeof buf, 0) > 0)
                ;
            shutdown(fd, SHUT_WR);
            wait_closed(fd);
            int copy = dup(fd);
            close(copy);
            close(fd);
            break;
        }
        case 'S':
            if (recv(fd, buf, 1, 0) != 1)
                hx_die("recv");
            close(fd);
            break;
        default:
            fprintf(stderr, "riskmix: unknown step '%c'\n", *p);
            return HX_SETUP_FAILED;
        }
    }
    hx_sleep_ms(300);
    printf("plan=%s\n", argv[2]);
    return 0;
}
