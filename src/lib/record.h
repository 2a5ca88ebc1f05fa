/* record.h - what happened at one close, and the counters it feeds.
 *
 * Every stage of the close path writes into one gc_close_record on the
 * caller's stack; the record stage turns it into counters.  Per-close
 * records, audit mode and summaries read the same structure. */
#ifndef GC_RECORD_H
#define GC_RECORD_H

#include <stdint.h>

/* Why a close was, or was not, made graceful. */
enum gc_verdict {
    GC_V_UNTRACKED = 0,   /* not a socket this process made: plain close */
    GC_V_NOT_READY,       /* closed before the library finished loading */
    GC_V_VFORK_CHILD,     /* running in a vfork-like child: hands off */
    GC_V_STALE,           /* descriptor number reused behind our back */
    GC_V_NOT_TCP,         /* TCP_INFO refused: not (or no longer) TCP */
    GC_V_NOT_CONNECTED,   /* listening, connecting, closed, time-wait */
    GC_V_SHARED,          /* another descriptor (here or in the family) holds it */
    GC_V_UNDECIDED,       /* could not tell whether this is the last holder */
    GC_V_SAME_SOCKET,     /* another descriptor closed with it did the linger */
    GC_V_DUPED,           /* another descriptor here still names it */
    GC_V_ELSEWHERE,       /* a copy went where we cannot see (SCM_RIGHTS) */
    GC_V_POLICY_OFF,      /* GRACECLOSE_POLICY=off */
    GC_V_ABORTIVE,        /* the program set SO_LINGER {1,0}: it wants a reset */
    GC_V_NOTHING_AT_STAKE,/* peer done, nothing unread, nothing unacknowledged */
    GC_V_RESET,           /* the policy says reset: abortive close */
    GC_V_LINGER,          /* graceful close performed */
    GC_V_COUNT
};

/* How a graceful close ended. */
enum gc_outcome {
    GC_O_NONE = 0,        /* no linger */
    GC_O_PEER_CLOSED,     /* peer sent FIN and our data is acknowledged */
    GC_O_IDLE,            /* our data acknowledged, peer quiet for the idle time */
    GC_O_ACKED,           /* our data acknowledged (no drain step) */
    GC_O_DONE,            /* steps finished (shutdown only) */
    GC_O_TIMEOUT,         /* the deadline ran out */
    GC_O_DRAIN_CAP,       /* the byte cap ran out */
    GC_O_PEER_RESET,      /* the peer reset or the socket failed */
    GC_O_FORKED,          /* a fork gave the socket another holder meanwhile */
    GC_O_COUNT
};

struct gc_close_record {
    int fd;
    int tcp_state;        /* TCP_INFO state at entry, or -1 */
    enum gc_verdict verdict;
    enum gc_outcome outcome;
    uint64_t drained;     /* bytes discarded */
    uint64_t elapsed_ms;  /* time spent lingering */
};

void gc_record(const struct gc_close_record *r);

uint64_t gc_count_verdict(enum gc_verdict v);
uint64_t gc_count_outcome(enum gc_outcome o);
const char *gc_verdict_name(enum gc_verdict v);
const char *gc_outcome_name(enum gc_outcome o);

#endif
