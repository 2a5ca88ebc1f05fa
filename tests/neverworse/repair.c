/* repair - a close in TCP_REPAIR mode (needs CAP_NET_ADMIN).  The peer's
 * greeting is queued and never read, the program sends 1000 bytes, waits
 * 100 ms (they have arrived), turns repair mode on and closes.  In repair
 * mode the kernel's close sends nothing at all: no FIN, no reset (the
 * connection is meant to live on elsewhere).  The library must leave it
 * so.  Prints "tcp_repair=-1 errno=EPERM" without the capability.
 * usage: repair PORT */
#include "hx.h"
#include "nw.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    int on = 1;

    if (argc != 2)
        return HX_SETUP_FAILED;
    hx_deadline(15);
    int fd = nw_connect_arg(4, argv[1]);
    nw_await_input(fd);
    nw_send_bytes(fd, 1000);
    hx_sleep_ms(100);
    nw_mark();
    nw_report("tcp_repair", setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on));
    nw_close("close", fd);
    return 0;
}
