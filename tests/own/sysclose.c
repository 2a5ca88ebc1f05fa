/* sysclose - the seed scenario's sender "A" ending with
 * syscall(SYS_close, fd), the way libuv (hence node) closes: connects to the
 * receiver, waits 100 ms so its greeting is queued unread, writes BYTES and
 * closes through syscall().  Prints "sent=N" and "close=RET errno=NAME|0".
 *
 * usage: sysclose [-b BYTES] PORT */
#include "../helpers/hx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long bytes = 1000000;
    int opt;
    while ((opt = getopt(argc, argv, "b:")) != -1) {
        if (opt == 'b')
            bytes = hx_arg_long(optarg, "bytes");
        else
            return HX_SETUP_FAILED;
    }
    if (optind + 1 != argc)
        return HX_SETUP_FAILED;
    hx_deadline(30);
    int fd = hx_connect(4, (int)hx_arg_long(argv[optind], "port"));
    hx_sleep_ms(100);
    char *buf = malloc((size_t)bytes + 1);
    if (!buf)
        hx_die("malloc");
    memset(buf, 'x', (size_t)bytes);
    int err;
    size_t n = hx_send_all(fd, buf, (size_t)bytes, &err);
    printf("sent=%zu\n", n);
    fflush(stdout);
    errno = 0;
    long r = syscall(SYS_close, fd);
    printf("close=%ld errno=%s\n", r, hx_errname(errno));
    return 0;
}
