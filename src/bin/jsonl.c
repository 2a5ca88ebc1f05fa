/* jsonl.c - flat JSON objects, one per line (see jsonl.h). */
#include "jsonl.h"

#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A JSON string at p (at its quote) into out; returns the end, or NULL. */
static const char *string(const char *p, char *out, size_t cap)
{
    size_t n = 0;

    if (*p++ != '"')
        return NULL;
    for (; *p && *p != '"'; p++) {
        char c = *p;
        if ((unsigned char)c < 0x20)
            return NULL;
        if (c == '\\') {
            p++;
            switch (*p) {
            case '"': case '\\': case '/': c = *p; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                int v = 0;
                for (int i = 1; i <= 4; i++) {
                    int h = hexval(p[i]);
                    if (h < 0)
                        return NULL;
                    v = v * 16 + h;
                }
                p += 4;
                c = v < 0x80 ? (char)v : '?';
                break;
            }
            default: return NULL;
            }
        }
        if (n + 1 < cap)
            out[n++] = c;
    }
    if (*p != '"')
        return NULL;
    out[n] = '\0';
    return p + 1;
}

/* A bare value (number, true, false, null) copied as text. */
static const char *bare(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    const char *start = p;

    while (*p && *p != ',' && *p != '}' && *p != ' ') {
        if (n + 1 < cap)
            out[n++] = *p;
        p++;
    }
    out[n] = '\0';
    return p == start ? NULL : p;
}

bool gc_jsonl_parse(const char *line, struct gc_jsonl *o)
{
    const char *p = ws(line);

    o->n = 0;
    if (*p++ != '{')
        return false;
    p = ws(p);
    if (*p == '}')
        return *ws(p + 1) == '\0' || *ws(p + 1) == '\n';
    for (;;) {
        if (o->n >= GC_JSONL_FIELDS)
            return false;
        p = string(ws(p), o->key[o->n], GC_JSONL_KEY_MAX);
        if (!p)
            return false;
        p = ws(p);
        if (*p++ != ':')
            return false;
        p = ws(p);
        if (*p == '{' || *p == '[')
            return false;
        p = *p == '"' ? string(p, o->value[o->n], GC_JSONL_VALUE_MAX)
                      : bare(p, o->value[o->n], GC_JSONL_VALUE_MAX);
        if (!p)
            return false;
        o->n++;
        p = ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p != '}')
            return false;
        p = ws(p + 1);
        return *p == '\0' || *p == '\n';
    }
}

const char *gc_jsonl_get(const struct gc_jsonl *o, const char *key)
{
    for (unsigned i = 0; i < o->n; i++)
        if (strcmp(o->key[i], key) == 0)
            return o->value[i];
    return NULL;
}

uint64_t gc_jsonl_u64(const struct gc_jsonl *o, const char *key, uint64_t def)
{
    const char *v = gc_jsonl_get(o, key);
    char *end;

    if (!v || *v < '0' || *v > '9')
        return def;
    unsigned long long n = strtoull(v, &end, 10);
    return *end == '\0' || *end == '.' ? (uint64_t)n : def;
}
