/* classify.c - which descriptors the close path may act on. */
#include "classify.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
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

bool gc_state_peer_finished(int state)
{
    return state == TCP_CLOSE_WAIT || state == TCP_LAST_ACK || state == TCP_CLOSING;
}

bool gc_state_write_shut(int state)
{
    return state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 || state == TCP_CLOSING ||
           state == TCP_LAST_ACK;
}

int gc_unread_bytes(int fd)
{
    int v = 0;
    return ioctl(fd, SIOCINQ, &v) == 0 ? v : -1;
}

int gc_unacked_bytes(int fd)
{
    int v = 0;
    return ioctl(fd, SIOCOUTQ, &v) == 0 ? v : -1;
}
