/* summary.h - per-process totals, written when the process ends.
 *
 * Kept in static atomic counters (no locks: closes from any thread and
 * from signal handlers feed them).  A forked child starts from zero: the
 * counters belong to the pid that made them, so _Fork and raw clone
 * children are covered without an atfork handler. */
#ifndef GC_SUMMARY_H
#define GC_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "outcome.h"

/* One close, with the time it took (microseconds). */
void gc_summary_add(enum gc_label l, const struct gc_close_record *r, uint64_t took_us);

/* A TCP socket was made or accepted here and entered the table;
 * 'replaced' when its descriptor number still held an entry, i.e. the
 * socket that had the number was closed where graceclose could not see
 * it (raw syscall, as libuv does). */
void gc_summary_socket(bool replaced);

/* At exit and _exit, after the last closes were handled: the summary
 * (level info when something was seen; always in audit mode), the count of
 * warnings not shown, and one warning when sockets were closed where
 * graceclose could not see it.  Async-signal-safe; once per process. */
void gc_summary_at_exit(void);

/* In a fork child: the counters are the parent's; start from zero. */
void gc_summary_forked(void);

#endif
