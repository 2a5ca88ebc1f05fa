/* classify.c - TCP state and queues of a socket (see classify.h). */
#include "classify.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* The kernel's tcp_info goes on past glibc's copy of it; the fields
 * wanted here follow it directly (Linux 4.6 and later). */
struct tcp_info_ext {
    struct tcp_info base;
    uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
    uint32_t segs_out, segs_in, notsent_bytes;
};

bool gc_tcp_probe(int fd, struct gc_tcp_probe *p)
{
    struct tcp_info_ext ti;
    socklen_t len = sizeof ti;

    /* One call answers both questions: ENOTSOCK / EOPNOTSUPP for anything
     * that is not TCP, otherwise the state. */
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 || len < 1) {
        p->state = -1;
        return false;
    }
    p->state = ti.base.tcpi_state;
    p->since_data_ms = len >= offsetof(struct tcp_info, tcpi_last_ack_recv)
                           ? ti.base.tcpi_last_data_recv : 0;
    p->unacked_segs = len >= offsetof(struct tcp_info, tcpi_sacked) ? ti.base.tcpi_unacked : 0;
    p->notsent_bytes = len >= offsetof(struct tcp_info_ext, notsent_bytes) + sizeof(uint32_t)
                           ? ti.notsent_bytes : 0;
    return true;
}

int gc_tcp_state(int fd)
{
    struct gc_tcp_probe p;
    gc_tcp_probe(fd, &p);
    return p.state;
}

bool gc_state_connected(int state)
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
