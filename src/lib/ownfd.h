/* ownfd.h - the library's own descriptors: the family region, the
 * lingering thread's wake-up eventfd, and its copies of lingering sockets.
 *
 * They live high in the descriptor range, so they never take a number the
 * program's lowest-free allocation or select() expects, and they are
 * marked in the descriptor table so that the program's own closes (close,
 * dup2 onto them, closefrom, close_range) step around them. */
#ifndef GC_OWNFD_H
#define GC_OWNFD_H

#include <stdbool.h>

/* A copy of 'fd' at a high number, close-on-exec unless keep_on_exec.
 * Returns it, or -1 (EMFILE and the like); errno is left as it was. */
int gc_ownfd_copy(int fd, bool keep_on_exec);

/* Moves a descriptor the library just opened to a high number (closing the
 * low one).  Returns the new number, or -1 (the descriptor is closed). */
int gc_ownfd_place(int fd, bool keep_on_exec);

bool gc_ownfd_is(int fd);

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

#endif
