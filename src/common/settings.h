/* settings.h - the knobs of a graceful close and how their text is parsed.
 *
 * Shared by the library (environment, read once at load) and the graceclose
 * command (which validates its options with the same parsers).  Nothing here
 * allocates; every parser takes the text and returns a value or a reason. */
#ifndef GC_SETTINGS_H
#define GC_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

enum gc_policy {
    GC_POLICY_LINGER = 0, /* shutdown / drain / outq, then close */
    GC_POLICY_OFF,        /* pass-through: the kill switch */
    GC_POLICY_RESET,      /* abortive close: SO_LINGER {1,0}, then close (config rules) */
    GC_POLICY_AUDIT,      /* plain close, and a record of every close that lost or risked data */
};

/* Steps of a linger, as bits. */
enum {
    GC_STEP_SHUTDOWN = 1u << 0,
    GC_STEP_DRAIN = 1u << 1,
    GC_STEP_OUTQ = 1u << 2,
    GC_STEPS_ALL = GC_STEP_SHUTDOWN | GC_STEP_DRAIN | GC_STEP_OUTQ,
};

struct gc_settings {
    enum gc_policy policy;
    unsigned steps;       /* GC_STEP_* bits */
    uint32_t timeout_ms;  /* bound on one whole graceful close */
    uint32_t idle_ms;     /* quiet time that ends a drain once our data is acknowledged;
                             also: a peer quiet this long, with nothing unread and
                             all acknowledged, gets a plain close at once */
    uint64_t max_drain;   /* bytes the drain may discard before it gives up; 0: no cap */
};

/* Defaults; README explains each against nginx, Apache, lighttpd, gunicorn. */
#define GC_DEFAULT_TIMEOUT_MS 5000u
#define GC_DEFAULT_IDLE_MS 500u
#define GC_DEFAULT_MAX_DRAIN 0u /* none: the time bounds stop a flood */

/* Largest values accepted; beyond them a setting is refused as a mistake. */
#define GC_MAX_DURATION_MS (3600u * 1000u)          /* 1 hour */
#define GC_MAX_SIZE ((uint64_t)1 << 40)              /* 1 TiB */

void gc_settings_default(struct gc_settings *s);

/* Each parser returns true and stores the value, or returns false and sets
 * *why to a short static reason.  Nothing is stored on failure. */
bool gc_parse_policy(const char *text, enum gc_policy *out, const char **why);
bool gc_parse_steps(const char *text, unsigned *out, const char **why);
bool gc_parse_duration(const char *text, uint32_t *out_ms, const char **why);
bool gc_parse_size(const char *text, uint64_t *out, const char **why);

const char *gc_policy_name(enum gc_policy p);

/* Writes "shutdown,drain,outq" (the steps set in 'steps') into buf. */
void gc_steps_format(unsigned steps, char *buf, size_t len);

/* One knob: its environment name and how to parse it into a gc_settings. */
struct gc_knob {
    const char *env;    /* GRACECLOSE_TIMEOUT */
    const char *key;    /* timeout (the config-file key) */
    bool (*apply)(struct gc_settings *s, const char *text, const char **why);
    void (*format)(const struct gc_settings *s, char *buf, size_t len);
};

extern const struct gc_knob gc_knobs[];
extern const size_t gc_knob_count;

const struct gc_knob *gc_knob_by_env(const char *env);
const struct gc_knob *gc_knob_by_key(const char *key);

/* Called once per refused value: the knob, the text, the reason. */
typedef void (*gc_problem_fn)(const struct gc_knob *k, const char *text, const char *why,
                              void *ctx);

/* Some knobs given (by a config section, or by the environment): bit i of
 * 'set' means gc_knobs[i] was given and its value is in 'v'. */
struct gc_overlay {
    unsigned set;
    struct gc_settings v;
};

/* Nothing set; v holds the defaults so that a knob's apply has a base. */
void gc_overlay_clear(struct gc_overlay *o);

/* Copies the knobs set in o into s; the others keep their value. */
void gc_overlay_apply(const struct gc_overlay *o, struct gc_settings *s);

/* Parses text with the knob's own parser into o->v and marks it set; on a
 * refused value returns false with *why, and o is unchanged. */
bool gc_overlay_set_text(struct gc_overlay *o, const struct gc_knob *k, const char *text,
                         const char **why);

/* Reads every GRACECLOSE_* knob with 'lookup' (getenv or secure_getenv)
 * into an overlay: only the variables present are
 * set, so they can be laid over a config file's values. */
void gc_overlay_from_env(struct gc_overlay *o, char *(*lookup)(const char *),
                         gc_problem_fn problem, void *ctx);

#endif
