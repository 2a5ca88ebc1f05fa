/* settings.c - defaults and parsers for the graceful-close knobs.
 * Pure functions: no allocation, no stdio, usable from any context. */
#include "settings.h"

#include <string.h>

void gc_settings_default(struct gc_settings *s)
{
    s->policy = GC_POLICY_LINGER;
    s->steps = GC_STEPS_ALL;
    s->timeout_ms = GC_DEFAULT_TIMEOUT_MS;
    s->idle_ms = GC_DEFAULT_IDLE_MS;
    s->max_drain = GC_DEFAULT_MAX_DRAIN;
}

const char *gc_policy_name(enum gc_policy p)
{
    switch (p) {
    case GC_POLICY_OFF: return "off";
    case GC_POLICY_RESET: return "reset";
    case GC_POLICY_AUDIT: return "audit";
    default: return "linger";
    }
}

bool gc_parse_policy(const char *text, enum gc_policy *out, const char **why)
{
    if (strcmp(text, "linger") == 0)
        *out = GC_POLICY_LINGER;
    else if (strcmp(text, "off") == 0)
        *out = GC_POLICY_OFF;
    else if (strcmp(text, "reset") == 0)
        *out = GC_POLICY_RESET;
    else if (strcmp(text, "audit") == 0)
        *out = GC_POLICY_AUDIT;
    else {
        *why = "is not a policy (linger, off, reset or audit)";
        return false;
    }
    return true;
}

static const struct {
    const char *name;
    unsigned bit;
} step_names[] = {
    {"shutdown", GC_STEP_SHUTDOWN},
    {"drain", GC_STEP_DRAIN},
    {"outq", GC_STEP_OUTQ},
};

bool gc_parse_steps(const char *text, unsigned *out, const char **why)
{
    unsigned steps = 0;
    const char *p = text;

    if (*p == '\0') {
        *why = "is empty (a comma list of shutdown, drain, outq)";
        return false;
    }
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        unsigned bit = 0;

        for (size_t i = 0; i < sizeof step_names / sizeof step_names[0]; i++)
            if (strlen(step_names[i].name) == len && strncmp(p, step_names[i].name, len) == 0)
                bit = step_names[i].bit;
        if (bit == 0) {
            *why = "is not a comma list of shutdown, drain, outq";
            return false;
        }
        steps |= bit;
        if (!end)
            break;
        p = end + 1;
    }
    *out = steps;
    return true;
}

void gc_steps_format(unsigned steps, char *buf, size_t len)
{
    size_t used = 0;

    if (len == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof step_names / sizeof step_names[0]; i++) {
        if (!(steps & step_names[i].bit))
            continue;
        size_t n = strlen(step_names[i].name);
        if (used + n + 2 > len)
            break;
        if (used)
            buf[used++] = ',';
        memcpy(buf + used, step_names[i].name, n);
        used += n;
        buf[used] = '\0';
    }
}

/* Reads the leading decimal digits of text into *value; returns the rest,
 * or NULL when there is no digit or the number does not fit. */
static const char *parse_digits(const char *text, uint64_t *value)
{
    uint64_t v = 0;
    const char *p = text;

    while (*p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return NULL;
        v = v * 10 + d;
        p++;
    }
    if (p == text)
        return NULL;
    *value = v;
    return p;
}

bool gc_parse_duration(const char *text, uint32_t *out_ms, const char **why)
{
    uint64_t v, scale;
    const char *unit = parse_digits(text, &v);

    if (!unit) {
        *why = "is not a duration (a whole number with a unit, like 250ms or 2s)";
        return false;
    }
    if (strcmp(unit, "ms") == 0)
        scale = 1;
    else if (strcmp(unit, "s") == 0)
        scale = 1000;
    else if (strcmp(unit, "m") == 0 || strcmp(unit, "min") == 0)
        scale = 60000;
    else {
        *why = *unit ? "has an unknown unit (use ms, s or m, like 250ms or 2s)"
                     : "has no unit (write 250ms or 2s)";
        return false;
    }
    if (v > GC_MAX_DURATION_MS / scale) {
        *why = "is too long (at most 1 hour)";
        return false;
    }
    *out_ms = (uint32_t)(v * scale);
    return true;
}

bool gc_parse_size(const char *text, uint64_t *out, const char **why)
{
    uint64_t v, scale = 1;
    const char *unit = parse_digits(text, &v);

    if (!unit) {
        *why = "is not a size (a whole number of bytes, or with k, m or g, like 64k)";
        return false;
    }
    if (*unit) {
        switch (unit[0] | 0x20) {
        case 'k': scale = 1024; break;
        case 'm': scale = 1024 * 1024; break;
        case 'g': scale = 1024 * 1024 * 1024; break;
        default: scale = 0; break;
        }
        if (scale == 0 || unit[1] != '\0') {
            *why = "has an unknown unit (use k, m or g, like 64k or 1m)";
            return false;
        }
    }
    if (v > GC_MAX_SIZE / scale) {
        *why = "is too large (at most 1024g)";
        return false;
    }
    *out = v * scale;
    return true;
}

/* ---- the knob table: one row per setting ---- */

static void fmt_u64(uint64_t v, const char *suffix, char *buf, size_t len)
{
    char tmp[32];
    size_t n = 0, i = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof tmp);
    while (n && i + 1 < len)
        buf[i++] = tmp[--n];
    while (*suffix && i + 1 < len)
        buf[i++] = *suffix++;
    if (len)
        buf[i] = '\0';
}

static void fmt_duration(uint32_t ms, char *buf, size_t len)
{
    if (ms % 1000 == 0)
        fmt_u64(ms / 1000, "s", buf, len);
    else
        fmt_u64(ms, "ms", buf, len);
}

static void fmt_size(uint64_t v, char *buf, size_t len)
{
    if (v && v % (1024 * 1024 * 1024) == 0)
        fmt_u64(v >> 30, "g", buf, len);
    else if (v && v % (1024 * 1024) == 0)
        fmt_u64(v >> 20, "m", buf, len);
    else if (v && v % 1024 == 0)
        fmt_u64(v >> 10, "k", buf, len);
    else
        fmt_u64(v, "", buf, len);
}

static bool apply_policy(struct gc_settings *s, const char *t, const char **why)
{
    return gc_parse_policy(t, &s->policy, why);
}
static bool apply_steps(struct gc_settings *s, const char *t, const char **why)
{
    return gc_parse_steps(t, &s->steps, why);
}
static bool apply_timeout(struct gc_settings *s, const char *t, const char **why)
{
    return gc_parse_duration(t, &s->timeout_ms, why);
}
static bool apply_idle(struct gc_settings *s, const char *t, const char **why)
{
    return gc_parse_duration(t, &s->idle_ms, why);
}
static bool apply_max_drain(struct gc_settings *s, const char *t, const char **why)
{
    if (strcmp(t, "none") == 0) { /* the time bounds alone stop a flood */
        s->max_drain = 0;
        return true;
    }
    return gc_parse_size(t, &s->max_drain, why);
}

static void format_policy(const struct gc_settings *s, char *buf, size_t len)
{
    const char *name = gc_policy_name(s->policy);
    size_t n = strlen(name);
    if (n >= len)
        n = len ? len - 1 : 0;
    if (len) {
        memcpy(buf, name, n);
        buf[n] = '\0';
    }
}
static void format_steps(const struct gc_settings *s, char *buf, size_t len)
{
    gc_steps_format(s->steps, buf, len);
}
static void format_timeout(const struct gc_settings *s, char *buf, size_t len)
{
    fmt_duration(s->timeout_ms, buf, len);
}
static void format_idle(const struct gc_settings *s, char *buf, size_t len)
{
    fmt_duration(s->idle_ms, buf, len);
}
static void format_max_drain(const struct gc_settings *s, char *buf, size_t len)
{
    if (s->max_drain == 0) {
        if (len >= 5)
            memcpy(buf, "none", 5);
        return;
    }
    fmt_size(s->max_drain, buf, len);
}

const struct gc_knob gc_knobs[] = {
    {"GRACECLOSE_POLICY", "policy", apply_policy, format_policy},
    {"GRACECLOSE_STEPS", "steps", apply_steps, format_steps},
    {"GRACECLOSE_TIMEOUT", "timeout", apply_timeout, format_timeout},
    {"GRACECLOSE_IDLE", "idle", apply_idle, format_idle},
    {"GRACECLOSE_MAX_DRAIN", "max_drain", apply_max_drain, format_max_drain},
};
const size_t gc_knob_count = sizeof gc_knobs / sizeof gc_knobs[0];

const struct gc_knob *gc_knob_by_env(const char *env)
{
    for (size_t i = 0; i < gc_knob_count; i++)
        if (strcmp(gc_knobs[i].env, env) == 0)
            return &gc_knobs[i];
    return NULL;
}

const struct gc_knob *gc_knob_by_key(const char *key)
{
    for (size_t i = 0; i < gc_knob_count; i++)
        if (strcmp(gc_knobs[i].key, key) == 0)
            return &gc_knobs[i];
    return NULL;
}

/* ---- overlays: some knobs, laid over settings in order of precedence ---- */

/* Where each knob lives in struct gc_settings, in gc_knobs order. */
static const struct {
    size_t off, size;
} knob_fields[] = {
    {offsetof(struct gc_settings, policy), sizeof(enum gc_policy)},
    {offsetof(struct gc_settings, steps), sizeof(unsigned)},
    {offsetof(struct gc_settings, timeout_ms), sizeof(uint32_t)},
    {offsetof(struct gc_settings, idle_ms), sizeof(uint32_t)},
    {offsetof(struct gc_settings, max_drain), sizeof(uint64_t)},
};
_Static_assert(sizeof knob_fields / sizeof knob_fields[0] == sizeof gc_knobs / sizeof gc_knobs[0],
               "knob_fields must follow gc_knobs row by row");

void gc_overlay_clear(struct gc_overlay *o)
{
    o->set = 0;
    gc_settings_default(&o->v);
}

void gc_overlay_apply(const struct gc_overlay *o, struct gc_settings *s)
{
    for (size_t i = 0; i < gc_knob_count; i++)
        if (o->set & (1u << i))
            memcpy((char *)s + knob_fields[i].off, (const char *)&o->v + knob_fields[i].off,
                   knob_fields[i].size);
}

bool gc_overlay_set_text(struct gc_overlay *o, const struct gc_knob *k, const char *text,
                         const char **why)
{
    if (!k->apply(&o->v, text, why))
        return false;
    o->set |= 1u << (unsigned)(k - gc_knobs);
    return true;
}

void gc_overlay_from_env(struct gc_overlay *o, char *(*lookup)(const char *),
                         gc_problem_fn problem, void *ctx)
{
    for (size_t i = 0; i < gc_knob_count; i++) {
        const char *text = lookup(gc_knobs[i].env);
        const char *why = NULL;

        if (!text)
            continue;
        if (!gc_overlay_set_text(o, &gc_knobs[i], text, &why) && problem)
            problem(&gc_knobs[i], text, why, ctx);
    }
}
