/* freeport - prints a TCP port that is free on 127.0.0.1 right now, for the
 * servers the bench cannot ask to pick one (busybox, tcpserver, python,
 * nginx).  The kernel picks it; it is released at once, so a row retries
 * when a server fails to start on it. */
#include "bx.h"

#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int port, fd = bx_listen(1, &port);

    close(fd);
    printf("%d\n", port);
    return 0;
}
