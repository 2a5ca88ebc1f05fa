/* record.h - what happened at one close, and the counters it feeds.
 *
 * Every stage of the close path writes into one gc_close_record on the
 * caller's stack; the record stage (gc_record_emit) turns it into
 * counters, the summary at exit and, when the log level asks for it, one
 * log record.  Audit mode fills the at-risk fields (audit.h).
 *
 * Who fills what (fields not filled keep the zero of the initialiser):
 *   fd, tcp_state, verdict ............ classify / ownership / policy
 *   path .............................. the wrapper (GC_PATH_CLOSE is 0)
 *   role .............................. classify, from the fd table entry
 *   local, peer, unread, unacked, ..... gc_record_capture() right after
 *     t_entry_ns, GC_REC_* in 'known'   classify said "connected TCP";
 *                                       it does nothing unless records
 *                                       will be written
 *   steps, drained, outcome, .......... the linger (GC_STEP_* actually done)
 *     elapsed_ms
 *   risk, peer_sending ................ gc_audit_assess() (policy audit) */
#ifndef GC_RECORD_H
#define GC_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"

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
    GC_V_UNCOUNTED,       /* no family count for it (table full, or no room for it) */
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
    GC_V_AUDIT,           /* policy audit: plain close, risk assessed */
    GC_V_RESET,           /* the policy says reset: abortive close */
    GC_V_QUEUE_FULL,      /* the helper's channel is full */
    GC_V_NO_WORKER,       /* the helper process could not be started */
    GC_V_EPOLL_UNKNOWN,   /* more epoll sets than the library can follow */
    GC_V_THREADS,         /* at exit, other threads still ran: plain close */
    GC_V_READER,          /* a thread is blocked reading it: it keeps the socket */
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
    GC_O_COUNT
};

/* The call that closed the descriptor. */
enum gc_close_path {
    GC_PATH_CLOSE = 0,    /* close() */
    GC_PATH_FCLOSE,       /* fclose() of an fdopen stream */
    GC_PATH_DUP2,         /* dup2() onto the descriptor */
    GC_PATH_DUP3,
    GC_PATH_CLOSE_RANGE,
    GC_PATH_CLOSEFROM,
    GC_PATH_EXIT,         /* the sweep at exit() / return from main */
    GC_PATH_EXIT_NOW,     /* the sweep at _exit() / _Exit() */
    GC_PATH_SYSCALL,      /* syscall(SYS_close) or syscall(SYS_close_range) */
    GC_PATH_COUNT
};

/* How the socket came to this process (gc_close_record.role). */
enum gc_rec_role {
    GC_RROLE_UNKNOWN = 0,
    GC_RROLE_ACCEPTED,
    GC_RROLE_CONNECTED,
    GC_RROLE_INHERITED,
};

/* Which of the measured fields hold a value (gc_close_record.known). */
enum {
    GC_REC_LOCAL = 1u << 0,
    GC_REC_PEER = 1u << 1,
    GC_REC_UNREAD = 1u << 2,
    GC_REC_UNACKED = 1u << 3,
    GC_REC_NOTSENT = 1u << 4,
};

/* Audit: what a plain close of this socket risks (gc_close_record.risk). */
enum {
    GC_RISK_RESET = 1u << 0,        /* unread input: the kernel resets for certain */
    GC_RISK_UNACKED = 1u << 1,      /* our data not yet acknowledged */
    GC_RISK_PEER_SENDING = 1u << 2, /* peer still sending: its next data gets a reset */
};

struct gc_close_record {
    int fd;
    int tcp_state;        /* TCP_INFO state at entry, or -1 */
    enum gc_verdict verdict;
    enum gc_outcome outcome;
    uint64_t drained;     /* bytes discarded */
    uint64_t elapsed_ms;  /* time spent lingering */
    uint32_t since_data_ms; /* since the peer last sent data, at entry */
    /* issue 9 */
    enum gc_close_path path;
    enum gc_rec_role role;
    unsigned steps;       /* GC_STEP_* bits actually carried out */
    unsigned known;       /* GC_REC_* */
    unsigned risk;        /* GC_RISK_* (audit) */
    uint32_t unread;      /* SIOCINQ at entry */
    uint32_t unacked;     /* SIOCOUTQ at entry: sent or queued, not acknowledged */
    uint32_t notsent;     /* tcpi_notsent_bytes at entry */
    uint64_t t_entry_ns;  /* CLOCK_MONOTONIC at entry, 0 if not taken */
    struct gc_addr local, peer;
};

/* The record stage: counters, summary, and the log record when the level
 * asks for it.  Callable from any thread and from signal handlers (no
 * locks, no allocation, no stdio); leaves errno as it was.  A lingered
 * close handed to the helper process is emitted once, by the helper, when
 * its linger ends; the close() that handed it over emits nothing. */
void gc_record_emit(const struct gc_close_record *r);

/* The level gc_record_emit would write r at. */
enum gc_log_level gc_record_level(const struct gc_close_record *r);

/* A close whose linger the helper took: the summary counts it (its
 * ending is in the record the helper writes). */
void gc_record_handed(const struct gc_close_record *r);


/* Right after classify found a connected TCP socket: addresses, queues and
 * the entry time, when a record or the summary will use them (log level
 * info or debug, or policy audit); otherwise nothing, no system call. */
void gc_record_capture(int fd, struct gc_close_record *r);

/* Our data not yet acknowledged at entry (the FIN of a shut socket not
 * counted): what a reset throws away. */
uint64_t gc_record_bytes_at_risk(const struct gc_close_record *r);

/* Sets the path of n records (wrappers and sweeps, after prepare). */
void gc_record_set_path(struct gc_close_record *recs, int n, enum gc_close_path path);

uint64_t gc_count_verdict(enum gc_verdict v);
uint64_t gc_count_outcome(enum gc_outcome o);
const char *gc_verdict_name(enum gc_verdict v);
const char *gc_outcome_name(enum gc_outcome o);
const char *gc_path_name(enum gc_close_path p);

#endif
