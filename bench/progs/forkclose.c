/* forkclose - times a fork child's close() of a connection, for row 4.
 *
 * Each round: connect to the peer (peer sit -g 16: it greets with 16 bytes
 * and counts what arrives), wait until the greeting is queued unread (so a
 * plain close would reset), fork; the parent closes its copy first, then
 * the child writes a 16 KiB reply and closes - the child is now the last
 * holder and the peer is still open.  The child's close() is timed and
 * printed as "us=T".  The peer's own lines say whether every byte arrived
 * with a clean end.
 *
 * usage: forkclose PORT N BUDGET_MS */
#include "bx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPLY 16384

int main(int argc, char **argv)
{
    static char reply[REPLY];

    if (argc != 4) {
        fprintf(stderr, "usage: forkclose PORT N BUDGET_MS\n");
        return 90;
    }
    int port = (int)bx_arg(argv[1], "port");
    long n = bx_arg(argv[2], "N"), budget = bx_arg(argv[3], "budget");
    alarm((unsigned)(budget / 1000 + 60));
    memset(reply, 'r', sizeof reply);
    setvbuf(stdout, NULL, _IOLBF, 0);
    double start = bx_now_ms();

    for (long i = 0; i < n && bx_now_ms() - start < (double)budget; i++) {
        int go[2], res[2];
        int s = bx_connect(port);
        if (s < 0)
            bx_die("connect");
        for (int t = 0; t < 400 && bx_inq(s) < 16; t++)
            bx_sleep_ms(5);
        if (pipe(go) < 0 || pipe(res) < 0)
            bx_die("pipe");
        pid_t pid = fork();
        if (pid < 0)
            bx_die("fork");
        if (pid == 0) {
            char b;
            int err;
            double dt;
            alarm(30);
            if (read(go[0], &b, 1) != 1)
                _exit(91);
            bx_send_all(s, reply, sizeof reply, &err);
            double t0 = bx_now_us();
            close(s);
            dt = bx_now_us() - t0;
            if (write(res[1], &dt, sizeof dt) != sizeof dt)
                _exit(92);
            _exit(0);
        }
        close(s);
        if (write(go[1], "g", 1) != 1)
            bx_die("write");
        double dt = -1;
        if (read(res[0], &dt, sizeof dt) == sizeof dt)
            printf("us=%.2f\n", dt);
        waitpid(pid, NULL, 0);
        close(go[0]);
        close(go[1]);
        close(res[0]);
        close(res[1]);
    }
    return 0;
}
