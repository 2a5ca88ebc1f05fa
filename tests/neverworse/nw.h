/* nw.h - pieces shared by the "never worse" scenario programs
 * (tests/neverworse.bats), on top of the core helpers' hx.h.
 *
 * A scenario prints one line per call it makes: "NAME=RET errno=ENAME".
 * errno is set to a marker (EDOM) before each call, so a call that leaves
 * errno alone prints "errno=EDOM"; the suite compares the whole transcript
 * with and without the library. */
#ifndef GC_TEST_NW_H
#define GC_TEST_NW_H

#include <errno.h>
#include <stddef.h>

/* errno before each reported call: a value no call here sets. */
#define NW_ERRNO_MARK EDOM

/* Sets errno to the marker; call right before the call to report. */
void nw_mark(void);

/* Prints "name=ret errno=ENAME" (errno as it is now) and flushes. */
void nw_report(const char *name, long ret);

/* Connects to the loopback port in argv-style text 'port' (family 4 or 6). */
int nw_connect_arg(int family, const char *port);

/* Blocks SIGPIPE's default action: writes then fail with EPIPE. */
void nw_ignore_sigpipe(void);

/* Sends n bytes ('x') with blocking send(MSG_NOSIGNAL), retrying after
 * EINTR, and reports "send=N errno=E" (E: the error that stopped it). */
void nw_send_bytes(int fd, size_t n);

/* Reports "close=R errno=E" for close(fd), errno marked first. */
void nw_close(const char *name, int fd);

/* Waits (at most 3 s) until input is queued on fd, without reading it, and
 * reports "input_queued=1|0 errno=E": the peer's greeting has arrived, so a
 * plain close would reset. */
void nw_await_input(int fd);

#endif
