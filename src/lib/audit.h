/* audit.h - GRACECLOSE_POLICY=audit: the close stays exactly the plain
 * close; this only looks at the socket first and says what that plain
 * close will lose or risk:
 *   reset         unread input: the kernel answers the close with a reset
 *                 (its TcpExt TCPAbortOnClose counter), for certain;
 *   peer-sending  the peer has not finished and its data came after our
 *                 last write, within the idle time: what it sends after
 *                 the close is answered with a reset (Tcp OutRsts);
 *   unacked       our data not yet acknowledged: lost if a reset follows.
 * Bytes at risk: our unacknowledged bytes, what a reset throws away. */
#ifndef GC_AUDIT_H
#define GC_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

/* Call at the close that drops the last reference (after ownership is
 * decided: an earlier holder's close resets nothing), before the real
 * close.  Fills state, addresses, unread, unacked, notsent, risk; sets
 * the verdict to GC_V_AUDIT.  Returns true when something is at risk.
 * idle_ms: the socket's idle setting.  Async-signal-safe; 4 syscalls. */
bool gc_audit_assess(int fd, uint32_t idle_ms, struct gc_close_record *rec);

#endif
