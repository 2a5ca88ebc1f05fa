/* linger.c - shutdown / drain / outq under one deadline (see linger.h). */
#include "linger.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "classify.h"
#include "fdtable.h"
#include "gc.h"

#define DRAIN_CHUNK 65536
#define POLL_MIN_MS 1
#define POLL_MAX_MS 50       /* how often an ack is looked for at most */
#define MAX_ROUNDS 1000000   /* a second bound, should the clock misbehave */

enum drain_result { DRAIN_EMPTY, DRAIN_EOF, DRAIN_ERROR, DRAIN_CAP };

/* Discards what is readable now.  MSG_TRUNC makes TCP drop the bytes
 * without copying them; should a kernel want a buffer after all, fall
 * back to a small one on the stack. */
static enum drain_result drain_now(int fd, uint64_t cap, struct gc_close_record *rec, int *got)
{
    char scratch[512];
    int use_scratch = 0;

    *got = 0;
    for (int i = 0; i < 4096; i++) {
        if (rec->drained >= cap)
            return DRAIN_CAP;
        uint64_t left = cap - rec->drained;
        size_t want = use_scratch ? sizeof scratch : DRAIN_CHUNK;
        if (want > left)
            want = (size_t)left;
        long n = syscall(SYS_recvfrom, fd, use_scratch ? scratch : NULL, want,
                         MSG_TRUNC | MSG_DONTWAIT, NULL, NULL);
        if (n > 0) {
            rec->drained += (uint64_t)n;
            *got = 1;
            continue;
        }
        if (n == 0)
            return DRAIN_EOF;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return DRAIN_EMPTY;
        if (errno == EFAULT && !use_scratch) {
            use_scratch = 1;
            continue;
        }
        return DRAIN_ERROR;
    }
    return DRAIN_EMPTY; /* more keeps coming; the caller's loop goes on */
}

static int socket_failed(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0;
}

/* Sleeps until 'fd' has something for 'events' or 'ms' pass; events 0
 * means a plain sleep (a socket whose both sides are shut reports POLLHUP
 * for ever, which would turn the wait into a busy loop). */
static short wait_for(int fd, short events, uint64_t ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};

    if (!events) {
        gc_sleep_ms(ms);
        return 0;
    }
    return syscall(SYS_ppoll, &pfd, 1, &ts, NULL, (size_t)8) > 0 ? pfd.revents : 0;
}

/* A fork (or spawn) since the decision gave the socket another holder:
 * stop lingering at once, the close is no longer the last. */
static bool forked_since(const struct gc_plan *p)
{
    return gc_fork_gen() != p->fork_gen;
}

bool gc_linger_shutdown(int fd, const struct gc_plan *p, struct gc_close_record *rec)
{
    if (gc_state_write_shut(rec->tcp_state))
        return true;
    if (forked_since(p)) {
        rec->outcome = GC_O_FORKED;
        return false;
    }
    return (p->s.steps & GC_STEP_SHUTDOWN) && shutdown(fd, SHUT_WR) == 0;
}

void gc_linger_wait(int fd, const struct gc_plan *p, bool shut, struct gc_close_record *rec)
{
    const struct gc_settings *s = &p->s;
    uint64_t start = gc_now_ms(), now = start, last_data = start;
    bool drain = s->steps & GC_STEP_DRAIN, outq = s->steps & GC_STEP_OUTQ;
    /* Even when the peer's FIN is in, bytes it sent before may be queued:
     * the first drain reads them and meets the EOF. */
    bool peer_eof = drain ? false : gc_state_peer_finished(rec->tcp_state);
    bool capped = false, quiet_poll = false;
    uint64_t backoff = POLL_MIN_MS;

    if (rec->outcome == GC_O_FORKED)
        return;
    if (!drain && !outq) {
        rec->outcome = GC_O_DONE;
        return;
    }

    rec->outcome = GC_O_TIMEOUT;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        if (forked_since(p)) {
            rec->outcome = GC_O_FORKED;
            goto out;
        }
        if (drain && !peer_eof) {
            int got;
            switch (drain_now(fd, s->max_drain, rec, &got)) {
            case DRAIN_EOF: peer_eof = true; break;
            case DRAIN_ERROR: rec->outcome = GC_O_PEER_RESET; goto out;
            case DRAIN_CAP:
                /* Read no more, but still let our data be acknowledged:
                 * what the peer's kernel has survives the reset to come. */
                drain = false;
                capped = true;
                break;
            case DRAIN_EMPTY: break;
            }
            if (got)
                last_data = gc_now_ms();
        }

        /* A reset freezes SIOCOUTQ: stop on the error or the CLOSE state.
         * CLOSE without an error is the normal end after both FINs. */
        int state = gc_tcp_state(fd);
        if (state < 0 || socket_failed(fd)) {
            rec->outcome = GC_O_PEER_RESET;
            goto out;
        }
        if (state == TCP_CLOSE) {
            rec->outcome = peer_eof ? GC_O_PEER_CLOSED : GC_O_PEER_RESET;
            goto out;
        }

        /* After our FIN the queue holds one byte for it until the peer
         * acks; a bare FIN's ack is delayed ~40 ms, so do not wait for it. */
        bool acked = true;
        if (outq) {
            int q = gc_unacked_bytes(fd);
            acked = q >= 0 && q <= (shut ? 1 : 0);
        }

        now = gc_now_ms();
        if (acked) {
            if (!drain) {
                rec->outcome = capped ? GC_O_DRAIN_CAP : GC_O_ACKED;
                goto out;
            }
            if (peer_eof) {
                rec->outcome = GC_O_PEER_CLOSED;
                goto out;
            }
            if (now - last_data >= s->idle_ms) {
                rec->outcome = GC_O_IDLE;
                goto out;
            }
        }
        if (now >= p->deadline_ms) {
            if (capped)
                rec->outcome = GC_O_DRAIN_CAP;
            goto out;
        }

        /* Wake on peer data while draining; otherwise poll the queue with
         * a growing interval.  Once acked, only the idle time is left, in
         * steps of POLL_MAX_MS so that a fork meanwhile is noticed soon. */
        uint64_t wait = acked ? s->idle_ms - (now - last_data) : backoff;
        if (wait > POLL_MAX_MS)
            wait = POLL_MAX_MS;
        if (wait > p->deadline_ms - now)
            wait = p->deadline_ms - now;
        short events = (drain && !peer_eof && !quiet_poll) ? POLLIN : 0;
        /* POLLERR with no socket error comes from the error queue (send
         * timestamps, zerocopy notices) and would return every poll at
         * once: sleep in timed steps instead from then on. */
        if (wait_for(fd, events, wait) & POLLERR)
            quiet_poll = true;
        if (backoff < POLL_MAX_MS)
            backoff *= 2;
    }
out:
    rec->elapsed_ms = gc_now_ms() - start;
}
