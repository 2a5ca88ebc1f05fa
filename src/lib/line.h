/* line.h - one log line, built in one of a few buffers of the process
 * (GC_LINE_MAX bytes, not on the stack: a close in a signal handler on a
 * small alternate stack may write one) and written with a single write(),
 * in the configured format:
 *   text:  [TIME ]graceclose[PID]: LEVEL: EVENT key=value ...
 *   json:  {"time":...,"level":...,"pid":...,"program":...,"event":...,...}
 * (syslog puts "<PRI>STAMP graceclose[PID]: " in front of either).
 * Async-signal-safe.  Values are shortened so that a line always fits and
 * JSON stays valid. */
#ifndef GC_LINE_H
#define GC_LINE_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"
#include "log.h"
#include "logsettings.h"

#define GC_LINE_MAX 1024

struct gc_line {
    struct gc_buf b;
    enum gc_log_level level;
    bool json;
    int slot; /* the buffer's number; -1: none was free, the line is dropped */
};

/* event NULL: a free-text problem line (gc_line_message).  Every begin is
 * ended by gc_line_send, which gives the buffer back. */
void gc_line_begin(struct gc_line *l, enum gc_log_level level, const char *event);
void gc_line_str(struct gc_line *l, const char *key, const char *value);
void gc_line_u64(struct gc_line *l, const char *key, uint64_t v);
void gc_line_i64(struct gc_line *l, const char *key, int64_t v);
void gc_line_ms(struct gc_line *l, const char *key, uint64_t us);
void gc_line_addr(struct gc_line *l, const char *key, const struct gc_addr *a);
void gc_line_message(struct gc_line *l, const char *text);
/* Writes the line, if the mode's checks let it (log.h). */
void gc_line_send(struct gc_line *l, enum gc_log_mode mode);

/* Lines from now on carry this pid and program name (the helper). */
void gc_line_identity(int pid, const char *program);

#endif
