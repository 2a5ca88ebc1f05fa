/* vforkexec - vfork + exec while a connection is open: the child (which
 * inherits the socket: no close-on-exec) runs /bin/true; the parent waits
 * for it, then sends 100000 bytes and closes.  The peer must get every
 * byte and the end of stream, with the library as without. */
#include "hx.h"
#include "nw.h"

#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int status;

    if (argc != 2)
        return HX_SETUP_FAILED;
    hx_deadline(15);
    int fd = nw_connect_arg(4, argv[1]);
    pid_t pid = vfork();
    if (pid == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        hx_die("vfork");
    nw_mark();
    nw_report("waitpid", waitpid(pid, &status, 0) == pid);
    nw_report("child_status", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    nw_send_bytes(fd, 100000);
    nw_close("close", fd);
    return 0;
}
