/* jsonl.h - reads the flat JSON objects graceclose's log writes, one per
 * line: string, number, true/false/null values; no nesting. */
#ifndef GC_JSONL_H
#define GC_JSONL_H

#include <stdbool.h>
#include <stdint.h>

#define GC_JSONL_FIELDS 40
#define GC_JSONL_KEY_MAX 32
#define GC_JSONL_VALUE_MAX 256

struct gc_jsonl {
    unsigned n;
    char key[GC_JSONL_FIELDS][GC_JSONL_KEY_MAX];
    char value[GC_JSONL_FIELDS][GC_JSONL_VALUE_MAX]; /* strings decoded */
};

/* Parses one line; false when it is not such an object (a torn or foreign
 * line).  Values longer than the buffer are cut. */
bool gc_jsonl_parse(const char *line, struct gc_jsonl *out);

/* The value of key, or NULL. */
const char *gc_jsonl_get(const struct gc_jsonl *o, const char *key);
/* The value as an unsigned number; def when absent or not a number. */
uint64_t gc_jsonl_u64(const struct gc_jsonl *o, const char *key, uint64_t def);

#endif
