/* freeport - prints a loopback TCP port that is free right now, for servers
 * that must be told their port (inetd.conf, busybox httpd -p, tcpserver).
 * Binds 127.0.0.1 port 0, prints the port the kernel chose, and closes.
 *
 * usage: freeport */
#include "../helpers/hx.h"

#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int port;
    int fd = hx_listen(4, &port);

    close(fd);
    printf("%d\n", port);
    return 0;
}
