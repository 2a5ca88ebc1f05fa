/* region.h - the family's shared count of descriptors per socket.
 *
 * The kernel keeps a reference count per socket but shows it to no one, so
 * the library keeps its own: one count per socket (keyed by SO_COOKIE) of
 * the descriptors that name it in every process of the family.  The table
 * lives in a memfd mapped MAP_SHARED: fork shares it, and its descriptor
 * is kept open across exec so the next program re-attaches to it.  It is
 * made only when a socket may get a second holder (track.h).
 *
 * Every count operation is a few atomic instructions on shared memory: no
 * syscall, no lock, no allocation; safe in a signal handler.  A holder the
 * library never sees (a program without it, a copy it cannot follow) can
 * only leave a count too high, which means a plain close: never a linger
 * under someone else's feet. */
#ifndef GC_REGION_H
#define GC_REGION_H

#include <stdbool.h>
#include <stdint.h>

/* Entry flags (8 bits). */
enum {
    GC_OWN_FOREIGN = 1u << 0,        /* a copy went where counts cannot follow
                                        (SCM_RIGHTS, pidfd_getfd) */
    GC_OWN_ORIGIN_UNKNOWN = 1u << 1, /* inherited from a program without the
                                        library: its origin process may hold it */
};

/* Maps the region if none is mapped yet (creates one).  False when no
 * region can be had: then a socket that gets a second holder is no longer
 * counted, and its closes are plain. */
bool gc_region_ensure(void);

/* Attaches to a region descriptor inherited across exec (init). */
bool gc_region_attach(int fd);

/* fd is a count table: a memfd with our seals and our size (a shorter file
 * would fault when read).  Two calls (fcntl, fstat), no /proc. */
bool gc_region_is_table(int fd);

/* The region's descriptor, or -1. */
int gc_region_fd(void);

/* ownfd.c moved (or lost, to = -1) the region's descriptor. */
bool gc_region_moved(int from, int to);

/* A new socket with 'count' descriptors naming it; origin_pid: the process
 * to ask at the last close when GC_OWN_ORIGIN_UNKNOWN.  An entry that
 * exists already gets 'count' added.  fresh: the socket was made here or
 * never shared, so no entry can name it (it takes the first free slot);
 * otherwise it takes the first never-used slot, where any other process
 * bringing it in looks too.  False: table full or no region. */
bool gc_region_insert(uint64_t cookie, int32_t count, uint32_t flags, int origin_pid, bool fresh);

/* Adds 'delta' to the count of 'cookie'.  Returns the new count (0: the
 * caller's descriptor was the last one, and the entry is freed), or -1
 * when the socket has no entry.  flags_out / origin_out (may be NULL) get
 * the entry's flags and origin process as they were. */
int32_t gc_region_add(uint64_t cookie, int32_t delta, uint32_t *flags_out, int *origin_out);

/* Sets flags on an entry (no-op when absent). */
void gc_region_flag(uint64_t cookie, uint32_t flags);

bool gc_region_known(uint64_t cookie);
bool gc_region_mapped(void);

#endif
