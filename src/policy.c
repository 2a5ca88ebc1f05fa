/* policy.c - choose between a graceful close and a plain one. */
#include "policy.h"

#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "gc.h"

/* The program asked for an abortive close: SO_LINGER {1, 0}. */
static bool wants_reset(int fd)
{
    struct linger lg;
    socklen_t len = sizeof lg;

    return getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff && lg.l_linger == 0;
}

static bool peer_finished(int state)
{
    return state == TCP_CLOSE_WAIT || state == TCP_LAST_ACK || state == TCP_CLOSING;
}

static bool write_side_shut(int state)
{
    return state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 || state == TCP_CLOSING ||
           state == TCP_LAST_ACK;
}

/* Peer done, nothing unread, nothing unacknowledged (our FIN counts one
 * byte in SIOCOUTQ once sent): a plain close loses nothing, so no waiting. */
static bool nothing_at_stake(int fd, int state)
{
    int inq = 0, outq = 0;

    if (!peer_finished(state))
        return false;
    if (ioctl(fd, SIOCINQ, &inq) != 0 || ioctl(fd, SIOCOUTQ, &outq) != 0)
        return false;
    return inq == 0 && outq <= (write_side_shut(state) ? 1 : 0);
}

bool gc_choose_policy(int fd, const struct gc_fdent *ent, uint64_t deadline_ms,
                      struct gc_close_record *rec, struct gc_plan *plan)
{
    const struct gc_settings *s = gc_active_settings();

    (void)ent; /* per-socket rules will match on it */
    if (!s) {
        rec->verdict = GC_V_NOT_READY;
        return false;
    }
    if (s->policy == GC_POLICY_OFF) {
        rec->verdict = GC_V_POLICY_OFF;
        return false;
    }
    if (wants_reset(fd)) {
        rec->verdict = GC_V_ABORTIVE;
        return false;
    }
    if (nothing_at_stake(fd, rec->tcp_state)) {
        rec->verdict = GC_V_NOTHING_AT_STAKE;
        return false;
    }
    plan->s = *s;
    plan->deadline_ms = deadline_ms ? deadline_ms : gc_now_ms() + s->timeout_ms;
    rec->verdict = GC_V_LINGER;
    return true;
}
