/* bgprocs - N idle background processes with 20-100 descriptors each.
 *
 * Rows 4 and 5 measure with a busy process table, as on a real host.  Each
 * child opens a random 20-100 descriptors (pipes, /dev/null, unconnected TCP
 * sockets, AF_UNIX pairs), reports ready and pauses.  Bounds: every child
 * dies with its parent (PR_SET_PDEATHSIG) and after LIFETIME seconds
 * (alarm); the parent kills and reaps them all on SIGTERM/SIGINT or at its
 * own deadline.  Prints "ready N" once every child is set up.
 *
 * usage: bgprocs N LIFETIME_S */
#include "bx.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

static void child(int ready_fd, unsigned lifetime, unsigned seed)
{
    int want = 20 + (int)(rand_r(&seed) % 81), have = 0;

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    alarm(lifetime);
    for (int tries = 0; have < want && tries < 1000; tries++) {
        int v[2];
        switch (tries % 4) {
        case 0:
            if (pipe(v) == 0)
                have += 2;
            break;
        case 1:
            if (open("/dev/null", O_RDONLY) >= 0)
                have++;
            break;
        case 2:
            if (socket(AF_INET, SOCK_STREAM, 0) >= 0)
                have++;
            break;
        default:
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, v) == 0)
                have += 2;
            break;
        }
    }
    if (write(ready_fd, "r", 1) != 1)
        _exit(1);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bgprocs N LIFETIME_S\n");
        return 90;
    }
    int n = (int)bx_arg(argv[1], "N");
    unsigned lifetime = (unsigned)bx_arg(argv[2], "lifetime");
    pid_t *kids = calloc((size_t)n + 1, sizeof *kids);
    int ready[2], nk = 0;
    struct sigaction sa;

    if (!kids || pipe(ready) < 0)
        bx_die("setup");
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    alarm(lifetime);
    setvbuf(stdout, NULL, _IOLBF, 0);

    for (int i = 0; i < n && !stop; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(ready[0]);
            child(ready[1], lifetime, (unsigned)i * 2654435761u + 7u);
        }
        if (pid < 0)
            break;
        kids[nk++] = pid;
    }
    close(ready[1]);
    int got = 0;
    char b[256];
    while (got < nk && !stop) {
        ssize_t r = read(ready[0], b, sizeof b);
        if (r <= 0)
            break;
        got += (int)r;
    }
    printf("ready %d\n", got);
    while (!stop)
        pause();
    for (int i = 0; i < nk; i++)
        kill(kids[i], SIGKILL);
    for (int i = 0; i < nk; i++)
        waitpid(kids[i], NULL, 0);
    return 0;
}
