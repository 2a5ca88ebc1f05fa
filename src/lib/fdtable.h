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
    GC_FD_TRACKED = 1u << 0,  /* entry in use: a TCP socket we know of */
    GC_FD_ACCEPTED = 1u << 1, /* came from accept (role), else from socket() */
    GC_FD_DUPED = 1u << 2,    /* another descriptor here may name the same socket */
    GC_FD_ELSEWHERE = 1u << 3, /* a copy lives where the table cannot see it:
                                  sent with SCM_RIGHTS, or dup'd past the table */
    GC_FD_INHERITED = 1u << 4, /* open when the library loaded (exec inheritance) */
};

struct gc_fdent {
    uint64_t cookie; /* SO_COOKIE of the socket when the entry was made */
    uint32_t gen;    /* fork generation when the socket was made */
    uint32_t flags;  /* GC_FD_* */
};

/* Fork generation: bumped whenever another process may have gained copies
 * of this process's descriptors (fork, posix_spawn, system, popen). */
uint32_t gc_fork_gen(void);
void gc_fork_gen_bump(void);

void gc_fd_record(int fd, uint64_t cookie, uint32_t gen, uint32_t flags);
bool gc_fd_lookup(int fd, struct gc_fdent *out);
void gc_fd_forget(int fd);
/* newfd now names what oldfd names (dup family); both are marked DUPED. */
void gc_fd_copy(int oldfd, int newfd);
/* Sets 'flag' on every entry holding 'cookie'. */
void gc_fd_flag_cookie(uint64_t cookie, uint32_t flag);
/* Highest descriptor number ever recorded, for bounded scans. */
int gc_fd_highwater(void);

/* The socket's cookie, or 0 when the descriptor is no socket. */
uint64_t gc_socket_cookie(int fd);

#endif
