/* procscan.h - reading /proc with raw system calls only.
 *
 * No malloc, no stdio, no locks: safe inside close() and _exit(), also
 * from a signal handler.  Buffers are small and live on the stack. */
#ifndef GC_PROCSCAN_H
#define GC_PROCSCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Calls fn for every descriptor of process 'pid' (0 = this process) with
 * the text of its /proc link.  Returns 0 or -1 as below. */
int gc_proc_fd_links(pid_t pid, bool (*fn)(int fd, const char *link, void *ctx), void *ctx,
                     long *budget);

/* Calls fn for every descriptor of process 'pid' (0 = this process) whose
 * link reads "socket:[INODE]", with that inode.  fn returns false to stop.
 * Returns 0 when the whole table was read, -1 when it could not be
 * (permission, the process is gone, a budget ran out; errno says which). */
int gc_proc_socket_fds(pid_t pid, bool (*fn)(int fd, uint64_t inode, void *ctx), void *ctx,
                       long *budget);

/* Calls fn with the number of every descriptor of this process (the walk's
 * own directory descriptor among them); fn returns false to stop.  Returns
 * 0, or -1 when /proc/self/fd cannot be read.  No link is read: the
 * caller asks only about the descriptors it cares for. */
int gc_proc_self_fds(bool (*fn)(int fd, void *ctx), void *ctx);

/* Reads the /proc link of our descriptor fd into buf (NUL-terminated);
 * returns its length, or -1. */
long gc_proc_self_fd_link(int fd, char *buf, size_t len);

/* Opens /proc/self/NAME for reading (raw calls); the descriptor or -1. */
int gc_proc_open_self(const char *name);
/* Reads /proc/self/NAME into buf (NUL-terminated, at most len - 1 bytes);
 * returns the bytes read, or -1. */
long gc_proc_read_self(const char *name, char *buf, size_t len);

/* Threads of this process, or -1 when that cannot be told. */
int gc_proc_thread_count(void);

/* Some thread of this process is blocked in a read-like system call (read,
 * readv, pread, recvfrom, recvmsg, recvmmsg) on descriptor 'fd', as its
 * /proc/self/task/TID/syscall says; false also when that cannot be read. */
bool gc_proc_thread_reading(int fd);

/* Process 'pid' has an io_uring instance (in its /proc/PID/fd; the
 * answer for the last process asked is kept, a "none" for a second, and
 * for ourselves a "none" the process we were forked from found before the
 * fork, for the rest of its second).  Asked before a fork, so that the
 * children can answer without asking.
 * self: pid is the calling process, whose descriptors can be asked
 * directly: a /proc link is read only for an anonymous inode (a ring is
 * one), not for every socket and file. */
bool gc_process_uses_io_uring(int pid, bool self);

/* Our own descriptors held no ring when last asked, less than a second
 * ago: by this process, or by the one it was forked from (before the fork,
 * so the answer is about the table this process got a copy of).  A "none"
 * is believed for a second either way. */
bool gc_own_uring_none_lately(uint64_t now_ms);

#endif
