/* holders.h - the last-holder decision for sockets this process did not
 * make alone (inherited at exec, or existing across a fork).
 *
 * The kernel keeps no count we can read, so the descriptors that could
 * still refer to a socket are looked for: this process's own table
 * (/proc/self/fd, minus the descriptors being closed), then the parent and
 * every descendant of the parent (siblings, children, their children),
 * through /proc/PID/fd and /proc/PID/task/TID/children.  When the parent
 * is init, only our own descendants are looked at.  Anything that cannot
 * be read, a process list that changes under us, or a budget that runs out
 * makes the answer "unknown", and the caller does a plain close.
 * Blind spots: a copy in flight in an SCM_RIGHTS message, unrelated
 * processes (pidfd_getfd, a receiver of SCM_RIGHTS outside the family),
 * ancestors above the parent, a process forked while we look. */
#ifndef GC_HOLDERS_H
#define GC_HOLDERS_H

#include <stdbool.h>
#include <stdint.h>

#define GC_HOLDERS_MAX 64 /* sockets one query can ask about */

struct gc_holder_query {
    int n;
    uint64_t inode[GC_HOLDERS_MAX];
    bool held[GC_HOLDERS_MAX]; /* out: another descriptor refers to it */
    /* Descriptors of this process that are being closed right now and do
     * not count as holders; whole_process: every one of ours is closing. */
    const int *closing;
    int nclosing;
    bool whole_process;
};

/* Fills q->held.  Returns 0 when the answer is known, -1 when not. */
int gc_find_other_holders(struct gc_holder_query *q);

#endif
