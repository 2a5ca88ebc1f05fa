/* owner.h - stage 2 of the close path: does this close end the socket? */
#ifndef GC_OWNER_H
#define GC_OWNER_H

#include <stdbool.h>

#include "fdtable.h"
#include "record.h"

/* Cached at load and after fork; compared with getpid() to spot a
 * vfork-like child, which shares our memory and must not act or write. */
void gc_owner_set_pid(void);
bool gc_in_foreign_child(void);

/* True when this process made the socket after its last fork and no other
 * descriptor refers to it.  Otherwise sets rec->verdict and returns false. */
bool gc_decide_owner(int fd, const struct gc_fdent *ent, struct gc_close_record *rec);

#endif
