/* memproc - an idle process, and N idle forked children, for row 8.
 *
 * First it does what makes a library start tracking: a TCP listener and one
 * connected pair on loopback (kept open).  Then it forks N children that
 * pause.  Prints "pid=P" for itself and each child, then "ready", and
 * pauses; the row reads /proc/PID/smaps_rollup and then kills it (SIGTERM:
 * the children are killed and reaped).  Everything dies after 120 s anyway.
 *
 * usage: memproc N */
#include "bx.h"

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

int main(int argc, char **argv)
{
    int port;

    if (argc != 2) {
        fprintf(stderr, "usage: memproc N\n");
        return 90;
    }
    long n = bx_arg(argv[1], "N");
    pid_t *kids = calloc((size_t)n + 1, sizeof *kids);
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    alarm(120);
    int lfd = bx_listen(16, &port);
    int a = bx_connect(port), b = accept(lfd, NULL, NULL);
    if (a < 0 || b < 0 || !kids)
        bx_die("setup");
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("pid=%d\n", (int)getpid());
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            alarm(120);
            for (;;)
                pause();
        }
        if (pid < 0)
            break;
        kids[i] = pid;
        printf("pid=%d\n", (int)pid);
    }
    printf("ready\n");
    while (!stop)
        pause();
    for (long i = 0; i < n; i++)
        if (kids[i] > 0)
            kill(kids[i], SIGKILL);
    while (wait(NULL) > 0)
        ;
    return 0;
}
