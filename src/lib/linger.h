/* linger.h - stage 4 of the close path: the graceful part of a close.
 *
 * shutdown(SHUT_WR), then discard what the peer still sends while waiting
 * for our data to be acknowledged, until the peer closes, goes quiet, or
 * the deadline or byte cap runs out.  Uses raw system calls for the waits
 * and reads, so it is no cancellation point and no other preload's
 * wrapper runs inside it; never touches O_NONBLOCK. */
#ifndef GC_LINGER_H
#define GC_LINGER_H

#include "record.h"

#include <stdbool.h>

#include "policy.h"

/* For closing several sockets together: shut them all down first so every
 * peer sees our FIN at once, then wait on each under the plan's deadline.
 * shutdown returns whether the write side is shut.  A fork since the
 * plan was made ends the linger at once (outcome "forked"). */
bool gc_linger_shutdown(int fd, const struct gc_plan *p, struct gc_close_record *rec);
void gc_linger_wait(int fd, const struct gc_plan *p, bool shut, struct gc_close_record *rec);

#endif
