/* audit.c - what a plain close risks (see audit.h). */
#include "audit.h"

#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* glibc's struct tcp_info lacks the byte counters */
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "classify.h"
#include "fmt.h"
#include "gc.h"

bool gc_audit_assess(int fd, uint32_t idle_ms, struct gc_close_record *rec)
{
    struct tcp_info ti = {0};
    socklen_t len = sizeof ti;
    struct sockaddr_storage ss;
    int v, saved_errno = gc_errno_save();

    rec->verdict = GC_V_AUDIT;
    rec->risk = 0;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
        gc_errno_restore(saved_errno);
        return false;
    }
    rec->tcp_state = ti.tcpi_state;
    if (ioctl(fd, SIOCINQ, &v) == 0) {
        rec->unread = (uint32_t)v;
        rec->known |= GC_REC_UNREAD;
    }
    if (ioctl(fd, SIOCOUTQ, &v) == 0) {
        rec->unacked = (uint32_t)v;
        rec->known |= GC_REC_UNACKED;
    }
    if (len >= offsetof(struct tcp_info, tcpi_notsent_bytes) + sizeof ti.tcpi_notsent_bytes) {
        rec->notsent = ti.tcpi_notsent_bytes;
        rec->known |= GC_REC_NOTSENT;
    }
    socklen_t alen = sizeof ss;
    if (!(rec->known & GC_REC_LOCAL) && getsockname(fd, (struct sockaddr *)&ss, &alen) == 0) {
        gc_addr_from_sockaddr(&rec->local, &ss, alen);
        rec->known |= GC_REC_LOCAL;
    }
    alen = sizeof ss;
    if (!(rec->known & GC_REC_PEER) && getpeername(fd, (struct sockaddr *)&ss, &alen) == 0) {
        gc_addr_from_sockaddr(&rec->peer, &ss, alen);
        rec->known |= GC_REC_PEER;
    }

    if (rec->unread > 0)
        rec->risk |= GC_RISK_RESET;
    /* After our FIN the queue counts it as one byte until it is acked. */
    if (rec->unacked > (gc_state_write_shut(rec->tcp_state) ? 1u : 0u))
        rec->risk |= GC_RISK_UNACKED;
    bool received = len >= offsetof(struct tcp_info, tcpi_bytes_received) +
                               sizeof ti.tcpi_bytes_received && ti.tcpi_bytes_received > 0;
    if (!gc_state_peer_finished(rec->tcp_state) && received && ti.tcpi_last_data_recv <= idle_ms &&
        ti.tcpi_last_data_recv <= ti.tcpi_last_data_sent)
        rec->risk |= GC_RISK_PEER_SENDING;
    gc_errno_restore(saved_errno);
    return rec->risk != 0;
}
