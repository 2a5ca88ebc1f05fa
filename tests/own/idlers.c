/* idlers - COUNT idle background processes holding FDS descriptors each
 * (dups of /dev/null and of one socketpair), the way a busy host looks to a
 * /proc walk.  Each child dies with this process (PR_SET_PDEATHSIG) and at
 * the latest after SECS seconds.  Prints "ready=N" once all run, then waits
 * for SIGTERM (or SECS) and kills them.
 *
 * usage: idlers COUNT FDS SECS */
#include "../helpers/hx.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int s) { (void)s; stop = 1; }

int main(int argc, char **argv)
{
    if (argc != 4)
        return HX_SETUP_FAILED;
    long count = hx_arg_long(argv[1], "count"), fds = hx_arg_long(argv[2], "fds");
    long secs = hx_arg_long(argv[3], "secs");
    if (count < 0 || count > 5000 || fds < 1 || fds > 200 || secs < 1 || secs > 600)
        return HX_SETUP_FAILED;
    pid_t *pids = calloc((size_t)count + 1, sizeof *pids);
    if (!pids)
        hx_die("calloc");
    signal(SIGTERM, on_term);
    pid_t me = getpid();
    long started = 0;
    for (long i = 0; i < count && !stop; i++) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != me)
                _exit(0);
            signal(SIGTERM, SIG_DFL);
            int sp[2];
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0)
                for (long k = 0; k < fds / 2; k++)
                    dup(sp[k & 1]);
            int null = open("/dev/null", O_RDONLY);
            for (long k = fds / 2; k < fds; k++)
                dup(null);
            alarm((unsigned)secs);
            for (;;)
                pause();
        }
        pids[started++] = pid;
    }
    printf("ready=%ld\n", started);
    fflush(stdout);
    alarm((unsigned)secs);
    signal(SIGALRM, on_term);
    while (!stop)
        pause();
    for (long i = 0; i < started; i++)
        kill(pids[i], SIGKILL);
    for (long i = 0; i < started; i++)
        waitpid(pids[i], NULL, 0);
    return 0;
}
