/* classify.c - which descriptors the close path may act on. */
#include "classify.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int gc_tcp_state(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;

    /* One call answers both questions: ENOTSOCK / EOPNOTSUPP for anything
     * that is not TCP, otherwise the state. */
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 || len < 1)
        return -1;
    return ti.tcpi_state;
}

/* States where the connection exists and a close can lose data. */
static bool connected_state(int state)
{
    switch (state) {
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        return true;
    default:
        return false;
    }
}

bool gc_classify(int fd, struct gc_close_record *rec)
{
    rec->tcp_state = gc_tcp_state(fd);
    if (rec->tcp_state < 0) {
        rec->verdict = GC_V_NOT_TCP;
        return false;
    }
    if (!connected_state(rec->tcp_state)) {
        rec->verdict = GC_V_NOT_CONNECTED;
        return false;
    }
    return true;
}
