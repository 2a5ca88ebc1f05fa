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
#include "settings.h"

void gc_linger(int fd, const struct gc_settings *s, uint64_t deadline_ms,
               struct gc_close_record *rec);

#endif
