/* exitmany - a program that ends with exit() while it holds several
 * connections whose peers keep sending (core "bound_peer flood"): the
 * library's exit-time sweep must close them all under one deadline.
 *
 * Connects to 127.0.0.1 on each PORT, writes 1000 bytes on each, waits
 * 100 ms (peer data is queued, unread), prints "connections=N" and calls
 * exit(0) with every socket open.
 *
 * usage: exitmany PORT... */
#include "../helpers/hx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    static char buf[1000];
    int err, n = 0;

    if (argc < 2 || argc > 17) {
        fprintf(stderr, "usage: exitmany PORT...\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(30);
    memset(buf, 'm', sizeof buf);
    for (int i = 1; i < argc; i++) {
        int fd = hx_connect(4, (int)hx_arg_long(argv[i], "port"));
        if (hx_send_all(fd, buf, sizeof buf, &err) == sizeof buf)
            n++;
    }
    hx_sleep_ms(100);
    printf("connections=%d\n", n);
    exit(0);
}
