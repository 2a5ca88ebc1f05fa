/* chldstorm - a close with something at stake, then a storm of SIGCHLD.
 *
 * The program waits for the peer's greeting (never read), sends 1,000,000
 * bytes and closes: with the library that close hands the socket to the
 * family's helper, which is a child of this process (a CLONE_VM|CLONE_VFORK
 * clone that execs graceclose-lingerd, exit signal 0).  Then it forks 50
 * children that all wait on one pipe and exit (status 7) at the moment the
 * pipe's write end is closed, and reaps them:
 *   restart PORT:    SIGCHLD handler with SA_RESTART; wait() until it fails;
 *   norestart PORT:  handler without SA_RESTART; waitpid(-1, &st, 0) until it
 *                    fails (EINTR is retried, not reported: its count varies);
 *   handler PORT:    the handler reaps with waitpid(-1, &st, WNOHANG) loops;
 *                    the main path waits (at most 5 s) until 50 are reaped,
 *                    then calls waitpid(-1, &st, 0) once.
 * The last wait must fail with ECHILD, and the whole reaping take well under
 * a second (reap_under_1s): the library's helper is no child that wait()
 * may see or wait for.  Prints the reaped count,
 * how many ended with status 7, and whether any SIGCHLD came (the count of
 * signals varies: they coalesce). */
#include "hx.h"
#include "nw.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 50

static volatile sig_atomic_t sigchld_seen, reaped, status7, reap_in_handler;

static void count_status(int st)
{
    reaped++;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 7)
        status7++;
}

static void on_chld(int sig)
{
    int e = errno, st;

    (void)sig;
    sigchld_seen++;
    if (reap_in_handler)
        while (waitpid(-1, &st, WNOHANG) > 0)
            count_status(st);
    errno = e;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    int p[2], st;
    long r;

    if (argc != 3)
        return HX_SETUP_FAILED;
    hx_deadline(20);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    if (strcmp(argv[1], "restart") == 0)
        sa.sa_flags = SA_RESTART;
    else if (strcmp(argv[1], "handler") == 0)
        reap_in_handler = 1, sa.sa_flags = SA_RESTART;
    else if (strcmp(argv[1], "norestart") != 0)
        return HX_SETUP_FAILED;
    if (sigaction(SIGCHLD, &sa, NULL) < 0)
        hx_die("sigaction");

    int fd = nw_connect_arg(4, argv[2]);
    nw_await_input(fd);
    nw_send_bytes(fd, 1000000);
    nw_close("close", fd);

    if (pipe(p) < 0)
        hx_die("pipe");
    for (int i = 0; i < CHILDREN; i++) {
        pid_t pid = fork();
        if (pid < 0)
            hx_die("fork");
        if (pid == 0) {
            char c;
            close(p[1]);
            while (read(p[0], &c, 1) < 0 && errno == EINTR)
                ;
            _exit(7);
        }
    }
    close(p[0]);
    close(p[1]); /* every child ends now */

    double t_reap = hx_now_ms();
    if (reap_in_handler) {
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGCHLD);
        sigprocmask(SIG_BLOCK, &block, &old);
        double stop = hx_now_ms() + 5000.0;
        while (reaped < CHILDREN && hx_now_ms() < stop) {
            struct timespec ts = {0, 100 * 1000000L};
            ppoll(NULL, 0, &ts, &old); /* SIGCHLD runs the handler only here */
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        nw_mark();
        r = waitpid(-1, &st, 0);
    } else {
        for (;;) {
            nw_mark();
            r = argv[1][0] == 'r' ? wait(&st) : waitpid(-1, &st, 0);
            if (r > 0)
                count_status(st);
            else if (!(r < 0 && errno == EINTR))
                break;
        }
    }
    nw_report("last_wait", r);
    nw_mark();
    nw_report("reap_under_1s", hx_now_ms() - t_reap < 1000.0);
    nw_report("reaped", reaped);
    nw_report("status_7", status7);
    nw_report("sigchld_seen", sigchld_seen > 0);
    return 0;
}
