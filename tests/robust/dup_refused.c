/* dup_refused - dup2()/dup3() calls the kernel refuses close nothing, so
 * the target socket must go on working:
 *   dup3flags  dup3(devnull, sock, 0x4000): flags other than O_CLOEXEC, EINVAL
 *   dup2limit  RLIMIT_NOFILE lowered to the socket's number, then
 *              dup2(devnull, sock): EBADF
 * The peer's bytes wait unread on the socket (a close would linger on it).
 * Prints "call=R errno=ENAME write=N|ENAME peer_end=E peer=\"...\"".
 * usage: dup_refused dup3flags|dup2limit */
#include "hx.h"
#include "rb.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int c, s, r;
    char got[64];
    const char *end;

    hx_deadline(10);
    if (argc != 2)
        return HX_SETUP_FAILED;
    signal(SIGPIPE, SIG_IGN);
    int devnull = open("/dev/null", O_WRONLY); /* below the socket's number */
    if (devnull < 0)
        hx_die("open /dev/null");
    rb_pair(&c, &s);
    if (write(s, "unread", 6) != 6)
        hx_die("write");
    hx_sleep_ms(20);

    errno = 0;
    if (strcmp(argv[1], "dup3flags") == 0) {
        r = dup3(devnull, c, 0x4000);
    } else if (strcmp(argv[1], "dup2limit") == 0) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
            hx_die("getrlimit");
        struct rlimit low = {.rlim_cur = (rlim_t)c, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &low) < 0)
            hx_die("setrlimit");
        r = dup2(devnull, c);
        int e = errno;
        setrlimit(RLIMIT_NOFILE, &rl);
        errno = e;
    } else {
        return HX_SETUP_FAILED;
    }
    int call_errno = errno;

    ssize_t w = write(c, "still-mine\n", 11);
    int werr = errno;
    size_t n = rb_read_for(s, got, 11, 2000, &end);
    printf("call=%d errno=%s write=%s peer_end=%s ", r, hx_errname(call_errno),
           w == 11 ? "11" : hx_errname(werr), end);
    hx_print_escaped("peer", got, n);
    printf("\n");
    return 0;
}
