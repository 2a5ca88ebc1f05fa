/* linger.h - one graceful close, as steps the helper process drives.
 *
 * shutdown(SHUT_WR), then discard what the peer still sends while waiting
 * for our data to be acknowledged, until the peer closes, goes quiet, or
 * the deadline or byte cap runs out.  Never blocks: each step does what
 * can be done now and says when it wants to run again. */
#ifndef GC_LINGER_H
#define GC_LINGER_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "record.h"

struct gc_linger {
    int fd;                 /* the helper's descriptor of the socket */
    struct gc_plan plan;
    struct gc_close_record rec;
    uint64_t start_ms, last_data_ms;
    uint64_t wake_ms;       /* step again at this time at the latest */
    uint32_t backoff_ms;
    int origin_asks;        /* times the origin process was found holding */
    int sender_pid;         /* the process that closed it (its io_uring use) */
    bool started, shut, drain, outq, peer_eof, capped, quiet_poll;
    bool acked_seen;        /* all we sent, FIN too, was acknowledged */
    bool want_input;        /* wake when input arrives (POLLIN) */
};

/* Sets up a linger for 'fd' under 'plan'; rec is the close's record. */
void gc_linger_init(struct gc_linger *l, int fd, const struct gc_plan *plan,
                    const struct gc_close_record *rec, uint64_t now, int sender_pid);

/* Does what can be done now ('revents' from the last poll, 0 if none).
 * Returns true when the linger is over (l->rec says how); else l->wake_ms
 * and l->want_input say when to call again. */
bool gc_linger_step(struct gc_linger *l, uint64_t now, short revents);

#endif
