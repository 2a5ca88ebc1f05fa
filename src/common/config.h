/* config.h - the config file (graceclose.conf(5)) read into a ruleset.
 *
 * Loading runs once, at library load or in the command; it reads the file
 * with plain read() into fixed-size storage (no allocation), reports every
 * problem as "file:line: reason" through a callback and keeps going.  The
 * loaded struct is then read-only: rules.h matches sockets against it. */
#ifndef GC_CONFIG_FILE_H
#define GC_CONFIG_FILE_H

#include "logsettings.h"
#include "settings.h"

#include <stdbool.h>
#include <stdint.h>

#define GC_MAX_RULES 256       /* rule sections kept; more are reported and ignored */
#define GC_MAX_PROGRAMS 64     /* names in each of only_programs / skip_programs */
#define GC_NAME_MAX 64         /* section and program names, with the NUL */
#define GC_PATH_MAX 4096
#define GC_CONFIG_LINE_MAX 4096       /* longer lines are reported and skipped */
#define GC_CONFIG_FILE_MAX (16u << 20) /* a bigger file is not a config file */

/* How the socket came to this process. */
enum gc_role {
    GC_ROLE_UNKNOWN = 0, /* inherited, or not known: matches no role rule */
    GC_ROLE_ACCEPTED,    /* from accept() / accept4() */
    GC_ROLE_CONNECTED,   /* from socket() + connect() */
};

/* Which criteria a rule has (bits of gc_match.what). */
enum {
    GC_MATCH_PROGRAM = 1u << 0,
    GC_MATCH_LOCAL_PORT = 1u << 1,
    GC_MATCH_REMOTE_PORT = 1u << 2,
    GC_MATCH_REMOTE_ADDR = 1u << 3,
    GC_MATCH_ROLE = 1u << 4,
};

/* What a rule matches; every criterion given must hold (AND). */
struct gc_match {
    unsigned what;
    char program[GC_NAME_MAX];
    uint16_t local_lo, local_hi;   /* inclusive port ranges */
    uint16_t remote_lo, remote_hi;
    int family;                    /* AF_INET or AF_INET6 (v4-mapped stored as AF_INET) */
    uint8_t addr[16];              /* network order; host bits cleared */
    uint8_t prefix;                /* 0..32 or 0..128 */
    enum gc_role role;
};

struct gc_rule {
    char name[GC_NAME_MAX];
    unsigned line;        /* of the [name] header */
    bool disabled;        /* a criterion was bad: the rule can never match */
    unsigned specificity; /* number of criteria */
    struct gc_match m;
    struct gc_overlay o;  /* the settings it gives */
};

struct gc_program_name {
    char name[GC_NAME_MAX];
    unsigned line;
};

struct gc_config {
    char path[GC_PATH_MAX];  /* as given to the loader, for messages */
    bool loaded;             /* a file was read (possibly with problems) */
    unsigned default_line;   /* first line of [default], 0 if none */
    struct gc_overlay defaults;
    unsigned default_key_line[16]; /* line that set gc_knobs[i] in [default] */
    unsigned nrules;
    struct gc_rule rules[GC_MAX_RULES];
    unsigned nonly, nskip;
    struct gc_program_name only[GC_MAX_PROGRAMS]; /* only_programs: allow list */
    struct gc_program_name skip[GC_MAX_PROGRAMS]; /* skip_programs: deny list */
    unsigned problems;       /* diagnostics given while loading */
    struct gc_log_settings log;   /* log, log_level, log_format ([default] only) */
    unsigned log_key_line[3];     /* line that set gc_log_knobs[i] */
};

/* One diagnostic: "file:line: reason" (or "file: reason"), no newline. */
typedef void (*gc_config_diag_fn)(const char *text, void *ctx);

enum gc_config_status {
    GC_CONFIG_OK = 0,      /* read; cfg->problems tells whether lines were refused */
    GC_CONFIG_MISSING,     /* no such file: built-in defaults, nothing reported */
    GC_CONFIG_UNREADABLE,  /* cannot be opened or read, or not a regular file: defaults */
    GC_CONFIG_BROKEN,      /* not a text file (NUL bytes, too big): defaults */
};

/* Empty ruleset: nothing set, no rules, every program allowed. */
void gc_config_init(struct gc_config *cfg);

/* Reads path into cfg (initialised here).  diag may be NULL.  Uses static
 * buffers: call it from one thread at a time (at load, in the command). */
enum gc_config_status gc_config_load_file(struct gc_config *cfg, const char *path,
                                          gc_config_diag_fn diag, void *ctx);

/* Parses text that is already in memory (len bytes) as if it were the file
 * 'path': the same checks, used by the loader and the unit tests. */
enum gc_config_status gc_config_load_text(struct gc_config *cfg, const char *path,
                                          const char *text, size_t len,
                                          gc_config_diag_fn diag, void *ctx);

#endif
