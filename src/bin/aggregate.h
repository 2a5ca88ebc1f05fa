/* aggregate.h - the table at the end of 'graceclose --audit -- CMD': the
 * JSON Lines records of every process of the run, merged by program and
 * connection. */
#ifndef GC_AGGREGATE_H
#define GC_AGGREGATE_H

#include <stdint.h>
#include <stdio.h>

/* Reads the records written to 'path' from byte 'offset' on and prints
 * the table to 'out'.  opens: TCP connections the machine opened during
 * the run (Tcp ActiveOpens + PassiveOpens), or UINT64_MAX when unknown;
 * used only to say something when no record came at all.  Returns the
 * number of closes at risk, or -1 when the file cannot be read. */
long gc_audit_report(const char *path, long offset, FILE *out, uint64_t opens);

/* Tcp ActiveOpens + PassiveOpens of this network namespace, or UINT64_MAX. */
uint64_t gc_tcp_opens(void);

#endif
