/* linger.c - shutdown / drain / outq as non-blocking steps (see linger.h). */
#include "sys.h"
#include "linger.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "classify.h"
#include "procscan.h"

/* Bytes one read may discard: with MSG_TRUNC and no buffer, nothing is
 * copied, so one read takes the whole queue of a peer that floods us. */
#define DRAIN_CHUNK (1 << 20)
#define DRAIN_READS 64       /* per step: other lingers get their turn */
#define POLL_MIN_MS 1
#define POLL_MAX_MS 50       /* how often an ack is looked for at most */
#define ORIGIN_ASK_MS 5      /* the origin process is asked again this often */
/* A peer still streaming its upload when it falls quiet is more likely held
 * up than done: a loaded host delays acks, a retransmission timeout starts
 * at 200 ms and doubles.  Measured here (bench row 10: 200 uploads at once
 * beside busy loops, 20 rounds): stalls mid-stream of 0.6 s on a fast host
 * and of 2-4 s on a slow one; 2 s of allowance still reset 5 to 44 of
 * 4,000.  So a peer that sent at least STREAM_BYTES in this linger gets
 * STREAM_QUIET_MS of quiet before the linger ends (nginx's
 * lingering_timeout), or the idle time if longer; the timeout still
 * bounds it.  A client that sent a little and sits keeps the idle time. */
#define STREAM_BYTES (1024 * 1024)
#define STREAM_QUIET_MS 5000

enum drain_result { DRAIN_EMPTY, DRAIN_EOF, DRAIN_ERROR, DRAIN_CAP, DRAIN_MORE };

/* Discards what is readable now.  MSG_TRUNC makes TCP drop the bytes
 * without copying them; should a kernel want a buffer after all, fall
 * back to a small one.  cap 0: no cap. */
static enum drain_result drain_now(struct gc_linger *l, bool *got)
{
    static char scratch[512]; /* the helper is single-threaded */
    bool use_scratch = false;
    uint64_t cap = l->plan.s.max_drain;

    *got = false;
    for (int i = 0; i < DRAIN_READS; i++) {
        if (cap && l->rec.drained >= cap)
            return DRAIN_CAP;
        size_t want = use_scratch ? sizeof scratch : DRAIN_CHUNK;
        if (cap && want > cap - l->rec.drained)
            want = (size_t)(cap - l->rec.drained);
        long n = gc_sys(SYS_recvfrom, l->fd, use_scratch ? scratch : NULL, want,
                         MSG_TRUNC | MSG_DONTWAIT, NULL, NULL);
        if (n > 0) {
            l->rec.drained += (uint64_t)n;
            *got = true;
            /* Less than asked: the queue was emptied.  What comes next
             * (more data, the peer's FIN, a reset) wakes us again. */
            if ((size_t)n < want)
                return DRAIN_EMPTY;
            continue;
        }
        if (n == 0)
            return DRAIN_EOF;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return DRAIN_EMPTY;
        if (errno == EFAULT && !use_scratch) {
            use_scratch = true;
            continue;
        }
        return DRAIN_ERROR;
    }
    return DRAIN_MORE;
}

static bool socket_failed(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0;
}

void gc_linger_init(struct gc_linger *l, int fd, const struct gc_plan *plan,
                    const struct gc_close_record *rec, uint64_t now, int sender_pid)
{
    *l = (struct gc_linger){.fd = fd, .plan = *plan, .rec = *rec, .start_ms = now,
                            .last_data_ms = now, .wake_ms = now, .backoff_ms = POLL_MIN_MS,
                            .sender_pid = sender_pid};
    l->drain = plan->s.steps & GC_STEP_DRAIN;
    l->outq = plan->s.steps & GC_STEP_OUTQ;
    l->rec.outcome = GC_O_TIMEOUT;
}

static bool finish(struct gc_linger *l, enum gc_outcome o, uint64_t now)
{
    l->rec.outcome = o;
    l->rec.elapsed_ms = now - l->start_ms;
    return true;
}

/* An inherited socket from a program without the library: its origin
 * process may still hold a copy.  Our copy keeps the socket alive, so
 * asking again a little later is safe: the origin's close cannot reset. */
struct origin_ask {
    uint64_t inode;
    bool held;
};

static bool origin_entry(int fd, uint64_t inode, void *ctx)
{
    struct origin_ask *a = ctx;
    (void)fd;
    if (inode == a->inode)
        a->held = true;
    return !a->held;
}

/* 1: go on, 0: ask again later, -1: step aside (verdict set). */
static int check_origin(struct gc_linger *l)
{
    struct stat st;
    struct origin_ask a = {0};

    if (!l->plan.origin_pid)
        return 1;
    if (fstat(l->fd, &st) != 0)
        return 1;
    a.inode = (uint64_t)st.st_ino;
    if (gc_proc_socket_fds(l->plan.origin_pid, origin_entry, &a, NULL) != 0) {
        if (errno == ENOENT || errno == ESRCH)
            return 1; /* the origin has gone: so has its copy */
        l->rec.verdict = GC_V_UNREADABLE;
        return -1;
    }
    if (!a.held)
        return 1;
    l->rec.verdict = GC_V_ORIGIN_HOLDS;
    return ++l->origin_asks * ORIGIN_ASK_MS < 200 ? 0 : -1;
}

/* The first step: are we still the only holder, then the FIN. */
static bool begin(struct gc_linger *l, uint64_t now)
{
    int origin = check_origin(l);
    if (origin < 0)
        return finish(l, GC_O_STEPPED_ASIDE, now);
    if (origin == 0) {
        l->wake_ms = now + ORIGIN_ASK_MS;
        return false;
    }
    l->rec.verdict = GC_V_LINGER;
    l->rec.steps = l->plan.s.steps & (GC_STEP_DRAIN | GC_STEP_OUTQ);
    if (l->plan.shut_done) { /* the closing process sent the FIN */
        l->shut = true;
        l->rec.steps |= GC_STEP_SHUTDOWN;
    } else {
        if (!l->plan.no_io_uring && l->sender_pid <= 0) {
            l->rec.verdict = GC_V_UNREADABLE; /* a sender our /proc cannot name */
            return finish(l, GC_O_STEPPED_ASIDE, now);
        }
        if (!l->plan.no_io_uring && gc_process_uses_io_uring(l->sender_pid, false)) {
            l->rec.verdict = GC_V_IO_URING;
            return finish(l, GC_O_STEPPED_ASIDE, now);
        }
        l->shut = gc_state_write_shut(gc_tcp_state(l->fd));
        if (!l->shut && (l->plan.s.steps & GC_STEP_SHUTDOWN)) {
            l->shut = gc_sys(SYS_shutdown, l->fd, SHUT_WR) == 0;
            if (l->shut)
                l->rec.steps |= GC_STEP_SHUTDOWN;
        }
    }
    /* Even when the peer's FIN is in, bytes it sent before may be queued:
     * the first drain reads them and meets the EOF. */
    l->started = true;
    return !l->drain && !l->outq && finish(l, GC_O_DONE, now);
}

/* How long the peer may be quiet, with our data acknowledged, before the
 * linger ends (see STREAM_BYTES). */
static uint64_t quiet_allowed(const struct gc_linger *l)
{
    uint64_t idle = l->plan.s.idle_ms;
    return l->rec.drained >= STREAM_BYTES && idle < STREAM_QUIET_MS ? STREAM_QUIET_MS : idle;
}

bool gc_linger_step(struct gc_linger *l, uint64_t now, short revents)
{
    if (!l->started) {
        if (begin(l, now))
            return true;
        if (!l->started)
            return false;
    }
    bool more = false, got = false;
    if (l->drain && !l->peer_eof) {
        switch (drain_now(l, &got)) {
        case DRAIN_EOF: l->peer_eof = true; break;
        case DRAIN_ERROR: return finish(l, GC_O_PEER_RESET, now);
        case DRAIN_CAP:
            /* Read no more, but still let our data be acknowledged:
             * what the peer's kernel has survives the reset to come. */
            l->drain = false;
            l->capped = true;
            break;
        case DRAIN_MORE: more = true; break;
        case DRAIN_EMPTY: break;
        }
        if (got)
            l->last_data_ms = now;
    }

    /* A reset freezes SIOCOUTQ: stop on the error or the CLOSE state.
     * CLOSE without an error is the normal end after both FINs.  Not
     * asked right after a read that took data: the connection was alive,
     * and a reset since then fails the next read. */
    if (!got) {
        int state = gc_tcp_state(l->fd);
        if (state < 0)
            return finish(l, GC_O_PEER_RESET, now);
        /* A reset (or a give-up on retransmits) ends in CLOSE with an
         * error; CLOSE without one: both FINs went their way. */
        if (state == TCP_CLOSE)
            return finish(l, socket_failed(l->fd) ? GC_O_PEER_RESET : GC_O_PEER_CLOSED, now);
    }

    /* After our FIN the queue holds one byte for it until the peer acks;
     * a bare FIN's ack is delayed ~40 ms, so do not wait for it.  Once
     * acknowledged it stays so (we send nothing after our FIN): asked no
     * more, which leaves a peer that floods us one read per step. */
    bool acked = true;
    if (l->outq && !l->acked_seen) {
        int q = gc_unacked_bytes(l->fd);
        acked = q >= 0 && q <= (l->shut ? 1 : 0);
        l->acked_seen = acked && l->shut;
    }
    if (acked) {
        if (!l->drain)
            return finish(l, l->capped ? GC_O_DRAIN_CAP : GC_O_ACKED, now);
        if (l->peer_eof)
            return finish(l, GC_O_PEER_CLOSED, now);
        if (now - l->last_data_ms >= quiet_allowed(l))
            return finish(l, GC_O_IDLE, now);
    }
    if (now >= l->plan.deadline_ms)
        return finish(l, l->capped ? GC_O_DRAIN_CAP : GC_O_TIMEOUT, now);

    /* Wake on peer data while draining; otherwise look at the queue with
     * a growing interval.  Once acked, only the idle time is left. */
    if (revents & POLLERR)
        l->quiet_poll = true; /* error-queue noise: poll would spin */
    uint64_t wait = acked ? quiet_allowed(l) - (now - l->last_data_ms) : l->backoff_ms;
    if (wait > POLL_MAX_MS && !acked)
        wait = POLL_MAX_MS;
    l->wake_ms = more ? now : now + (wait ? wait : 1);
    if (l->wake_ms > l->plan.deadline_ms)
        l->wake_ms = l->plan.deadline_ms;
    l->want_input = l->drain && !l->peer_eof && !l->quiet_poll;
    if (l->backoff_ms < POLL_MAX_MS)
        l->backoff_ms *= 2;
    return false;
}
