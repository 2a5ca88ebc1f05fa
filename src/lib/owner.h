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

/* The descriptors closing together in one call (close: one; close_range,
 * closefrom: several; exit: all of them). */
struct gc_closing {
    const int *fds;
    int n;
    bool whole_process;
};

bool gc_is_closing(const struct gc_closing *c, int fd);

enum gc_ownership {
    GC_OWN_YES,        /* made here after the last fork, no other holder */
    GC_OWN_NO,         /* rec->verdict says why */
    GC_OWN_ASK_FAMILY, /* inherited or forked: the last-holder check decides */
};

enum gc_ownership gc_decide_owner(int fd, const struct gc_fdent *ent,
                                  const struct gc_closing *closing, struct gc_close_record *rec);

#endif
