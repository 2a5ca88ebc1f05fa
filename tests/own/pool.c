/* pool - a prefork pool: the parent listens and forks WORKERS workers before
 * any connection arrives; each worker accepts CONNS connections in turn,
 * reads the request header (one read of at most 1 KiB, never the body),
 * answers "413" with BODY bytes of body and closes.  The parent holds only
 * the listener and waits for the workers.  Each worker prints
 * "worker=I served=N" and the parent "workers=W".
 *
 * usage: pool [-w WORKERS] [-n CONNS] [-s BODY] */
#include "../helpers/hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long workers = 2, conns = 2, body = 4096;
    int opt, port;

    while ((opt = getopt(argc, argv, "w:n:s:")) != -1) {
        switch (opt) {
        case 'w': workers = hx_arg_long(optarg, "workers"); break;
        case 'n': conns = hx_arg_long(optarg, "conns"); break;
        case 's': body = hx_arg_long(optarg, "body"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind != argc || workers < 1 || workers > 16 || conns < 1 || conns > 16) {
        fprintf(stderr, "usage: pool [-w WORKERS] [-n CONNS] [-s BODY]\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(30);
    int lfd = hx_listen(4, &port);
    for (long w = 0; w < workers; w++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            hx_die("fork");
        if (pid > 0)
            continue;
        long served = 0;
        char head[256], buf[1024];
        int hl = snprintf(head, sizeof head,
                          "HTTP/1.1 413 Payload Too Large\r\nContent-Length: %ld\r\n"
                          "Connection: close\r\n\r\n", body);
        char *out = malloc((size_t)hl + (size_t)body);
        if (!out)
            hx_die("malloc");
        memcpy(out, head, (size_t)hl);
        memset(out + hl, 'r', (size_t)body);
        for (long i = 0; i < conns; i++) {
            int fd = hx_accept(lfd);
            int err;
            (void)!read(fd, buf, sizeof buf);
            hx_send_all(fd, out, (size_t)hl + (size_t)body, &err);
            if (!err)
                served++;
            close(fd);
        }
        printf("worker=%ld served=%ld\n", w, served);
        fflush(stdout);
        exit(0);
    }
    hx_announce_port(port);
    close(lfd);
    for (long w = 0; w < workers; w++)
        wait(NULL);
    printf("workers=%ld\n", workers);
    return 0;
}
