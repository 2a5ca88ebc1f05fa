/* forkserver - a fork-per-connection server that refuses uploads early.
 *
 * Listens on loopback port 0 and prints "port=N".  For each of CONNS
 * connections: the parent accepts, forks and closes its copy at once; the
 * child reads at most HEADER bytes of the request (never the body), writes
 * an HTTP 413 reply with BODY bytes of body, prints "wrote=N send=ok|ENAME"
 * and ends the connection the way MODE says:
 *   close           close(fd), then exit(0)
 *   exit            exit(0) with the socket open
 *   return          return from main with the socket open
 *   shutdown_exit   shutdown(fd, SHUT_WR), then _exit(0)
 *   _exit           _exit(0) with the socket open
 * The parent waits for its children and prints "served=N".
 *
 * usage: forkserver [-6] [-n CONNS] [-e MODE] [-s BODY] [-r HEADER] */
#include "../helpers/hx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int answer(int fd, long header, long body)
{
    char buf[4096], head[256];
    int err = 0;

    if (header > 0) /* one read: part of the request, never the body */
        (void)!read(fd, buf, (size_t)(header < (long)sizeof buf ? header : (long)sizeof buf));
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 413 Payload Too Large\r\nContent-Length: %ld\r\n"
                      "Connection: close\r\n\r\n", body);
    char *out = malloc((size_t)hl + (size_t)body);
    if (!out)
        hx_die("malloc");
    memcpy(out, head, (size_t)hl);
    memset(out + hl, 'r', (size_t)body);
    size_t n = hx_send_all(fd, out, (size_t)hl + (size_t)body, &err);
    free(out);
    printf("wrote=%zu send=%s\n", n, err ? hx_errname(err) : "ok");
    fflush(stdout);
    return err ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *mode = "close";
    int family = 4, opt, port;
    long conns = 1, body = 4096, header = 0;

    while ((opt = getopt(argc, argv, "6n:e:s:r:")) != -1) {
        switch (opt) {
        case '6': family = 6; break;
        case 'n': conns = hx_arg_long(optarg, "conns"); break;
        case 'e': mode = optarg; break;
        case 's': body = hx_arg_long(optarg, "body"); break;
        case 'r': header = hx_arg_long(optarg, "header"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind != argc || conns < 1 || conns > 100) {
        fprintf(stderr, "usage: forkserver [-6] [-n CONNS] [-e MODE] [-s BODY] [-r HEADER]\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(30);
    int lfd = hx_listen(family, &port);
    hx_announce_port(port);

    for (long i = 0; i < conns; i++) {
        int fd = hx_accept(lfd);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            hx_die("fork");
        if (pid == 0) {
            close(lfd);
            int status = answer(fd, header, body);
            if (strcmp(mode, "close") == 0) {
                close(fd);
                exit(status);
            } else if (strcmp(mode, "exit") == 0) {
                exit(status);
            } else if (strcmp(mode, "return") == 0) {
                return status;
            } else if (strcmp(mode, "shutdown_exit") == 0) {
                shutdown(fd, SHUT_WR);
                _exit(status);
            } else if (strcmp(mode, "_exit") == 0) {
                _exit(status);
            }
            fprintf(stderr, "unknown mode %s\n", mode);
            _exit(HX_SETUP_FAILED);
        }
        close(fd); /* the parent's copy: the child still holds the connection */
    }
    long served = 0;
    for (long i = 0; i < conns; i++) {
        int st;
        if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) != HX_SETUP_FAILED)
            served++;
    }
    printf("served=%ld\n", served);
    return 0;
}
