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
    [GC_L_HANDED] = "handed-off",
};

const char *gc_label_name(enum gc_label l)
{
    return (unsigned)l < GC_L_COUNT ? names[l] : "?";
}

/* Why a close was plain although the process was the last holder the
 * library knows of, or where the helper stepped aside. */
static enum gc_label not_handled(enum gc_verdict v, const char **why)
{
    switch (v) {
    case GC_V_FOREIGN: *why = "a copy was passed out (SCM_RIGHTS, pidfd_getfd)"; return GC_L_UNDECIDED;
    case GC_V_UNCOUNTED: *why = "no family count for this socket"; return GC_L_UNDECIDED;
    case GC_V_UNREADABLE: *why = "the process it came from cannot be read (other user)"; return GC_L_UNDECIDED;
    case GC_V_ORIGIN_HOLDS: *why = "the process it came from still holds it"; return GC_L_SHARED;
    case GC_V_READER: *why = "a thread of the program is blocked reading it"; return GC_L_SHARED;
    case GC_V_IO_URING: *why = "the process uses io_uring"; return GC_L_UNDECIDED;
    case GC_V_QUEUE_FULL: *why = "the helper's queue is full"; return GC_L_UNDECIDED;
    case GC_V_NO_WORKER: *why = "the helper process could not be started"; return GC_L_UNDECIDED;
    case GC_V_EPOLL_UNKNOWN: *why = "more epoll sets than graceclose follows"; return GC_L_UNDECIDED;
    case GC_V_THREADS: *why = "other threads still ran at exit"; return GC_L_UNDECIDED;
    case GC_V_PASSTHROUGH: *why = "a seccomp filter is in force"; return GC_L_UNDECIDED;
    default: *why = "not handled"; return GC_L_UNDECIDED;
    }
}

static enum gc_label of_linger(const struct gc_close_record *r, const char **why)
{
    switch (r->outcome) {
    case GC_O_PEER_CLOSED: return GC_L_PEER_EOF;
    case GC_O_IDLE: return GC_L_IDLE;
    case GC_O_ACKED: return GC_L_ACKED;
    case GC_O_DONE: return GC_L_DONE;
    case GC_O_TIMEOUT: return GC_L_TIMEOUT;
    case GC_O_DRAIN_CAP: return GC_L_BYTE_CAP;
    case GC_O_PEER_RESET: return GC_L_PEER_RESET;
    default:
        *why = "linger without an ending";
        return GC_L_UNDECIDED;
    }
}

enum gc_label gc_label_of(const struct gc_close_record *r, const char **why)
{
    *why = NULL;
    if (r->outcome == GC_O_STEPPED_ASIDE)
        return not_handled(r->verdict, why);
    switch (r->verdict) {
    case GC_V_LINGER: return of_linger(r, why);
    case GC_V_NOTHING_AT_STAKE: return GC_L_CLEAN;
    case GC_V_RESET: return GC_L_RESET_BY_POLICY;
    case GC_V_AUDIT: return r->risk ? GC_L_AT_RISK : GC_L_AUDIT_CLEAN;
    case GC_V_ABORTIVE:
        *why = "the program set SO_LINGER {1,0}";
        return GC_L_ABORTIVE;
    case GC_V_PROGRAM_LINGER:
        *why = "the program set SO_LINGER {1,N}: the kernel lingers";
        return GC_L_PROGRAM_LINGER;
    case GC_V_READ_SHUT: *why = "the program shut its read side itself"; return GC_L_PASSED;
    case GC_V_REPAIR: *why = "TCP_REPAIR: a close must send nothing"; return GC_L_PASSED;
    case GC_V_SHARED: *why = "another descriptor of the family holds the socket"; return GC_L_SHARED;
    case GC_V_SAME_SOCKET: *why = "closed with another descriptor of it"; return GC_L_SHARED;
    case GC_V_FOREIGN:
    case GC_V_UNCOUNTED:
    case GC_V_UNREADABLE:
    case GC_V_ORIGIN_HOLDS:
    case GC_V_READER:
    case GC_V_IO_URING:
    case GC_V_QUEUE_FULL:
    case GC_V_NO_WORKER:
    case GC_V_EPOLL_UNKNOWN:
    case GC_V_THREADS:
    case GC_V_PASSTHROUGH:
        return not_handled(r->verdict, why);
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
        return r->verdict == GC_V_FOREIGN || r->verdict == GC_V_ORIGIN_HOLDS ? GC_LOG_INFO
                                                                             : GC_LOG_WARN;
    case GC_L_AT_RISK:
        /* Our data not yet acknowledged is lost only if a reset follows. */
        return r->risk & (GC_RISK_RESET | GC_RISK_PEER_SENDING) ? GC_LOG_WARN : GC_LOG_INFO;
    default:
        return GC_LOG_INFO;
    }
}
