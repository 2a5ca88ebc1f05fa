/* holders.h - the last-holder decision for sockets this process did not
 * make alone (inherited at exec, or existing across a fork).
 *
 * The kernel keeps no count we can read, so the descriptors that could
 * still refer to a socket are looked for, with raw syscalls only:
 *  1. this process's own table (/proc/self/fd), minus the descriptors
 *     being closed;
 *  2. the family: the parent and every descendant of the parent (siblings,
 *     children, their children), via /proc/PID/task/TID/children; when
 *     the parent is init, our own descendants.  A family member that
 *     cannot be read or vanishes mid-check makes the answer unknown;
 *  3. when the family holds nothing: every other process we may read,
 *     because a child that double-forked or was started in the background
 *     by system() is reparented away from the family.  Processes of other
 *     users that cannot be read, and ones that exit while we look, are
 *     passed over there.
 * Anything unknown, or a budget that runs out, makes the caller do a plain
 * close.  Blind spots: a copy in flight in an SCM_RIGHTS message (such
 * sockets are never owned anyway), processes of another user (setuid
 * descendants), a process forked while we look. */
#ifndef GC_HOLDERS_H
#define GC_HOLDERS_H

#include <stdbool.h>
#include <stdint.h>

#include "owner.h"

#define GC_HOLDERS_MAX 16 /* sockets one query can ask about */

struct gc_holder_query {
    int n;
    uint64_t inode[GC_HOLDERS_MAX];
    /* out: another descriptor refers to it ... */
    bool held[GC_HOLDERS_MAX];
    /* ... and only in processes that are not ours or our descendants
     * (parent, sibling, orphan): such a holder may be closing its copy at
     * this very moment, so the answer is worth asking again. */
    bool held_elsewhere_only[GC_HOLDERS_MAX];
    /* Descriptors of this process closing right now: not holders. */
    const struct gc_closing *closing;
    /* The walk gives up (unknown) when this passes; 0: no time bound. */
    uint64_t deadline_ms;
};

/* Fills q->held and q->held_elsewhere_only.  Returns 0 when the answer is
 * known, -1 when not. */
int gc_find_other_holders(struct gc_holder_query *q);

#endif
