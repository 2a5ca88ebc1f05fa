/* track.h - keeping the descriptor table and the family counts up to date
 * as the wrappers see descriptors made, copied and passed on. */
#ifndef GC_TRACK_H
#define GC_TRACK_H

#include <stdbool.h>
#include <stdint.h>

/* The family count (region.h) is made only when a socket may get a second
 * holder.  Until then a socket made here with one descriptor is counted in
 * its table entry alone (GC_FD_SOLE): a process that never forks, dups a
 * socket, execs with one or passes one on never maps a count table.  Any
 * of those first moves the socket into the region ("promotes" it). */

/* Another process will share our table (CLONE_FILES without CLONE_VM):
 * every socket moves into the region, whose counts both processes see. */
void gc_track_promote_all(void);

/* Read before making a descriptor and passed to gc_track_new/copy: a
 * fork that ran meanwhile may have copied it, which counts it once more. */
unsigned gc_track_phase(void);

/* A TCP socket made here (socket, accept): one descriptor names it.
 * errno is left as it was. */
void gc_track_new(int fd, uint32_t flags, unsigned phase_before);

/* A TCP socket that came from elsewhere (exec inheritance, SCM_RIGHTS,
 * pidfd_getfd): 'n' descriptors here name it.  foreign: its other holders
 * cannot be counted (every close of it stays plain); origin_pid: the
 * process to ask at the last close (inherited from a program without the
 * library), else 0. */
void gc_track_arrived(int fd, uint32_t flags, int n, bool foreign, int origin_pid);

/* newfd now refers to what oldfd does (dup family).  errno kept. */
void gc_track_copy(int oldfd, int newfd, unsigned phase_before);

/* Another process is about to get a copy of our descriptor table:
 * delta +1 before it is made, -1 to take it back when it was not.
 * exec_survivors_only: the child execs at once (spawn, vfork), so only
 * descriptors without close-on-exec stay with it.  +1 also marks our table
 * shared (owner.h). */
void gc_track_table_copied(int delta, bool exec_survivors_only);

/* An exec is about to end this program (-1: close-on-exec descriptors
 * leave the count), or failed (+1: they are back). */
void gc_track_exec(int delta);

/* The socket named by fd went (or may go) where counts cannot follow. */
void gc_track_foreign(int fd);

/* In a vfork-like child (our memory is the parent's, so the table stays
 * as it is): the child's copies of counted sockets that would survive its
 * exec were counted when it was made; keep the count right as it closes,
 * duplicates, or exits without exec. */
struct gc_fdent;
void gc_track_foreign_child_close(int fd, const struct gc_fdent *e);
void gc_track_foreign_child_exit(void);

/* From now on nothing is tracked (policy off, or an excluded program). */
void gc_track_disable(void);

/* The table may be written: not in a vfork-like child, not disabled. */
bool gc_table_writable(void);

/* A fork is under way in some thread (atfork prepare .. parent/child). */
void gc_track_fork_begin(void);
void gc_track_fork_end(void);

#endif
