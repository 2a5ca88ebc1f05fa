/* report.c - warnings about settings, through the log (see report.h). */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gc.h"
#include "line.h"
#include "log.h"

#define TEXT_MAX 700
#define PIECE_MAX_BYTES 400 /* a config message (path + reason) fits whole */
#define QUEUE_MAX 12        /* environment problems: one per variable at most */

struct queue {
    unsigned n;
    uint64_t more; /* not kept */
    char text[QUEUE_MAX][TEXT_MAX];
};

static struct queue config_q, other_q;
static GC_LOAD int flushed;
static GC_LOAD bool queued; /* something waits in a queue: the flush looks at them */
static char config_path[TEXT_MAX];

static void emit(const char *text)
{
    struct gc_line l;

    gc_line_begin(&l, GC_LOG_WARN, NULL);
    gc_line_message(&l, text);
    /* Load-time lines have their own bounds; runtime ones share the log's. */
    gc_line_send(&l, __atomic_load_n(&flushed, __ATOMIC_ACQUIRE) ? GC_LOG_NORMAL
                                                                  : GC_LOG_UNBOUNDED);
}

static void keep(struct queue *q, unsigned limit, const char *text)
{
    queued = true;
    if (q->n >= limit) {
        q->more++;
        return;
    }
    size_t n = strlen(text);
    if (n >= TEXT_MAX)
        n = TEXT_MAX - 1;
    memcpy(q->text[q->n], text, n);
    q->text[q->n][n] = '\0';
    q->n++;
}

void gc_report(const char *first, ...)
{
    char line[TEXT_MAX];
    size_t used = 0;
    int saved_errno = gc_errno_save();
    va_list ap;

    va_start(ap, first);
    for (const char *p = first; p; p = va_arg(ap, const char *)) {
        size_t n = strlen(p);
        bool cut = n > PIECE_MAX_BYTES;
        if (cut)
            n = PIECE_MAX_BYTES;
        if (used + n + 4 > sizeof line)
            break;
        memcpy(line + used, p, n);
        used += n;
        if (cut) {
            memcpy(line + used, "...", 3);
            used += 3;
        }
    }
    va_end(ap);
    line[used] = '\0';
    if (__atomic_load_n(&flushed, __ATOMIC_ACQUIRE))
        emit(line);
    else
        keep(&other_q, QUEUE_MAX, line);
    gc_errno_restore(saved_errno);
}

void gc_report_config(const char *text)
{
    int saved_errno = gc_errno_save();

    if (!config_path[0]) { /* "path:line: reason" or "path: reason" */
        const char *colon = strchr(text, ':');
        size_t n = colon ? (size_t)(colon - text) : 0;
        if (n < sizeof config_path) {
            memcpy(config_path, text, n);
            config_path[n] = '\0';
        }
    }
    if (__atomic_load_n(&flushed, __ATOMIC_ACQUIRE))
        emit(text);
    else
        keep(&config_q, GC_REPORT_CONFIG_SHOWN, text);
    gc_errno_restore(saved_errno);
}

void gc_report_flush(void)
{
    /* Nothing to report, the usual case: the queues' pages are never
     * touched (not even read: no page fault for them). */
    if (!queued) {
        __atomic_store_n(&flushed, 1, __ATOMIC_RELEASE);
        return;
    }
    for (unsigned i = 0; i < config_q.n; i++)
        emit(config_q.text[i]);
    if (config_q.more) {
        char num[24], *p = num + sizeof num;
        uint64_t v = config_q.more;
        *--p = '\0';
        do
            *--p = (char)('0' + v % 10);
        while ((v /= 10) && p > num);
        char line[TEXT_MAX];
        struct gc_buf b;
        gc_buf_init(&b, line, sizeof line);
        gc_put(&b, "... and ");
        gc_put(&b, p);
        gc_put(&b, config_q.more == 1 ? " more problem" : " more problems");
        gc_put(&b, " in this config file; 'graceclose check ");
        gc_put(&b, config_path);
        gc_put(&b, "' lists them all");
        line[b.len] = '\0';
        emit(line);
    }
    for (unsigned i = 0; i < other_q.n; i++)
        emit(other_q.text[i]);
    config_q.n = other_q.n = 0;
    config_q.more = other_q.more = 0;
    queued = false;
    __atomic_store_n(&flushed, 1, __ATOMIC_RELEASE);
}
