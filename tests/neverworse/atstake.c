/* atstake - the seed case: the peer's greeting is queued and never read,
 * the program sends 1,000,000 bytes and closes (a plain close resets).
 *   seed PORT:  the program closes;
 *   exit PORT:  the program exits with the socket still open (the exit
 *               sweep's case);
 *   fork PORT:  after sending, the program forks; the parent closes its
 *               copy first (the child still holds the socket), then tells
 *               the child through a pipe, which closes the last copy and
 *               exits; the parent reaps it.
 * The suite runs it with /proc hidden (an empty tmpfs over it, in a mount
 * namespace of the test's own): the library must do without. */
#include "hx.h"
#include "nw.h"

#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int p[2], st;

    if (argc != 3)
        return HX_SETUP_FAILED;
    hx_deadline(20);
    nw_mark();
    nw_report("proc_self_status_visible", access("/proc/self/status", F_OK) == 0);
    int fd = nw_connect_arg(4, argv[2]);
    nw_await_input(fd);
    nw_send_bytes(fd, 1000000);
    if (strcmp(argv[1], "seed") == 0) {
        nw_close("close", fd);
        return 0;
    }
    if (strcmp(argv[1], "exit") == 0)
        return 0;
    if (strcmp(argv[1], "fork") != 0)
        return HX_SETUP_FAILED;
    if (pipe(p) < 0)
        hx_die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        hx_die("fork");
    if (pid == 0) {
        char c;
        close(p[1]);
        while (read(p[0], &c, 1) < 0 && errno == EINTR)
            ;
        nw_close("child_close", fd);
        _exit(0);
    }
    close(p[0]);
    nw_close("parent_close", fd);
    close(p[1]); /* the child goes on now */
    nw_mark();
    nw_report("waitpid", waitpid(pid, &st, 0) == pid);
    nw_report("child_status", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
