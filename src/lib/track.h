/* track.h - recording sockets as the wrappers see them made. */
#ifndef GC_TRACK_H
#define GC_TRACK_H

#include <stdbool.h>
#include <stdint.h>

/* Records 'fd', made under fork generation 'gen' (read BEFORE the socket
 * was made, so a fork racing with its creation marks it shared).
 * errno is left as it was. */
void gc_track_new(int fd, uint32_t gen, uint32_t flags);

/* newfd now refers to what oldfd does (dup family).  errno kept. */
void gc_track_copy(int oldfd, int newfd);

/* From now on nothing is tracked (policy off, or an excluded program). */
void gc_track_disable(void);

/* The table may be written: not in a vfork-like child. */
bool gc_table_writable(void);

#endif
