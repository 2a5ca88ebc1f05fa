/* closepath.h - the one close pipeline every closing wrapper enters:
 * classify -> decide ownership -> choose policy -> act -> record.
 * The stages do not know which wrapper called them. */
#ifndef GC_CLOSEPATH_H
#define GC_CLOSEPATH_H

#include <stdint.h>

#include "record.h"

/* Everything before the real close: a graceful close when the socket is
 * owned and the policy says so, nothing otherwise.  Forgets the table
 * entry (except in a vfork-like child).  errno is left as it was.
 * deadline_ms: an absolute bound shared by several closes, or 0. */
void gc_close_prepare(int fd, uint64_t deadline_ms, struct gc_close_record *rec);

/* The record stage, after the real close; errno is left as it was. */
void gc_close_finish(const struct gc_close_record *rec);

/* close(): prepare, one real close, record.  Returns what the real close
 * returned, with its errno. */
int gc_close(int fd);

#endif
