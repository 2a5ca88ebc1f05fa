/* report.h - one-line diagnostics from inside a host program.
 *
 * A line goes to fd 2 with a single write(), never through stdio, and is
 * dropped when fd 2 is a socket: an inetd-style service's stderr is its
 * client, who must never receive graceclose's words. */
#ifndef GC_REPORT_H
#define GC_REPORT_H

/* Writes "graceclose: " + the pieces + "\n"; pieces end with NULL.
 * Long pieces are shortened; the line never exceeds 1024 bytes. */
void gc_report(const char *first, ...) __attribute__((sentinel));

#endif
