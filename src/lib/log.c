/* log.c - the log destination and its bounds (see log.h).
 *
 * The channel is shared by every thread and may be used from signal
 * handlers: it is published under a sequence counter (odd while it
 * changes), and a thread that finds it changing drops its line rather
 * than wait.  Opening and reopening are claimed with a compare-and-swap. */
#include "log.h"
#include "gc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fmt.h"
#include "line.h"
#include "logdest.h"
#include "report.h"

/* state: ST_CLOSED, ST_OPEN, ST_FAILED, or -PID while PID opens it. */
enum state { ST_CLOSED = 0, ST_OPEN = 2, ST_FAILED = 3 };

/* The settings, fixed after setup.  The file's path is kept apart: it is
 * written only for a file destination, and the rest sits on the page every
 * process writes at load anyway. */
static GC_LOAD struct {
    unsigned set;
    enum gc_log_dest dest;
    enum gc_log_level level;
    enum gc_log_format format;
} conf = {0, GC_LOG_DEFAULT_DEST, GC_LOG_DEFAULT_LEVEL, GC_LOG_DEFAULT_FORMAT};
static char conf_path[GC_LOG_PATH_MAX];
static GC_HOT int ready;
static GC_HOT int bounded;                 /* default settings: warnings are bounded */
static GC_LOAD enum gc_log_style style;

static GC_HOT int state;
static GC_HOT unsigned seq;                /* odd while chan changes */
static GC_HOT struct gc_chan chan = {.fd = -1};

static GC_HOT uint64_t warn_shown, suppressed, dropped;

bool gc_log_on(enum gc_log_level level)
{
    return __atomic_load_n(&ready, __ATOMIC_ACQUIRE) && conf.dest != GC_LOG_OFF &&
           level <= conf.level;
}

enum gc_log_format gc_log_format_now(void)
{
    return conf.format;
}

enum gc_log_style gc_log_style_now(void)
{
    return style;
}

uint64_t gc_log_suppressed(void)
{
    return __atomic_load_n(&suppressed, __ATOMIC_RELAXED);
}

uint64_t gc_log_dropped(void)
{
    return __atomic_load_n(&dropped, __ATOMIC_RELAXED);
}

static int open_configured(struct gc_chan *c)
{
    switch (conf.dest) {
    case GC_LOG_FILE: return gc_chan_open_file(c, conf_path);
    case GC_LOG_SYSLOG: return gc_chan_open_syslog(c);
    case GC_LOG_STDERR: return gc_chan_open_stderr(c);
    default: return -EBADF;
    }
}

static void publish(const struct gc_chan *c)
{
    __atomic_add_fetch(&seq, 1, __ATOMIC_ACQ_REL);
    chan = *c;
    __atomic_add_fetch(&seq, 1, __ATOMIC_ACQ_REL);
}

/* One message where a person may see it: fd 2 (syslog when fd 2 is a
 * socket), through a channel of its own that is closed again. */
static void tell_failure(int err)
{
    char mem[512]; /* a short message: kept small, it may be written in a close */
    struct gc_buf b;
    struct gc_chan c = {.fd = -1};

    if (conf.dest == GC_LOG_STDERR || gc_chan_open_stderr(&c) != 0)
        return;
    gc_buf_init(&b, mem, sizeof mem);
    if (c.kind == GC_CHAN_SYSLOG)
        gc_put(&b, "<11>"); /* user.err */
    gc_put(&b, "graceclose[");
    gc_put_i64(&b, getpid());
    gc_put(&b, "]: error: log ");
    gc_put(&b, conf.dest == GC_LOG_SYSLOG ? "syslog (/dev/log)" : conf_path);
    gc_put(&b, ": ");
    gc_put_errno(&b, err);
    gc_put(&b, "; records of this process are no longer written");
    gc_buf_finish(&b);
    gc_chan_write(&c, b.p, b.len);
    gc_chan_close(&c);
}

/* The destination failed: drop it, once, with one message. */
static void fail(int err, bool close_it)
{
    int expect = ST_OPEN;

    if (!__atomic_compare_exchange_n(&state, &expect, ST_FAILED, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        expect = -getpid(); /* a failed open */
        if (!__atomic_compare_exchange_n(&state, &expect, ST_FAILED, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            return;
    }
    if (close_it) {
        struct gc_chan c = chan;
        publish(&(struct gc_chan){.fd = -1});
        gc_chan_close(&c);
    }
    tell_failure(err);
}

/* Opens (or, when the program closed our descriptor, reopens) the
 * channel; false when another thread is at it or it cannot be opened. */
static bool open_now(int from)
{
    struct gc_chan c = {.fd = -1};
    int expect = from;

    if (!__atomic_compare_exchange_n(&state, &expect, -getpid(), false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return false;
    int r = open_configured(&c);
    if (r != 0) {
        publish(&c);
        fail(-r, false);
        return false;
    }
    publish(&c);
    __atomic_store_n(&state, ST_OPEN, __ATOMIC_RELEASE);
    return true;
}

/* A consistent copy of the channel, or false. */
static bool snapshot(struct gc_chan *out)
{
    unsigned s1 = __atomic_load_n(&seq, __ATOMIC_ACQUIRE);
    if (s1 & 1)
        return false;
    *out = chan;
    return __atomic_load_n(&seq, __ATOMIC_ACQUIRE) == s1;
}

static bool acquire(struct gc_chan *c)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int st = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
        if (st == ST_CLOSED) {
            if (!open_now(ST_CLOSED))
                return false;
            continue;
        }
        /* Forked while another thread was opening: that thread is not in
         * this process, start again. */
        if (st < 0 && -st != getpid()) {
            __atomic_compare_exchange_n(&state, &st, ST_CLOSED, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE);
            continue;
        }
        if (st != ST_OPEN || !snapshot(c))
            return false;
        if (gc_chan_valid(c))
            return true;
        /* The program closed our descriptor (or put another file at its
         * number): it is not ours to close; open a new one. */
        if (!open_now(ST_OPEN))
            return false;
    }
    return false;
}

/* The default bound: a few warnings, then a note that more are counted. */
static bool within_bound(enum gc_log_level level)
{
    if (!bounded || level > GC_LOG_WARN)
        return true;
    uint64_t n = __atomic_add_fetch(&warn_shown, 1, __ATOMIC_RELAXED);
    if (n <= GC_LOG_WARN_BURST)
        return true;
    __atomic_add_fetch(&suppressed, 1, __ATOMIC_RELAXED);
    return false;
}

static void write_line(const char *buf, size_t len)
{
    struct gc_chan c;
    int saved_errno = gc_errno_save();

    if (!acquire(&c)) {
        __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
    } else {
        int r = gc_chan_write(&c, buf, len);
        if (r == -EAGAIN)
            __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
        else if (r < 0)
            fail(-r, true);
    }
    gc_errno_restore(saved_errno);
}

/* Whether a line of this level goes out (and, for a bounded one, counts it). */
static bool wanted(enum gc_log_level level, enum gc_log_mode mode)
{
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE) || conf.dest == GC_LOG_OFF)
        return false;
    if (mode != GC_LOG_ALWAYS && level > conf.level)
        return false;
    return mode != GC_LOG_NORMAL || within_bound(level);
}

void gc_log_lost(enum gc_log_level level, enum gc_log_mode mode)
{
    if (wanted(level, mode))
        __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
}

void gc_log_write(enum gc_log_level level, enum gc_log_mode mode, const char *buf, size_t len)
{
    if (!wanted(level, mode))
        return;
    write_line(buf, len);
    if (mode == GC_LOG_NORMAL && bounded && level <= GC_LOG_WARN &&
        __atomic_load_n(&warn_shown, __ATOMIC_RELAXED) == GC_LOG_WARN_BURST) {
        struct gc_line l;
        gc_line_begin(&l, GC_LOG_WARN, NULL);
        gc_line_message(&l, "further warnings of this process are counted, not shown "
                            "(GRACECLOSE_LOG=FILE or GRACECLOSE_LOG_LEVEL=warn shows them all)");
        __atomic_add_fetch(&warn_shown, 1, __ATOMIC_RELAXED); /* say it once */
        gc_line_send(&l, GC_LOG_UNBOUNDED);
    }
}

static void env_problem(const char *env, const char *text, const char *why, void *ctx)
{
    (void)ctx;
    gc_report(env, "='", text, "' ", why, "; ignored", NULL);
}

static bool env_sets_log(void)
{
    for (size_t i = 0; i < gc_log_knob_count; i++)
        if (secure_getenv(gc_log_knobs[i].env))
            return true;
    return false;
}

/* Defaults, then the file's [default], then the environment: each value
 * the environment gives replaces what was there.  A function of its own,
 * called only when something is set: its 4 KiB path is on the program's
 * stack at load. */
static __attribute__((noinline)) void take_settings(const struct gc_config *cfg)
{
    struct gc_log_settings s;

    gc_log_settings_default(&s);
    if (cfg)
        gc_log_settings_apply(&cfg->log, &s);
    gc_log_settings_from_env(&s, secure_getenv, env_problem, NULL);
    conf.set = s.set;
    conf.dest = s.dest;
    conf.level = s.level;
    conf.format = s.format;
    if (s.dest == GC_LOG_FILE)
        memcpy(conf_path, s.path, sizeof conf_path);
}

void gc_log_setup(const struct gc_config *cfg)
{
    struct stat st;

    if (cfg || env_sets_log())
        take_settings(cfg);
    bounded = !(conf.set & (GC_LOGSET_DEST | GC_LOGSET_LEVEL));
    style = conf.dest == GC_LOG_FILE ? GC_STYLE_FILE
          : conf.dest == GC_LOG_SYSLOG ? GC_STYLE_SYSLOG
          : GC_STYLE_STDERR;
    if (conf.dest == GC_LOG_STDERR && gc_fstat_fd(2, &st) == 0 && S_ISSOCK(st.st_mode))
        style = GC_STYLE_SYSLOG; /* fd 2 is a client: never write to it */
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);

    /* A destination named by the user is opened now, while the process
     * is still single-threaded; the default stderr only when needed. */
    if (conf.set & GC_LOGSET_DEST && conf.dest != GC_LOG_OFF && conf.dest != GC_LOG_STDERR)
        open_now(ST_CLOSED);
    gc_report_flush();
}

bool gc_log_export(struct gc_log_export *out)
{
    struct gc_chan c;

    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE) || conf.dest == GC_LOG_OFF)
        return false;
    out->set = conf.set;
    out->dest = conf.dest;
    out->level = conf.level;
    out->format = conf.format;
    out->style = (int)style;
    out->bounded = bounded;
    /* The channel as it is now; opened now if it never was (stderr).  A
     * pipe is not handed over: the helper would keep it open until the
     * linger ends, and whoever reads the program's stderr would wait for
     * its end of file that long (`out=$(prog 2>&1)`).  Those records are
     * dropped (README: Logging). */
    if (style == GC_STYLE_STDERR) {
        /* fd 2 itself, asked now (a fork child may have put its client
         * there): a terminal or a file only, never a pipe nor a socket. */
        struct stat st;
        bool ok = gc_fstat_fd(2, &st) == 0 && (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode));
        out->fd = ok ? 2 : -1;
        out->kind = ok ? (int)GC_CHAN_FILE : 0;
        return true;
    }
    out->fd = acquire(&c) && c.kind != GC_CHAN_PIPE ? c.fd : -1;
    out->kind = out->fd >= 0 ? (int)c.kind : 0;
    return true;
}

void gc_log_import(const struct gc_log_export *in, int fd)
{
    conf.set = in->set;
    conf.dest = in->dest;
    conf.level = in->level;
    conf.format = in->format;
    style = (enum gc_log_style)in->style;
    bounded = 0; /* the sender's bound counts its own warnings */
    struct gc_chan c = {.fd = fd, .kind = (enum gc_chan_kind)in->kind};
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0) {
        c.dev = (uint64_t)st.st_dev;
        c.ino = (uint64_t)st.st_ino;
    }
    publish(&c);
    __atomic_store_n(&state, fd >= 0 ? ST_OPEN : ST_FAILED, __ATOMIC_RELEASE);
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
}
