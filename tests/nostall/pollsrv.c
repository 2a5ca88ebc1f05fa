/* pollsrv - a one-thread poll() server (issue 8: a close must never stall
 * the loop).  Listens on loopback port 0 (backlog 1024), prints "port=N".
 * Per connection, line by line: "PING" is answered "PONG\n" at once; any
 * other first line gets "ERR go away\n" and the connection is closed at once,
 * the rest of what the client sent left unread.  Every 100 ms it counts its
 * own descriptors.  After SECS it prints
 *   pings=N refused=N max_fds=N accept_errors=N
 *
 * usage: pollsrv [-t SECS] */
#include "../helpers/hx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 2048

int main(int argc, char **argv)
{
    long secs = 10;
    int opt;
    while ((opt = getopt(argc, argv, "t:")) != -1) {
        if (opt == 't')
            secs = hx_arg_long(optarg, "secs");
        else
            return HX_SETUP_FAILED;
    }
    hx_deadline((unsigned)secs + 10);
    signal(SIGPIPE, SIG_IGN);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1024) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0)
        hx_die("listen");
    hx_announce_port(ntohs(sa.sin_port));
    static struct pollfd p[MAXC];
    static char inbuf[MAXC][64];
    static int inlen[MAXC], named[MAXC];
    int n = 1;
    p[0].fd = lfd;
    p[0].events = POLLIN;
    long pings = 0, refused = 0, accept_errors = 0;
    int max_fds = 0;
    double stop = hx_now_ms() + (double)secs * 1000, next_count = 0;
    while (hx_now_ms() < stop) {
        if (hx_now_ms() >= next_count) {
            int c = hx_count_fds();
            if (c > max_fds)
                max_fds = c;
            next_count = hx_now_ms() + 100;
        }
        if (poll(p, (nfds_t)n, 20) <= 0)
            continue;
        if (p[0].revents & POLLIN) {
            for (int k = 0; k < 64 && n < MAXC; k++) {
                int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
                if (fd < 0) {
                    if (errno != EAGAIN && errno != EWOULDBLOCK)
                        accept_errors++;
                    break;
                }
                p[n].fd = fd;
                p[n].events = POLLIN;
                p[n].revents = 0;
                inlen[n] = 0;
                named[n] = 0;
                n++;
            }
        }
        for (int i = 1; i < n; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int fd = p[i].fd, drop = 0;
            char buf[4096];
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0) {
                drop = 1;
            } else {
                for (ssize_t k = 0; k < r && !drop; k++) {
                    if (buf[k] != '\n') {
                        if (inlen[i] < 63)
                            inbuf[i][inlen[i]++] = buf[k];
                        continue;
                    }
                    inbuf[i][inlen[i]] = '\0';
                    if (strcmp(inbuf[i], "PING") == 0) {
                        (void)!send(fd, "PONG\n", 5, MSG_NOSIGNAL);
                        pings++;
                        named[i] = 1;
                    } else if (!named[i]) {
                        (void)!send(fd, "ERR go away\n", 12, MSG_NOSIGNAL);
                        refused++;
                        drop = 1;
                    }
                    inlen[i] = 0;
                }
            }
            if (drop) {
                close(fd);
                p[i] = p[n - 1];
                inlen[i] = inlen[n - 1];
                named[i] = named[n - 1];
                memcpy(inbuf[i], inbuf[n - 1], sizeof inbuf[i]);
                n--;
                i--;
            }
        }
    }
    printf("pings=%ld refused=%ld max_fds=%d accept_errors=%ld\n", pings, refused, max_fds,
           accept_errors);
    return 0;
}
