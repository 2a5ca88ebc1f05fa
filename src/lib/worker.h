/* worker.h - the lingering thread: close() hands it a copy of the socket
 * and returns at once; the thread lingers on every copy it holds.
 *
 * Started lazily, at the first close that needs it, with every signal
 * blocked.  A fork child drops the copies it inherited (the parent's
 * thread lingers on them); exit waits for the lingers in flight under
 * the exit's deadline. */
#ifndef GC_WORKER_H
#define GC_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "record.h"

#define GC_LINGERS_MAX 256 /* in flight per process; past it: plain close */

/* Takes over the graceful close of 'fd' (the last descriptor of its
 * socket).  give_fd: the thread gets 'fd' itself and closes it (exit);
 * else it gets a high copy, and the caller closes 'fd' as usual.  On
 * success rec->verdict is GC_V_LINGER and the thread records the close
 * when it ends; on failure rec->verdict says why (plain close). */
bool gc_worker_take(int fd, bool give_fd, const struct gc_plan *plan,
                    struct gc_close_record *rec);

/* Waits until no linger is in flight or 'deadline_ms' passes. */
void gc_worker_wait(uint64_t deadline_ms);

/* Whether the thread runs (it is no program thread). */
bool gc_worker_running(void);

/* Before a fork (or fork-like clone): make the channel on which children
 * hand their lingers to this process's thread (once; no-op without any
 * tracked socket). */
void gc_worker_before_fork(void);

/* In a fork child: the copies belong to the parent's lingers; close them.
 * The child hands its own lingers to the parent's thread from now on. */
void gc_worker_forget_after_fork(void);

/* ownfd.c moved one of the thread's descriptors. */
bool gc_worker_moved(int from, int to);

#endif
