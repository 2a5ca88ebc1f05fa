/* fdlimit - the library must not take descriptors the program counts on.
 *   emfile PORT:  RLIMIT_NOFILE 16; connect and send 100000 bytes; open
 *                 sockets until EMFILE (reports how many); close them all,
 *                 then the connection;
 *   tiny PORT:    RLIMIT_NOFILE just above the lowest free descriptor, so
 *                 exactly one is free: connect, send, close, then a new
 *                 socket must get that number again. */
#include <fcntl.h>
#include "hx.h"
#include "nw.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void limit(rlim_t n)
{
    struct rlimit rl = {n, n};

    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        hx_die("setrlimit");
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return HX_SETUP_FAILED;
    hx_deadline(15);
    if (strcmp(argv[1], "emfile") == 0) {
        int extra[64], n = 0;

        limit(16);
        int fd = nw_connect_arg(4, argv[2]);
        nw_report("conn_fd", fd);
        nw_send_bytes(fd, 100000);
        nw_mark();
        while (n < 64 && (extra[n] = socket(AF_INET, SOCK_STREAM, 0)) >= 0)
            n++;
        nw_report("opened_until_error", n);
        int bad = 0;
        for (int i = 0; i < n; i++)
            bad += close(extra[i]) != 0;
        errno = NW_ERRNO_MARK;
        nw_report("close_failures", bad);
        nw_close("close", fd);
    } else if (strcmp(argv[1], "tiny") == 0) {
        int lowest = fcntl(0, F_DUPFD, 0);
        if (lowest < 0 || close(lowest) < 0)
            hx_die("lowest free descriptor");
        limit((rlim_t)lowest + 1);
        int fd = nw_connect_arg(4, argv[2]);
        nw_report("conn_fd_is_the_free_one", fd == lowest);
        nw_send_bytes(fd, 100000);
        nw_close("close", fd);
        nw_mark();
        int again = socket(AF_INET, SOCK_STREAM, 0);
        nw_report("new_fd_is_the_free_one", again == lowest);
    } else {
        return HX_SETUP_FAILED;
    }
    return 0;
}
