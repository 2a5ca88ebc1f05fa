/* log.h - where log lines go, and whether a line of a level goes at all.
 *
 * Set up once at load (gc_log_setup), from GRACECLOSE_LOG* over the config
 * file's log keys over the defaults (stderr, warn, text).  The destination
 * is opened at setup when one was named, else at the first line, at a
 * high descriptor number with close-on-exec.  A destination that fails
 * (ENOSPC, EACCES, no syslog daemon) is dropped with one message on stderr;
 * a reader that is behind costs the line, never a wait.
 *
 * With the default settings the amount is bounded: the first few warnings
 * of a process are shown, then one line saying more are only counted. */
#ifndef GC_LOG_H
#define GC_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logsettings.h"

struct gc_config;

#define GC_LOG_WARN_BURST 5 /* warnings a process shows by default */

/* At load, after the config file and before any close is handled. */
void gc_log_setup(const struct gc_config *cfg);

/* Would a line of this level be written?  False before setup. */
bool gc_log_on(enum gc_log_level level);

/* Format, and how lines start: with a time (files), with the syslog
 * header, or bare (stderr). */
enum gc_log_style { GC_STYLE_STDERR, GC_STYLE_FILE, GC_STYLE_SYSLOG };
enum gc_log_format gc_log_format_now(void);
enum gc_log_style gc_log_style_now(void);

/* Which checks a line passes before it is written. */
enum gc_log_mode {
    GC_LOG_NORMAL,    /* the level, then the default bound on warnings */
    GC_LOG_UNBOUNDED, /* the level only (lines that have bounds of their own) */
    GC_LOG_ALWAYS,    /* whatever the level (the summary in audit mode) */
};

/* Writes one finished line (see line.h). */
void gc_log_write(enum gc_log_level level, enum gc_log_mode mode, const char *buf, size_t len);
/* A line that could not be built (no buffer free): counted as dropped if it
 * would have been written. */
void gc_log_lost(enum gc_log_level level, enum gc_log_mode mode);

/* For the helper process: the settings and channel of the program whose
 * linger it takes (exported at hand-off, the channel's descriptor sent
 * along), made the helper's own for the record of that linger. */
struct gc_log_export {
    unsigned set;                 /* of the settings below (no file path: */
    enum gc_log_dest dest;        /* the channel goes along as a descriptor) */
    enum gc_log_level level;
    enum gc_log_format format;
    int style, bounded, kind, fd;
};
bool gc_log_export(struct gc_log_export *out);
void gc_log_import(const struct gc_log_export *in, int fd);

/* Warnings not shown because of the default bound; lines lost because the
 * reader was behind, the destination failed, or no line buffer was free. */
uint64_t gc_log_suppressed(void);
uint64_t gc_log_dropped(void);

#endif
