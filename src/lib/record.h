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
    GC_V_PASSTHROUGH,     /* a seccomp filter is in force: no syscall of ours */
    GC_V_STALE,           /* descriptor number reused behind our back */
    GC_V_NOT_TCP,         /* TCP_INFO refused: not (or no longer) TCP */
    GC_V_NOT_CONNECTED,   /* listening, connecting, closed, time-wait */
    GC_V_SHARED,          /* another descriptor (here or in the family) holds it */
    GC_V_UNCOUNTED,       /* no family count for it (region full or missing) */
    GC_V_FOREIGN,         /* a copy went where counts cannot follow (SCM_RIGHTS...) */
    GC_V_UNREADABLE,      /* inherited; the process it came from cannot be read */
    GC_V_ORIGIN_HOLDS,    /* inherited; the process it came from still holds it */
    GC_V_IO_URING,        /* the process uses io_uring: the ring may hold it */
    GC_V_SAME_SOCKET,     /* another descriptor closed with it did the linger */
    GC_V_POLICY_OFF,      /* GRACECLOSE_POLICY=off (or a rule) */
    GC_V_ABORTIVE,        /* the program set SO_LINGER {1,0}: it wants a reset */
    GC_V_PROGRAM_LINGER,  /* the program set SO_LINGER {1,N}: close blocks as asked */
    GC_V_READ_SHUT,       /* the program shut its read side itself */
    GC_V_REPAIR,          /* TCP_REPAIR: a close must send nothing */
    GC_V_NOTHING_AT_STAKE,/* nothing unread, all acknowledged, peer quiet or done */
    GC_V_AUDIT,           /* audit mode: something was at stake, closed plainly */
    GC_V_RESET,           /* the policy says reset: abortive close */
    GC_V_NO_SLOT,         /* no descriptor for the lingering copy (EMFILE) */
    GC_V_QUEUE_FULL,      /* too many lingers in flight in this process */
    GC_V_NO_WORKER,       /* the helper process could not be started */
    GC_V_EPOLL_UNKNOWN,   /* more epoll sets than the library can follow */
    GC_V_LINGER,          /* graceful close handed to the helper process */
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
    GC_O_STEPPED_ASIDE,   /* the helper found another holder: closed plainly */
    GC_O_EXIT,            /* the process ended before the linger did */
    GC_O_COUNT
};

/* Which call closed it. */
enum gc_path {
    GC_P_CLOSE = 0, GC_P_FCLOSE, GC_P_DUP2, GC_P_CLOSE_RANGE, GC_P_CLOSEFROM, GC_P_EXIT,
    GC_P_SYSCALL, GC_P_COUNT
};

struct gc_close_record {
    int fd;
    int tcp_state;        /* TCP_INFO state at entry, or -1 */
    enum gc_path path;
    enum gc_verdict verdict;
    enum gc_outcome outcome;
    int32_t unread;       /* bytes unread at entry (-1: not asked) */
    uint32_t since_data_ms; /* since the peer last sent data, at entry */
    uint64_t drained;     /* bytes discarded */
    uint64_t elapsed_ms;  /* time spent lingering */
};

void gc_record(const struct gc_close_record *r);

uint64_t gc_count_verdict(enum gc_verdict v);
uint64_t gc_count_outcome(enum gc_outcome o);
const char *gc_verdict_name(enum gc_verdict v);
const char *gc_outcome_name(enum gc_outcome o);
const char *gc_path_name(enum gc_path p);

#endif
