/* logstorm - many processes closing TCP connections at the same time, so
 * that graceclose's records from all of them meet in one log file.
 *
 * A fork-per-connection server (the parent accepts, forks, closes its
 * copy; the child reads the request, answers, closes) and K client
 * processes, each making M connections (send, read the answer, close).
 * Every one of the 3*K*M closes is a handled close: one record each.
 * usage: logstorm K M   (prints "served=N" when every process is done) */
#include "hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void client(int port, int m)
{
    char buf[64];
    int err;

    for (int i = 0; i < m; i++) {
        int fd = hx_connect(4, port);
        hx_send_all(fd, "ping\n", 5, &err);
        while (recv(fd, buf, sizeof buf, 0) > 0)
            ;
        close(fd);
    }
    exit(0);
}

static void serve_one(int fd)
{
    char buf[64];
    int err;

    if (recv(fd, buf, sizeof buf, 0) > 0)
        hx_send_all(fd, "pong\n", 5, &err);
    close(fd);
    _exit(0);
}

int main(int argc, char **argv)
{
    int port, k, m, served = 0;

    if (argc != 3)
        return HX_SETUP_FAILED;
    k = (int)hx_arg_long(argv[1], "K");
    m = (int)hx_arg_long(argv[2], "M");
    hx_deadline(60);
    int lfd = hx_listen(4, &port);
    for (int i = 0; i < k; i++)
        if (fork() == 0) {
            close(lfd);
            client(port, m);
        }
    for (; served < k * m; served++) {
        int fd = hx_accept(lfd);
        pid_t pid = fork();
        if (pid == 0) {
            close(lfd);
            serve_one(fd);
        }
        if (pid < 0)
            hx_die("fork");
        close(fd);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
    }
    close(lfd);
    while (wait(NULL) > 0)
        ;
    printf("served=%d\n", served);
    return 0;
}
