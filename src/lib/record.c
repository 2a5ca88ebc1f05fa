/* record.c - the record stage: counters, summary, one log record per close
 * (lock-free, signal-safe; see record.h). */
#include "record.h"
#include "gc.h"

#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "classify.h"
#include "line.h"
#include "log.h"
#include "outcome.h"
#include "settings.h"
#include "summary.h"

static GC_HOT uint64_t verdicts[GC_V_COUNT];
static GC_HOT uint64_t outcomes[GC_O_COUNT];

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void gc_record_capture(int fd, struct gc_close_record *r)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int v, saved_errno = gc_errno_save();

    if (!gc_log_on(GC_LOG_INFO))
        return;
    r->t_entry_ns = now_ns();
    len = sizeof ss;
    if (!(r->known & GC_REC_LOCAL) && getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
        gc_addr_from_sockaddr(&r->local, &ss, len);
        r->known |= GC_REC_LOCAL;
    }
    len = sizeof ss;
    if (!(r->known & GC_REC_PEER) && getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
        gc_addr_from_sockaddr(&r->peer, &ss, len);
        r->known |= GC_REC_PEER;
    }
    if (!(r->known & GC_REC_UNREAD) && ioctl(fd, SIOCINQ, &v) == 0) {
        r->unread = (uint32_t)v;
        r->known |= GC_REC_UNREAD;
    }
    if (!(r->known & GC_REC_UNACKED) && ioctl(fd, SIOCOUTQ, &v) == 0) {
        r->unacked = (uint32_t)v;
        r->known |= GC_REC_UNACKED;
    }
    gc_errno_restore(saved_errno);
}

uint64_t gc_record_bytes_at_risk(const struct gc_close_record *r)
{
    /* After SHUT_WR our FIN counts one byte in SIOCOUTQ: no data. */
    if (r->unacked > 0 && gc_state_write_shut(r->tcp_state))
        return r->unacked - 1;
    return r->unacked;
}

void gc_record_set_path(struct gc_close_record *recs, int n, enum gc_close_path path)
{
    for (int i = 0; i < n; i++)
        recs[i].path = path;
}

static const char *const state_names[] = {
    [TCP_ESTABLISHED] = "ESTABLISHED", [TCP_SYN_SENT] = "SYN_SENT",
    [TCP_SYN_RECV] = "SYN_RECV",       [TCP_FIN_WAIT1] = "FIN_WAIT1",
    [TCP_FIN_WAIT2] = "FIN_WAIT2",     [TCP_TIME_WAIT] = "TIME_WAIT",
    [TCP_CLOSE] = "CLOSE",             [TCP_CLOSE_WAIT] = "CLOSE_WAIT",
    [TCP_LAST_ACK] = "LAST_ACK",       [TCP_LISTEN] = "LISTEN",
    [TCP_CLOSING] = "CLOSING",
};

static const char *const path_names[GC_PATH_COUNT] = {
    [GC_PATH_CLOSE] = "close",
    [GC_PATH_FCLOSE] = "fclose",
    [GC_PATH_DUP2] = "dup2",
    [GC_PATH_DUP3] = "dup3",
    [GC_PATH_CLOSE_RANGE] = "close_range",
    [GC_PATH_CLOSEFROM] = "closefrom",
    [GC_PATH_EXIT] = "exit",
    [GC_PATH_EXIT_NOW] = "_exit",
    [GC_PATH_SYSCALL] = "syscall",
};

const char *gc_path_name(enum gc_close_path p)
{
    return (unsigned)p < GC_PATH_COUNT ? path_names[p] : "?";
}

static const char *const role_names[] = {"unknown", "accepted", "connected", "inherited"};

static void put_steps(struct gc_line *l, unsigned steps)
{
    char buf[40];
    gc_steps_format(steps, buf, sizeof buf);
    gc_line_str(l, "steps", buf);
}

static void put_risk(struct gc_line *l, unsigned risk)
{
    char buf[48];
    struct gc_buf b;

    gc_buf_init(&b, buf, sizeof buf);
    if (risk & GC_RISK_RESET)
        gc_put(&b, "reset,");
    if (risk & GC_RISK_PEER_SENDING)
        gc_put(&b, "peer-sending,");
    if (risk & GC_RISK_UNACKED)
        gc_put(&b, "unacked,");
    buf[b.len ? b.len - 1 : 0] = '\0';
    gc_line_str(l, "risk", buf);
}

static void write_record(const struct gc_close_record *r, enum gc_label label, const char *why,
                         enum gc_log_level level, uint64_t took_us)
{
    struct gc_line l;

    gc_line_begin(&l, level, "close");
    gc_line_i64(&l, "fd", r->fd);
    if (r->known & GC_REC_LOCAL)
        gc_line_addr(&l, "local", &r->local);
    if (r->known & GC_REC_PEER)
        gc_line_addr(&l, "peer", &r->peer);
    if (r->tcp_state >= 0 && (unsigned)r->tcp_state < sizeof state_names / sizeof *state_names &&
        state_names[r->tcp_state])
        gc_line_str(&l, "state", state_names[r->tcp_state]);
    if ((unsigned)r->role < 4 && r->role != GC_RROLE_UNKNOWN)
        gc_line_str(&l, "role", role_names[r->role]);
    gc_line_str(&l, "path", gc_path_name(r->path));
    if (r->known & GC_REC_UNREAD)
        gc_line_u64(&l, "unread", r->unread);
    if (r->known & GC_REC_UNACKED)
        gc_line_u64(&l, "unacked", r->unacked);
    if (r->known & GC_REC_NOTSENT)
        gc_line_u64(&l, "notsent", r->notsent);
    if (r->verdict == GC_V_LINGER) {
        put_steps(&l, r->steps);
        gc_line_u64(&l, "drained", r->drained);
    }
    gc_line_ms(&l, "ms", took_us);
    gc_line_str(&l, "outcome", gc_label_name(label));
    if (r->verdict == GC_V_AUDIT) {
        put_risk(&l, r->risk);
        if (r->risk & (GC_RISK_RESET | GC_RISK_PEER_SENDING))
            gc_line_u64(&l, "bytes_at_risk", gc_record_bytes_at_risk(r));
    }
    if (why)
        gc_line_str(&l, "why", why);
    if (level == GC_LOG_DEBUG)
        gc_line_str(&l, "verdict", gc_verdict_name(r->verdict));
    gc_line_send(&l, GC_LOG_NORMAL);
}

void gc_record_emit(const struct gc_close_record *r)
{
    /* Untracked closes are not counted, and a vfork-like child shares our
     * memory: it writes nothing, counters included. */
    if (r->verdict == GC_V_UNTRACKED || r->verdict == GC_V_VFORK_CHILD)
        return;
    int saved_errno = gc_errno_save();
    if ((unsigned)r->verdict < GC_V_COUNT)
        __atomic_add_fetch(&verdicts[r->verdict], 1, __ATOMIC_RELAXED);
    if ((unsigned)r->outcome < GC_O_COUNT)
        __atomic_add_fetch(&outcomes[r->outcome], 1, __ATOMIC_RELAXED);

    const char *why;
    enum gc_label label = gc_label_of(r, &why);
    enum gc_log_level level = gc_label_level(label, r);
    uint64_t took_us = r->t_entry_ns ? (now_ns() - r->t_entry_ns) / 1000 : r->elapsed_ms * 1000;

    gc_summary_add(label, r, took_us);
    if (gc_log_on(level))
        write_record(r, label, why, level, took_us);
    gc_errno_restore(saved_errno);
}

enum gc_log_level gc_record_level(const struct gc_close_record *r)
{
    const char *why;
    return gc_label_level(gc_label_of(r, &why), r);
}

void gc_record_handed(const struct gc_close_record *r)
{
    int saved_errno = gc_errno_save();
    uint64_t took_us = r->t_entry_ns ? (now_ns() - r->t_entry_ns) / 1000 : 0;
    gc_summary_add(GC_L_HANDED, r, took_us);
    gc_errno_restore(saved_errno);
}

uint64_t gc_count_verdict(enum gc_verdict v)
{
    return (unsigned)v < GC_V_COUNT ? __atomic_load_n(&verdicts[v], __ATOMIC_RELAXED) : 0;
}

uint64_t gc_count_outcome(enum gc_outcome o)
{
    return (unsigned)o < GC_O_COUNT ? __atomic_load_n(&outcomes[o], __ATOMIC_RELAXED) : 0;
}

static const char *const verdict_names[GC_V_COUNT] = {
    [GC_V_UNTRACKED] = "untracked",
    [GC_V_NOT_READY] = "not-ready",
    [GC_V_VFORK_CHILD] = "vfork-child",
    [GC_V_PASSTHROUGH] = "passthrough",
    [GC_V_STALE] = "stale",
    [GC_V_NOT_TCP] = "not-tcp",
    [GC_V_NOT_CONNECTED] = "not-connected",
    [GC_V_SHARED] = "shared",
    [GC_V_UNCOUNTED] = "uncounted",
    [GC_V_FOREIGN] = "foreign",
    [GC_V_UNREADABLE] = "unreadable",
    [GC_V_ORIGIN_HOLDS] = "origin-holds",
    [GC_V_IO_URING] = "io-uring",
    [GC_V_SAME_SOCKET] = "same-socket",
    [GC_V_POLICY_OFF] = "policy-off",
    [GC_V_ABORTIVE] = "abortive",
    [GC_V_PROGRAM_LINGER] = "program-linger",
    [GC_V_READ_SHUT] = "read-shut",
    [GC_V_REPAIR] = "repair",
    [GC_V_NOTHING_AT_STAKE] = "nothing-at-stake",
    [GC_V_AUDIT] = "audit",
    [GC_V_RESET] = "reset",
    [GC_V_QUEUE_FULL] = "queue-full",
    [GC_V_NO_WORKER] = "no-helper",
    [GC_V_EPOLL_UNKNOWN] = "epoll-unknown",
    [GC_V_THREADS] = "threads",
    [GC_V_READER] = "reader",
    [GC_V_LINGER] = "linger",
};

static const char *const outcome_names[GC_O_COUNT] = {
    [GC_O_NONE] = "none",
    [GC_O_PEER_CLOSED] = "peer-closed",
    [GC_O_IDLE] = "idle",
    [GC_O_ACKED] = "acked",
    [GC_O_DONE] = "done",
    [GC_O_TIMEOUT] = "timeout",
    [GC_O_DRAIN_CAP] = "drain-cap",
    [GC_O_PEER_RESET] = "peer-reset",
    [GC_O_STEPPED_ASIDE] = "stepped-aside",
};

const char *gc_verdict_name(enum gc_verdict v)
{
    return (unsigned)v < GC_V_COUNT ? verdict_names[v] : "?";
}

const char *gc_outcome_name(enum gc_outcome o)
{
    return (unsigned)o < GC_O_COUNT ? outcome_names[o] : "?";
}

