/* outcome.c - verdict + ending -> the outcome a person reads. */
#include "outcome.h"

static const char *const names[GC_L_COUNT] = {
    [GC_L_CLEAN] = "clean",
    [GC_L_PEER_EOF] = "peer-eof",
    [GC_L_ACKED] = "acked",
    [GC_L_IDLE] = "idle",
    [GC_L_DONE] = "done",
    [GC_L_TIMEOUT] = "timeout",
    [GC_L_BYTE_CAP] = "byte-cap",
    [GC_L_PEER_RESET] = "peer-reset",
    [GC_L_RESET_BY_POLICY] = "reset-by-policy",
    [GC_L_ABORTIVE] = "abortive",
    [GC_L_PROGRAM_LINGER] = "program-linger",
    [GC_L_SHARED] = "shared",
    [GC_L_UNDECIDED] = "undecided",
    [GC_L_PASSED] = "passed",
    [GC_L_AT_RISK] = "at-risk",
    [GC_L_AUDIT_CLEAN] = "clean",
};

const char *gc_label_name(enum gc_label l)
{
    return (unsigned)l < GC_L_COUNT ? names[l] : "?";
}

static enum gc_label of_linger(enum gc_outcome o, const char **why)
{
    switch (o) {
    case GC_O_PEER_CLOSED: return GC_L_PEER_EOF;
    case GC_O_IDLE: return GC_L_IDLE;
    case GC_O_ACKED: return GC_L_ACKED;
    case GC_O_DONE: return GC_L_DONE;
    case GC_O_TIMEOUT: return GC_L_TIMEOUT;
    case GC_O_DRAIN_CAP: return GC_L_BYTE_CAP;
    case GC_O_PEER_RESET: return GC_L_PEER_RESET;
    case GC_O_FORKED:
        *why = "a fork gave the socket another holder during the linger";
        return GC_L_SHARED;
    default:
        *why = "linger without an ending";
        return GC_L_UNDECIDED;
    }
}

enum gc_label gc_label_of(const struct gc_close_record *r, const char **why)
{
    *why = NULL;
    switch (r->verdict) {
    case GC_V_LINGER: return of_linger(r->outcome, why);
    case GC_V_NOTHING_AT_STAKE: return GC_L_CLEAN;
    case GC_V_RESET: return GC_L_RESET_BY_POLICY;
    case GC_V_AUDIT: return r->risk ? GC_L_AT_RISK : GC_L_AUDIT_CLEAN;
    case GC_V_ABORTIVE:
        *why = "the program set SO_LINGER {1,0}";
        return GC_L_ABORTIVE;
    case GC_V_PROGRAM_LINGER:
        *why = "the program set SO_LINGER {1,N}: the kernel lingers";
        return GC_L_PROGRAM_LINGER;
    case GC_V_SHARED: *why = "another process holds the socket"; return GC_L_SHARED;
    case GC_V_DUPED: *why = "another descriptor here names the socket"; return GC_L_SHARED;
    case GC_V_SAME_SOCKET: *why = "closed with another descriptor of it"; return GC_L_SHARED;
    case GC_V_ELSEWHERE:
    case GC_V_FOREIGN: *why = "a copy was passed out (SCM_RIGHTS or pidfd_getfd)"; return GC_L_UNDECIDED;
    case GC_V_UNDECIDED: *why = "the last-holder check could not finish"; return GC_L_UNDECIDED;
    case GC_V_UNREADABLE: *why = "another holder cannot be read (other user)"; return GC_L_UNDECIDED;
    case GC_V_QUEUE_FULL: *why = "too many lingers in flight"; return GC_L_UNDECIDED;
    case GC_V_NO_SLOT: *why = "no descriptor left for the linger (EMFILE)"; return GC_L_UNDECIDED;
    case GC_V_SECCOMP: *why = "a seccomp filter is in force"; return GC_L_UNDECIDED;
    case GC_V_NOT_READY: *why = "closed before graceclose finished loading"; return GC_L_PASSED;
    case GC_V_STALE: *why = "descriptor reused behind graceclose's back"; return GC_L_PASSED;
    case GC_V_NOT_TCP: *why = "not a TCP socket (any more)"; return GC_L_PASSED;
    case GC_V_NOT_CONNECTED: *why = "not connected (listening, connecting or closed)"; return GC_L_PASSED;
    case GC_V_POLICY_OFF: *why = "policy off"; return GC_L_PASSED;
    default: *why = "not tracked"; return GC_L_PASSED;
    }
}

enum gc_log_level gc_label_level(enum gc_label l, const struct gc_close_record *r)
{
    switch (l) {
    case GC_L_PASSED:
        return GC_LOG_DEBUG;
    case GC_L_UNDECIDED:
        /* A deliberate hands-off (a copy passed out) is no problem. */
        return r->verdict == GC_V_ELSEWHERE || r->verdict == GC_V_FOREIGN ? GC_LOG_INFO
                                                                          : GC_LOG_WARN;
    case GC_L_AT_RISK:
        /* Our data not yet acknowledged is lost only if a reset follows. */
        return r->risk & (GC_RISK_RESET | GC_RISK_PEER_SENDING) ? GC_LOG_WARN : GC_LOG_INFO;
    default:
        return GC_LOG_INFO;
    }
}
