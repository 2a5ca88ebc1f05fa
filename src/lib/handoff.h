/* handoff.h - close() gives the linger to a helper process and returns.
 *
 * One helper, graceclose-lingerd, serves a whole family of processes: it is
 * started (at the first fork of a process that holds sockets, or at the
 * first close that needs it) with one end of a SOCK_SEQPACKET pair; the
 * other end stays open in the family at a high descriptor number, also
 * across fork and exec, so every process of the family sends its lingers
 * there: a message with the plan and the socket itself (SCM_RIGHTS).  The
 * helper lingers on every socket it holds and ends when every sender has
 * gone and its last linger is over.  A helper that cannot be started or
 * reached means a plain close, counted. */
#ifndef GC_HANDOFF_H
#define GC_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "policy.h"
#include "record.h"

/* What travels with the socket. */
struct gc_handoff {
    struct gc_plan plan;
    struct gc_close_record rec;
    /* (The sender's pid is not here: SCM_CREDENTIALS brings it.) */
    char program[64];       /* its name, for the record the helper writes */
    bool has_log;           /* log settings below, and their channel sent along */
    struct gc_log_export log;
};

/* Gives the linger of 'fd' (the last descriptor of its socket) to the
 * helper.  The caller then closes fd as usual.  On success rec->verdict is
 * GC_V_LINGER; on failure it says why (the close is then plain).
 * Async-signal-safe once the helper runs; starting it is too (raw clone
 * and execve). */
bool gc_handoff_take(int fd, const struct gc_plan *plan, struct gc_close_record *rec);

/* Before a fork of a process that holds tracked sockets: start the helper
 * now, so that every child finds it instead of starting its own.  True
 * where lingers can happen (the same test). */
bool gc_handoff_before_fork(void);

/* At load: the library's own path (the helper is looked for beside it,
 * else in the install's libexec directory, when the first one starts). */
void gc_handoff_init(const char *library_path);
bool gc_handoff_attach(int fd);

/* ownfd.c moved the channel's descriptor. */
bool gc_handoff_moved(int from, int to);

#endif
