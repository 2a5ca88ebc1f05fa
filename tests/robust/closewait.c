/* closewait - the peer sent a request and its FIN (our side is in
 * CLOSE_WAIT) and we read none of it; we write a 200 kB reply and close.
 * Unread bytes at close make the kernel reset (TcpExtTCPAbortOnClose).
 * Prints "state=S unread=N wrote=W".  usage: closewait PORT */
#include "hx.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define REPLY 200000

int main(int argc, char **argv)
{
    static char reply[REPLY];
    struct tcp_info ti;
    socklen_t tl = sizeof ti;
    int inq = -1, err;

    hx_deadline(15);
    if (argc != 2)
        return HX_SETUP_FAILED;
    int fd = hx_connect(4, (int)hx_arg_long(argv[1], "port"));
    hx_sleep_ms(200); /* the peer's bytes and its FIN arrive */
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0 || ioctl(fd, SIOCINQ, &inq) < 0)
        hx_die("TCP_INFO/SIOCINQ");
    memset(reply, 'r', sizeof reply);
    size_t w = hx_send_all(fd, reply, sizeof reply, &err);
    printf("state=%s unread=%d wrote=%zu\n",
           ti.tcpi_state == TCP_CLOSE_WAIT ? "CLOSE_WAIT" : "other", inq, w);
    fflush(stdout);
    if (close(fd) != 0)
        perror("close");
    return 0;
}
