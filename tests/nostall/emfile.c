/* emfile - a program at its descriptor limit closes a socket that has
 * something at stake and reuses the freed slots at once (issue 8: the
 * program must never lose a descriptor slot it had).  The peer is lpeer
 * ("A 0 unread 0 1500": 1,000 bytes left unread, so the close would linger).
 *
 * Sets RLIMIT_NOFILE's soft limit to 64 (-H: the hard limit too), connects
 * A, writes 100,000 bytes, then opens /dev/null until EMFILE.  SPARE
 * descriptors are then closed again (the program knows they are free).
 * close(A), then at once opens SPARE+1 descriptors (the first one a TCP
 * socket, the others /dev/null): every one must succeed, the first free
 * number being A's or a spare one.
 * Prints "filled=N", "close ret=R ms=T", "reopen=OK|ENAME ..." and
 * "lost_slots=N".
 *
 * usage: emfile [-H] [-s SPARE] PORT */
#include "../helpers/hx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int opt, hard = 0;
    long spare = 0;
    while ((opt = getopt(argc, argv, "Hs:")) != -1) {
        if (opt == 'H')
            hard = 1;
        else if (opt == 's')
            spare = hx_arg_long(optarg, "spare");
        else
            return HX_SETUP_FAILED;
    }
    if (optind + 1 != argc || spare < 0 || spare > 8)
        return HX_SETUP_FAILED;
    int port = (int)hx_arg_long(argv[optind], "port");
    hx_deadline(20);
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 64;
    if (hard)
        rl.rlim_max = 64;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        hx_die("setrlimit");

    int a = hx_connect(4, port), err;
    const char *hello = "A 0 unread 0 1500\n";
    hx_send_all(a, hello, strlen(hello), &err);
    int inq = 0;
    for (int i = 0; i < 400 && inq < 1000; i++) {
        struct pollfd p = {a, POLLIN, 0};
        poll(&p, 1, 5);
        ioctl(a, FIONREAD, &inq);
    }
    static char reply[100000];
    memset(reply, 'r', sizeof reply);
    hx_send_all(a, reply, sizeof reply, &err);

    int fds[64], nf = 0;
    while (nf < 64) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            if (errno != EMFILE)
                hx_die("open");
            break;
        }
        fds[nf++] = fd;
    }
    printf("filled=%d\n", nf);
    for (long i = 0; i < spare && nf > 0; i++)
        close(fds[--nf]);
    fflush(stdout);

    errno = 0;
    double t0 = hx_now_ms();
    int r = close(a);
    int e = errno;
    double ms = hx_now_ms() - t0;
    int lost = 0;
    char line[512];
    int len = snprintf(line, sizeof line, "reopen=");
    for (long i = 0; i <= spare; i++) {
        int fd = i == 0 ? socket(AF_INET, SOCK_STREAM, 0) : open("/dev/null", O_RDONLY);
        if (fd < 0)
            lost++;
        len += snprintf(line + len, sizeof line - (size_t)len, "%s%s", i ? "," : "",
                        fd < 0 ? hx_errname(errno) : "OK");
        if (fd >= 0 && i == 0)
            len += snprintf(line + len, sizeof line - (size_t)len, "(fd=%d,a=%d)", fd, a);
    }
    printf("close ret=%d errno=%s ms=%.1f\n%s\nlost_slots=%d\n", r, hx_errname(e), ms, line, lost);
    return 0;
}
