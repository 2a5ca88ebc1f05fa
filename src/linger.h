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

#include <stdbool.h>

/* The whole graceful part: shutdown, then wait. */
void gc_linger(int fd, const struct gc_settings *s, uint64_t deadline_ms,
               struct gc_close_record *rec);

/* The two halves, for closing several sockets together: shut them all
 * down first so every peer sees our FIN at once, then wait on each under
 * the shared deadline.  shutdown returns whether the write side is shut. */
bool gc_linger_shutdown(int fd, const struct gc_settings *s, const struct gc_close_record *rec);
void gc_linger_wait(int fd, const struct gc_settings *s, bool shut, uint64_t deadline_ms,
                    struct gc_close_record *rec);

#endif
