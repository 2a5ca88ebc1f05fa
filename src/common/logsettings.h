/* logsettings.h - where graceclose's records go, how much, in which form.
 *
 * Three process-wide knobs, read once at load: the destination
 * (GRACECLOSE_LOG / log), the level (GRACECLOSE_LOG_LEVEL / log_level) and
 * the format (GRACECLOSE_LOG_FORMAT / log_format).  The config file may set
 * them in [default] only; the environment wins.  Pure parsers, no
 * allocation: shared by the library, the command and the config loader. */
#ifndef GC_LOGSETTINGS_H
#define GC_LOGSETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#define GC_LOG_PATH_MAX 4096

enum gc_log_level {
    GC_LOG_ERROR = 0, /* graceclose cannot do its job at all */
    GC_LOG_WARN,      /* a problem: bad setting, a close it could not make graceful */
    GC_LOG_INFO,      /* one record per handled close, the summary at exit */
    GC_LOG_DEBUG,     /* also every passed-through close and why */
};

enum gc_log_format { GC_LOG_TEXT = 0, GC_LOG_JSON };

enum gc_log_dest {
    GC_LOG_STDERR = 0, /* fd 2; syslog when fd 2 is a socket */
    GC_LOG_OFF,
    GC_LOG_SYSLOG,     /* the /dev/log datagram socket */
    GC_LOG_FILE,       /* an absolute path, appended to */
};

/* The defaults (gc_log_settings_default). */
#define GC_LOG_DEFAULT_DEST GC_LOG_STDERR
#define GC_LOG_DEFAULT_LEVEL GC_LOG_WARN
#define GC_LOG_DEFAULT_FORMAT GC_LOG_TEXT

/* Which knobs were given (bits of gc_log_settings.set). */
enum {
    GC_LOGSET_DEST = 1u << 0,
    GC_LOGSET_LEVEL = 1u << 1,
    GC_LOGSET_FORMAT = 1u << 2,
};

struct gc_log_settings {
    unsigned set;
    enum gc_log_dest dest;
    enum gc_log_level level;
    enum gc_log_format format;
    /* Last: setting the defaults writes only its first byte, so a process
     * logging to stderr never touches the rest (a page of its memory). */
    char path[GC_LOG_PATH_MAX]; /* GC_LOG_FILE only */
};

/* One row per knob, like settings.h's gc_knobs. */
struct gc_log_knob {
    const char *env;  /* GRACECLOSE_LOG */
    const char *key;  /* log */
    unsigned bit;     /* GC_LOGSET_* */
    bool (*apply)(struct gc_log_settings *s, const char *text, const char **why);
};

extern const struct gc_log_knob gc_log_knobs[];
extern const size_t gc_log_knob_count;

const struct gc_log_knob *gc_log_knob_by_key(const char *key);

/* Defaults: stderr, warn, text, nothing set. */
void gc_log_settings_default(struct gc_log_settings *s);

bool gc_parse_log_dest(const char *text, enum gc_log_dest *dest, const char **why);
bool gc_parse_log_level(const char *text, enum gc_log_level *out, const char **why);
bool gc_parse_log_format(const char *text, enum gc_log_format *out, const char **why);

const char *gc_log_level_name(enum gc_log_level l);

/* Parses text with the knob's parser into s and marks it set; on a refused
 * value returns false with *why and leaves s unchanged. */
bool gc_log_set_text(struct gc_log_settings *s, const struct gc_log_knob *k, const char *text,
                     const char **why);

/* Lays the knobs set in 'over' onto 's'. */
void gc_log_settings_apply(const struct gc_log_settings *over, struct gc_log_settings *s);

/* Reads GRACECLOSE_LOG* with 'lookup' into 's' (knobs present only);
 * each refused value goes to problem(env, text, why, ctx). */
void gc_log_settings_from_env(struct gc_log_settings *s, char *(*lookup)(const char *),
                              void (*problem)(const char *env, const char *text,
                                              const char *why, void *ctx),
                              void *ctx);

#endif
