/* procscan.h - reading /proc with raw system calls only.
 *
 * No malloc, no stdio, no locks: safe inside close() and _exit(), also
 * from a signal handler.  Buffers are small and live on the stack. */
#ifndef GC_PROCSCAN_H
#define GC_PROCSCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Calls fn for every descriptor of process 'pid' (0 = this process) whose
 * link reads "socket:[INODE]", with that inode.  fn returns false to stop.
 * Returns 0 when the whole table was read, -1 when it could not be
 * (permission, the process is gone, a budget ran out; errno says which). */
int gc_proc_socket_fds(pid_t pid, bool (*fn)(int fd, uint64_t inode, void *ctx), void *ctx,
                       long *budget);

/* Calls fn for every child of every thread of 'pid'.  Returns 0 or -1. */
int gc_proc_children(pid_t pid, bool (*fn)(pid_t child, void *ctx), void *ctx, long *budget);

/* True when this process has threads besides the caller (or when that
 * cannot be told). */
bool gc_proc_other_threads(void);

/* Calls fn for every process in /proc; 0 or -1. */
int gc_proc_all_pids(bool (*fn)(pid_t pid, void *ctx), void *ctx, long *budget);


#endif
