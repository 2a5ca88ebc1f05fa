/* exitmany - how long a process with N sockets at risk takes to exit (row 9).
 *
 * A child connects N times to the peer (peer trickle: it keeps sending, so
 * every socket has unread input and a peer that never goes quiet), waits
 * until each has input queued, tells the parent and returns from main
 * (exit: the library's exit handling runs).  The parent prints the time
 * from that moment to the child's end as "exit_ms=T" and "ready=K" (how
 * many sockets had input queued).
 *
 * usage: exitmany PORT N */
#include "bx.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int go[2];

    if (argc != 3) {
        fprintf(stderr, "usage: exitmany PORT N\n");
        return 90;
    }
    int port = (int)bx_arg(argv[1], "port");
    int n = (int)bx_arg(argv[2], "N");
    bx_nofile(n + 64);
    alarm(120);
    if (pipe(go) < 0)
        bx_die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        int *fd = calloc((size_t)n, sizeof *fd), ready = 0;
        close(go[0]);
        for (int i = 0; i < n; i++)
            if ((fd[i] = bx_connect(port)) < 0)
                bx_die("connect");
        for (int t = 0; t < 400 && ready < n; t++) {
            ready = 0;
            for (int i = 0; i < n; i++)
                ready += bx_inq(fd[i]) > 0;
            if (ready < n)
                bx_sleep_ms(10);
        }
        if (write(go[1], &ready, sizeof ready) != sizeof ready)
            _exit(91);
        exit(0); /* leaves with every socket still open */
    }
    close(go[1]);
    int ready = -1;
    if (read(go[0], &ready, sizeof ready) != sizeof ready)
        bx_die("child did not get ready");
    double t0 = bx_now_ms();
    waitpid(pid, NULL, 0);
    printf("exit_ms=%.1f ready=%d\n", bx_now_ms() - t0, ready);
    return 0;
}
