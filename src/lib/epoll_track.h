/* epoll_track.h - the program's epoll sets.
 *
 * An epoll registration belongs to the open file, not to the number: while
 * the helper holds the socket, every epoll set the
 * program registered it in would go on reporting it under the old number
 * (perhaps reused by then).  So before the program's number goes away the
 * socket leaves every epoll set the program made. */
#ifndef GC_EPOLL_TRACK_H
#define GC_EPOLL_TRACK_H

#include <stdbool.h>

#define GC_EPOLL_SETS_MAX 64

/* A new epoll descriptor (epoll_create*, or a dup of one). */
void gc_epoll_add(int epfd);
/* The program closed one. */
void gc_epoll_forget(int epfd);
/* False when more sets were made than can be followed. */
bool gc_epoll_can_remove(void);
/* EPOLL_CTL_DEL of fd from every known set (ENOENT where it is in none). */
void gc_epoll_remove(int fd);

#endif
