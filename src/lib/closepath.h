/* closepath.h - the one close pipeline every closing wrapper enters:
 * classify -> decide ownership -> choose policy -> act -> record.
 * The stages do not know which wrapper called them. */
#ifndef GC_CLOSEPATH_H
#define GC_CLOSEPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

/* Descriptors one group call handles; callers with more go in chunks. */
#define GC_GROUP_MAX 16

/* Everything before the real close of several descriptors that close
 * together (close_range, closefrom, exit): each socket this
 * close really ends gets its graceful close, all under 'deadline_ms'
 * (0: one timeout from now).  whole_process: every descriptor of this
 * process is going away (exit).  Table entries are forgotten (except in a
 * vfork-like child); errno is left as it was. */
void gc_close_group_prepare(const int *fds, int n, bool whole_process, uint64_t deadline_ms,
                            struct gc_close_record *recs);

/* The same for one descriptor. */
void gc_close_prepare(int fd, uint64_t deadline_ms, struct gc_close_record *rec);

/* The record stage, after the real close; errno is left as it was. */
void gc_close_finish(const struct gc_close_record *recs, int n);

/* close(): prepare, one real close, record.  Returns what the real close
 * returned, with its errno. */
int gc_close(int fd);

#endif
