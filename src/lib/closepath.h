/* closepath.h - the one close pipeline every closing wrapper enters:
 * table -> family count -> TCP state -> policy -> hand-off -> record.
 * The stages do not know which wrapper called them. */
#ifndef GC_CLOSEPATH_H
#define GC_CLOSEPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

/* Everything before the real close of one descriptor.  Drops it from the
 * table and from its socket's family count; when it was the last one and
 * something is at stake, the helper process takes the linger.  Never waits.
 * errno is left as it was. */
void gc_close_prepare_on(int fd, enum gc_close_path path, struct gc_close_record *rec);

/* The record stage, after the real close; errno is left as it was.
 * (A handed-off close is recorded by the helper when it ends.) */
void gc_close_finish(const struct gc_close_record *recs, int n);

/* For the exit sweep: like prepare, for a descriptor the process leaves
 * open as it ends (the kernel closes it); returns true when the helper
 * took its linger.  now_ms: the sweep's reading of the clock (gc.h).
 * may_linger, asked only when a linger is due: false
 * means only the family count is kept right (other threads still run). */
bool gc_close_at_exit(int fd, enum gc_close_path path, uint64_t now_ms, uint64_t deadline_ms,
                      bool (*may_linger)(void), struct gc_close_record *rec);

/* close(): prepare, the real close, record.  Returns what the real close
 * returned, with its errno. */
int gc_close(int fd);
/* The same, for another way in (syscall(SYS_close)). */
int gc_close_on(int fd, enum gc_close_path path);

#endif
