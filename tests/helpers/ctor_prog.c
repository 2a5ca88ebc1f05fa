/* ctor_prog - a program linked with libctorclose (whose constructor closes
 * sockets before main).  main says it ran and, when GC_MAIN_PORT names a
 * receiver on 127.0.0.1, plays the seed sender: connect, wait 100 ms, write
 * 1,000,000 bytes, close - to show the library still works after closes
 * that came before its constructor. */
#include "hx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SENTINEL 1234
#define BYTES 1000000

extern int ctorclose_checks;

int main(void)
{
    const char *port = getenv("GC_MAIN_PORT");
    static char buf[BYTES];
    int err;

    printf("main ran after %d constructor closes\n", ctorclose_checks);
    fflush(stdout);
    if (!port || !*port)
        return 0;
    hx_deadline(30);
    int fd = hx_connect(4, (int)hx_arg_long(port, "GC_MAIN_PORT"));
    hx_sleep_ms(100);
    memset(buf, 'x', sizeof buf);
    printf("main sent=%zu\n", hx_send_all(fd, buf, sizeof buf, &err));
    errno = SENTINEL;
    int r = close(fd);
    int e = errno;
    printf("main connected ret=%d errno=%s\n", r, e == SENTINEL ? "1234" : hx_errname(e));
    return 0;
}
