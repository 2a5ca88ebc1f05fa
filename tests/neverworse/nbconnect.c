/* nbconnect - close of a socket whose non-blocking connect is still in
 * progress.  The listener (here, on 127.0.0.1) has backlog 0 and one
 * connection queued, so the next SYN is dropped and the connect stays in
 * SYN_SENT: connect = -1 EINPROGRESS, then close at once (it must not wait
 * for anything: reported as close_fast). */
#include "hx.h"
#include "nw.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int l = socket(AF_INET, SOCK_STREAM, 0);

    hx_deadline(15);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 0) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &len) < 0)
        hx_die("listener");
    /* Fill the accept queue (backlog 0 holds one). */
    int first = hx_connect(4, ntohs(a.sin_port));
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        hx_die("socket");
    nw_mark();
    nw_report("connect", connect(fd, (struct sockaddr *)&a, sizeof a));
    double t0 = hx_now_ms();
    nw_close("close", fd);
    errno = NW_ERRNO_MARK;
    nw_report("close_fast", hx_now_ms() - t0 < 500);
    nw_close("close_first", first);
    nw_close("close_listener", l);
    return 0;
}
