/* progname.h - the names a program goes by, gathered once at load.
 *
 * Rules and program lists match any of them: the process name the kernel
 * shows in ps and /proc/PID/comm (the base name it was started by, or a
 * script's name), the base name of argv[0], and the base name of the real
 * executable (/proc/self/exe).  Debian's /usr/bin/redis-server is a link
 * to redis-check-rdb: the process is "redis-server" to its user and
 * "redis-check-rdb" to the file system, and rules for either match. */
#ifndef GC_PROGNAME_H
#define GC_PROGNAME_H

#define GC_PROGNAMES_MAX 200

/* Gathers the names but the real executable's (read when first needed:
 * it is only shown by records and matched by rules); returns them as one
 * string, "primary/other/...", ('/' cannot occur in a base name), or NULL
 * when none is known.  Rules match it with gc_program_names_match
 * (rules.h).  Not async-signal-safe: call it from the constructor. */
const char *gc_progname_init(void);

/* The same string with the real executable's name added (for rules: call
 * it from the constructor when there is a config file). */
const char *gc_progname_with_exe(void);

/* The name records show (the process name, or argv[0]'s base name when
 * the process name is cut to 15 bytes); "?" before init.  Async-signal-safe. */
const char *gc_progname_primary(void);

/* The real executable's base name, or "" when it is the primary name (or
 * cannot be read).  Read on the first call, with raw system calls into a
 * static buffer; async-signal-safe. */
const char *gc_progname_exe(void);

#endif
