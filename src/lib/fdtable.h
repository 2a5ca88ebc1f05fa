/* fdtable.h - what graceclose knows about each descriptor number.
 *
 * A fixed, fd-indexed table in static memory: no allocation, no locks, so
 * every wrapper (and a close from a signal handler) may read and write it.
 * An entry names the socket by its SO_COOKIE, so a descriptor number reused
 * behind the library's back (a close it did not see) is recognised as stale.
 * Descriptors at or above GC_FDTABLE_SIZE are never tracked: plain close. */
#ifndef GC_FDTABLE_H
#define GC_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define GC_FDTABLE_SIZE 65536

enum {
    GC_FD_TRACKED = 1u << 0,   /* entry in use */
    GC_FD_ACCEPTED = 1u << 1,  /* came from accept (role), else from socket() */
    GC_FD_INHERITED = 1u << 2, /* open when the library loaded (exec inheritance) */
    GC_FD_COUNTED = 1u << 3,   /* counted in the family region (region.h) */
    GC_FD_EPOLL = 1u << 4,     /* an epoll instance the program made (cookie 0) */
    GC_FD_SOLE = 1u << 5,      /* counted here alone, not in the region (track.h) */
    /* What the program did to the socket, which makes a linger wrong: */
    GC_FD_LINGER_SET = 1u << 8, /* SO_LINGER {1, N>0}: close must block as asked */
    GC_FD_ABORTIVE = 1u << 9,   /* SO_LINGER {1, 0}: the program wants a reset */
    GC_FD_READ_SHUT = 1u << 10, /* shutdown(SHUT_RD/RDWR): late input resets anyway */
    GC_FD_REPAIR = 1u << 11,    /* TCP_REPAIR: a close must send nothing */
    GC_FD_PROGRAM_FLAGS = GC_FD_LINGER_SET | GC_FD_ABORTIVE | GC_FD_READ_SHUT | GC_FD_REPAIR,
};

struct gc_fdent {
    uint64_t cookie; /* SO_COOKIE of the socket when the entry was made */
    uint32_t flags;  /* GC_FD_* */
};

/* The table itself, for the inline test below (the close fast path). */
extern struct gc_fdent gc_fdtable[GC_FDTABLE_SIZE];

/* Whether the table knows fd at all: one load, for the common case of a
 * descriptor that is no socket of ours. */
static inline bool gc_fd_known(int fd)
{
    return (unsigned)fd < GC_FDTABLE_SIZE &&
           (__atomic_load_n(&gc_fdtable[fd].flags, __ATOMIC_ACQUIRE) & GC_FD_TRACKED);
}

void gc_fd_record(int fd, uint64_t cookie, uint32_t flags);
bool gc_fd_lookup(int fd, struct gc_fdent *out);
void gc_fd_forget(int fd);
/* Forgets the entry and returns its flags as they were when this call took
 * it (0: another close took it first): of a close and a signal handler's
 * close of the same number, one takes it. */
uint32_t gc_fd_take(int fd);
/* Changes the entry's flags from exactly 'from' to 'to'; false when they
 * were not 'from' (a close took the entry meanwhile). */
bool gc_fd_swap_flags(int fd, uint32_t from, uint32_t to);
void gc_fd_set_flags(int fd, uint32_t flags);
void gc_fd_clear_flags(int fd, uint32_t flags);
/* Highest descriptor number ever recorded, for bounded scans. */
int gc_fd_highwater(void);

/* The socket's cookie, or 0 when the descriptor is no socket. */
uint64_t gc_socket_cookie(int fd);

#endif
