/* family - closes of sockets the library must leave alone or handle as
 * any TCP socket, whatever the address family:
 *   unix-stream      socketpair(AF_UNIX, SOCK_STREAM): close one end with
 *                    input unread, then read the other end to its end;
 *   unix-dgram       socketpair(AF_UNIX, SOCK_DGRAM): send, close, receive;
 *   udp              a connected UDP socket on 127.0.0.1: send 3
 *                    datagrams, close, receive them at the other socket;
 *   tcp6 PORT        TCP to [::1]:PORT: send 200000 bytes, close;
 *   mapped PORT      an AF_INET6 socket to ::ffff:127.0.0.1:PORT (an IPv4
 *                    peer): send 200000 bytes, close. */
#include "hx.h"
#include "nw.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Reads what is left at fd (non-blocking) and reports bytes and the end. */
static void drain_report(int fd)
{
    char buf[4096];
    long total = 0;

    for (int i = 0; i < 1000; i++) { /* bounded */
        nw_mark();
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) {
            nw_report("read_total", total);
            nw_report("read_end", n);
            return;
        }
        total += n;
    }
    nw_report("read_total", total);
}

static void pair(int type)
{
    int sv[2];

    if (socketpair(AF_UNIX, type, 0, sv) < 0)
        hx_die("socketpair");
    nw_mark();
    nw_report("send_a", send(sv[0], "hello", 5, MSG_NOSIGNAL));
    nw_mark();
    nw_report("send_b", send(sv[1], "unread", 6, MSG_NOSIGNAL));
    nw_close("close_a", sv[0]);
    drain_report(sv[1]);
    nw_close("close_b", sv[1]);
}

static void udp(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);

    if (r < 0 || s < 0 || bind(r, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(r, (struct sockaddr *)&a, &len) < 0 ||
        connect(s, (struct sockaddr *)&a, sizeof a) < 0)
        hx_die("udp setup");
    for (int i = 0; i < 3; i++) {
        nw_mark();
        nw_report("send", send(s, "datagram", 8, 0));
    }
    nw_close("close", s);
    hx_sleep_ms(50);
    drain_report(r);
    nw_close("close_receiver", r);
}

static void tcp(int family, const char *port)
{
    int fd;

    if (family == 6) {
        fd = nw_connect_arg(6, port);
    } else { /* v4-mapped */
        struct sockaddr_in6 a = {.sin6_family = AF_INET6,
                                 .sin6_port = htons((uint16_t)hx_arg_long(port, "port"))};
        if (inet_pton(AF_INET6, "::ffff:127.0.0.1", &a.sin6_addr) != 1)
            hx_die("inet_pton");
        fd = socket(AF_INET6, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
            hx_die("connect v4-mapped");
    }
    nw_send_bytes(fd, 200000);
    nw_close("close", fd);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return HX_SETUP_FAILED;
    hx_deadline(15);
    if (strcmp(argv[1], "unix-stream") == 0)
        pair(SOCK_STREAM);
    else if (strcmp(argv[1], "unix-dgram") == 0)
        pair(SOCK_DGRAM);
    else if (strcmp(argv[1], "udp") == 0)
        udp();
    else if (strcmp(argv[1], "tcp6") == 0 && argc == 3)
        tcp(6, argv[2]);
    else if (strcmp(argv[1], "mapped") == 0 && argc == 3)
        tcp(4, argv[2]);
    else
        return HX_SETUP_FAILED;
    return 0;
}
