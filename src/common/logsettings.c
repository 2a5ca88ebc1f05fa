/* logsettings.c - parsers for the logging knobs (see logsettings.h). */
#include "logsettings.h"

#include <string.h>

void gc_log_settings_default(struct gc_log_settings *s)
{
    s->set = 0;
    s->dest = GC_LOG_DEFAULT_DEST;
    s->path[0] = '\0';
    s->level = GC_LOG_DEFAULT_LEVEL;
    s->format = GC_LOG_DEFAULT_FORMAT;
}

bool gc_parse_log_dest(const char *text, enum gc_log_dest *dest, const char **why)
{
    if (strcmp(text, "off") == 0)
        *dest = GC_LOG_OFF;
    else if (strcmp(text, "stderr") == 0)
        *dest = GC_LOG_STDERR;
    else if (strcmp(text, "syslog") == 0)
        *dest = GC_LOG_SYSLOG;
    else if (text[0] == '/' && text[1] != '\0' && text[strlen(text) - 1] != '/') {
        if (strlen(text) >= GC_LOG_PATH_MAX) {
            *why = "is too long a path";
            return false;
        }
        *dest = GC_LOG_FILE;
    } else {
        /* A relative path would follow the program's working directory. */
        *why = "is not off, stderr, syslog or an absolute file path";
        return false;
    }
    return true;
}

static const char *const level_names[] = {"error", "warn", "info", "debug"};

const char *gc_log_level_name(enum gc_log_level l)
{
    return (unsigned)l < 4 ? level_names[l] : "?";
}

bool gc_parse_log_level(const char *text, enum gc_log_level *out, const char **why)
{
    for (unsigned i = 0; i < 4; i++)
        if (strcmp(text, level_names[i]) == 0) {
            *out = (enum gc_log_level)i;
            return true;
        }
    *why = "is not a log level (error, warn, info or debug)";
    return false;
}

bool gc_parse_log_format(const char *text, enum gc_log_format *out, const char **why)
{
    if (strcmp(text, "text") == 0)
        *out = GC_LOG_TEXT;
    else if (strcmp(text, "json") == 0)
        *out = GC_LOG_JSON;
    else {
        *why = "is not a log format (text or json)";
        return false;
    }
    return true;
}

static bool apply_dest(struct gc_log_settings *s, const char *t, const char **why)
{
    enum gc_log_dest d;

    if (!gc_parse_log_dest(t, &d, why))
        return false;
    s->dest = d;
    if (d == GC_LOG_FILE)
        memcpy(s->path, t, strlen(t) + 1);
    else
        s->path[0] = '\0';
    return true;
}
static bool apply_level(struct gc_log_settings *s, const char *t, const char **why)
{
    return gc_parse_log_level(t, &s->level, why);
}
static bool apply_format(struct gc_log_settings *s, const char *t, const char **why)
{
    return gc_parse_log_format(t, &s->format, why);
}

const struct gc_log_knob gc_log_knobs[] = {
    {"GRACECLOSE_LOG", "log", GC_LOGSET_DEST, apply_dest},
    {"GRACECLOSE_LOG_LEVEL", "log_level", GC_LOGSET_LEVEL, apply_level},
    {"GRACECLOSE_LOG_FORMAT", "log_format", GC_LOGSET_FORMAT, apply_format},
};
const size_t gc_log_knob_count = sizeof gc_log_knobs / sizeof gc_log_knobs[0];

const struct gc_log_knob *gc_log_knob_by_key(const char *key)
{
    for (size_t i = 0; i < gc_log_knob_count; i++)
        if (strcmp(gc_log_knobs[i].key, key) == 0)
            return &gc_log_knobs[i];
    return NULL;
}

bool gc_log_set_text(struct gc_log_settings *s, const struct gc_log_knob *k, const char *text,
                     const char **why)
{
    if (!k->apply(s, text, why))
        return false;
    s->set |= k->bit;
    return true;
}

void gc_log_settings_apply(const struct gc_log_settings *over, struct gc_log_settings *s)
{
    if (over->set & GC_LOGSET_DEST) {
        s->dest = over->dest;
        memcpy(s->path, over->path, strlen(over->path) + 1);
    }
    if (over->set & GC_LOGSET_LEVEL)
        s->level = over->level;
    if (over->set & GC_LOGSET_FORMAT)
        s->format = over->format;
    s->set |= over->set;
}

void gc_log_settings_from_env(struct gc_log_settings *s, char *(*lookup)(const char *),
                              void (*problem)(const char *env, const char *text,
                                              const char *why, void *ctx),
                              void *ctx)
{
    for (size_t i = 0; i < gc_log_knob_count; i++) {
        const char *text = lookup(gc_log_knobs[i].env);
        const char *why = NULL;

        if (text && !gc_log_set_text(s, &gc_log_knobs[i], text, &why) && problem)
            problem(gc_log_knobs[i].env, text, why, ctx);
    }
}
