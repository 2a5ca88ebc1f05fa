/* ownfd.h - the library's own descriptors: the family's count table and
 * the channel to the lingering helper.
 *
 * They live above the program's soft RLIMIT_NOFILE when the hard limit
 * leaves room (the soft limit is raised for the instant of the dup): the
 * program can then never meet them, neither in its lowest-free numbering,
 * nor in select(), nor at its descriptor limit.  When soft and hard limit
 * are one, they go at the very top of the range, or, under a small limit
 * (below 1024), nowhere: nothing is counted and every close is plain.
 * The mass-close wrappers step around them. */
#ifndef GC_OWNFD_H
#define GC_OWNFD_H

#include <stdbool.h>

/* Moves a descriptor the library just opened to its place (closing the
 * low one).  keep_on_exec: no close-on-exec.  Returns the new number, or
 * -1 (the descriptor is closed).  errno is left as it was. */
int gc_ownfd_place(int fd, bool keep_on_exec);

bool gc_ownfd_is(int fd);

/* No descriptor of ours is below this (a lower bound: it never rises):
 * the close fast path compares with it before asking gc_ownfd_is. */
extern int gc_own_fd_min;

/* Closes one of the library's descriptors. */
void gc_ownfd_close(int fd);

/* The program is about to close 'fd' or put another file on its number
 * (close, dup2, dup3): if it is one of ours, move ours out of the way
 * first so both the program and the library keep what they have. */
void gc_ownfd_evacuate(int fd);

/* Calls fn(lo, hi) for each piece of [lo, hi] that holds none of the
 * library's descriptors (the mass-close wrappers close only those). */
void gc_ownfd_each_gap(unsigned lo, unsigned hi, void (*fn)(unsigned lo, unsigned hi, void *ctx),
                       void *ctx);

/* Taken at load: descriptors found open that are the library's. */
void gc_ownfd_adopt(int fd);

#endif
