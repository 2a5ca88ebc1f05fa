/* line.c - building one log line (see line.h). */
#include "line.h"
#include "gc.h"

#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "progname.h"

/* The helper writes the records of other processes' closes: theirs is
 * the identity a line carries (gc_line_identity). */
static int identity_pid;
static char identity_program[64];

void gc_line_identity(int pid, const char *program)
{
    identity_pid = pid;
    size_t n = program ? strlen(program) : 0;
    if (n >= sizeof identity_program)
        n = sizeof identity_program - 1;
    memcpy(identity_program, program ? program : "", n);
    identity_program[n] = '\0';
}

static int line_pid(void)
{
    return identity_pid ? identity_pid : (int)getpid();
}

static const char *line_program(void)
{
    return identity_pid ? identity_program : gc_progname_primary();
}

#define VALUE_MAX 200   /* a field value; a line has room for a few */
#define MESSAGE_MAX 600 /* a free-text message (a config problem with its path) */

static const int syslog_prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

/* A value cut to at most max bytes, at a UTF-8 character boundary. */
static size_t cut_len(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static void put_json_cut(struct gc_buf *b, const char *s, size_t max)
{
    size_t n = cut_len(s, max);

    if (n == strlen(s)) {
        gc_put_json_n(b, s, n);
        return;
    }
    gc_put_json_n(b, s, n);
    if (b->len > 0 && !b->cut) { /* "...": inside the quotes */
        b->len--;
        gc_put(b, "...\"");
    }
}

/* Text values are bare unless they hold a space, a quote, '=' or a
 * control character (or are empty): then JSON-quoted. */
static void put_text_value(struct gc_buf *b, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
            plain = false;
    if (plain)
        gc_putn(b, s, cut_len(s, VALUE_MAX));
    else
        put_json_cut(b, s, VALUE_MAX);
}

static void key(struct gc_line *l, const char *k)
{
    if (l->json) {
        gc_put(&l->b, ",\"");
        gc_put(&l->b, k);
        gc_put(&l->b, "\":");
    } else {
        gc_putc(&l->b, ' ');
        gc_put(&l->b, k);
        gc_putc(&l->b, '=');
    }
}

/* Lines are built in a few buffers shared by the whole process, claimed
 * with a compare-and-swap: async-signal-safe (a handler that interrupts a
 * line takes another buffer), no allocation, and no per-thread memory
 * (thread-local buffers made every thread, and the initial static TLS
 * block, 2 KiB larger).  A line that finds them all busy is dropped. */
#define LINE_BUFS 16
static char line_mem[LINE_BUFS][GC_LINE_MAX];
static GC_LOAD unsigned line_busy; /* bit i: line_mem[i] is in use */

static int claim_buffer(void)
{
    unsigned busy = __atomic_load_n(&line_busy, __ATOMIC_ACQUIRE);
    for (int tries = 0; tries < 64 && busy != (1u << LINE_BUFS) - 1; tries++) {
        int i = __builtin_ctz(~busy);
        if (__atomic_compare_exchange_n(&line_busy, &busy, busy | 1u << i, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return i;
    }
    return -1;
}

void gc_line_begin(struct gc_line *l, enum gc_log_level level, const char *event)
{
    struct timespec now;
    enum gc_log_style style = gc_log_style_now();
    static char no_mem[1];

    l->slot = claim_buffer();
    if (l->slot < 0)
        gc_buf_init(&l->b, no_mem, sizeof no_mem);
    else
        gc_buf_init(&l->b, line_mem[l->slot], GC_LINE_MAX);
    l->level = level;
    l->json = gc_log_format_now() == GC_LOG_JSON;
    clock_gettime(CLOCK_REALTIME, &now);

    if (style == GC_STYLE_SYSLOG) {
        gc_putc(&l->b, '<');
        gc_put_u64(&l->b, (uint64_t)(LOG_USER | syslog_prio[level & 3]));
        gc_putc(&l->b, '>');
        gc_put_time_syslog(&l->b, now.tv_sec);
        gc_putc(&l->b, ' ');
    }
    if (l->json) {
        if (style == GC_STYLE_SYSLOG) {
            gc_put(&l->b, "graceclose[");
            gc_put_i64(&l->b, line_pid());
            gc_put(&l->b, "]: ");
        }
        gc_put(&l->b, "{\"time\":\"");
        gc_put_time_utc(&l->b, now.tv_sec, (unsigned)(now.tv_nsec / 1000000));
        gc_put(&l->b, "\",\"level\":\"");
        gc_put(&l->b, gc_log_level_name(level));
        gc_put(&l->b, "\",\"pid\":");
        gc_put_i64(&l->b, line_pid());
        gc_put(&l->b, ",\"program\":");
        put_json_cut(&l->b, line_program(), VALUE_MAX);
        if (*gc_progname_exe()) {
            gc_put(&l->b, ",\"exe\":");
            put_json_cut(&l->b, gc_progname_exe(), VALUE_MAX);
        }
        gc_put(&l->b, ",\"event\":\"");
        gc_put(&l->b, event ? event : "problem");
        gc_putc(&l->b, '"');
        return;
    }
    if (style == GC_STYLE_FILE) {
        gc_put_time_utc(&l->b, now.tv_sec, (unsigned)(now.tv_nsec / 1000000));
        gc_putc(&l->b, ' ');
    }
    gc_put(&l->b, "graceclose[");
    gc_put_i64(&l->b, line_pid());
    gc_put(&l->b, "]: ");
    gc_put(&l->b, gc_log_level_name(level));
    gc_put(&l->b, ":");
    if (event) {
        gc_putc(&l->b, ' ');
        gc_put(&l->b, event);
        key(l, "program");
        put_text_value(&l->b, line_program());
    }
}

void gc_line_str(struct gc_line *l, const char *k, const char *value)
{
    key(l, k);
    if (l->json)
        put_json_cut(&l->b, value, VALUE_MAX);
    else
        put_text_value(&l->b, value);
}

void gc_line_u64(struct gc_line *l, const char *k, uint64_t v)
{
    key(l, k);
    gc_put_u64(&l->b, v);
}

void gc_line_i64(struct gc_line *l, const char *k, int64_t v)
{
    key(l, k);
    gc_put_i64(&l->b, v);
}

void gc_line_ms(struct gc_line *l, const char *k, uint64_t us)
{
    key(l, k);
    gc_put_ms(&l->b, us);
}

void gc_line_addr(struct gc_line *l, const char *k, const struct gc_addr *a)
{
    key(l, k);
    if (l->json)
        gc_putc(&l->b, '"');
    gc_put_addr(&l->b, a);
    if (l->json)
        gc_putc(&l->b, '"');
}

void gc_line_message(struct gc_line *l, const char *text)
{
    if (l->json) {
        gc_put(&l->b, ",\"message\":");
        put_json_cut(&l->b, text, MESSAGE_MAX);
    } else {
        size_t n = cut_len(text, MESSAGE_MAX);
        gc_putc(&l->b, ' ');
        gc_putn(&l->b, text, n);
        if (n < strlen(text))
            gc_put(&l->b, "...");
    }
}

void gc_line_send(struct gc_line *l, enum gc_log_mode mode)
{
    if (l->json)
        gc_putc(&l->b, '}');
    /* Fields are bounded so that a cut never happens; should it, a cut
     * JSON line would not parse: drop it rather than write it. */
    if (l->slot < 0) {
        gc_log_lost(l->level, mode);
        return;
    }
    if (!(l->b.cut && l->json)) {
        gc_buf_finish(&l->b);
        gc_log_write(l->level, mode, l->b.p, l->b.len);
    }
    __atomic_and_fetch(&line_busy, ~(1u << l->slot), __ATOMIC_RELEASE);
}
