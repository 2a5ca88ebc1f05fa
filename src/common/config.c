/* config.c - reads graceclose.conf(5) into a struct gc_config.
 *
 * Runs once (library load, or the command), never in a close path.  No
 * allocation: lines go through a fixed buffer, so a 1 MiB line costs one
 * message, not 1 MiB.  Every refused line is reported as "file:line: reason"
 * and the rest of the file still counts; only a file that is not text at all
 * (NUL bytes) or cannot be read falls back to the built-in defaults.  Values
 * are parsed by the knob table's own parsers (settings.c). */
#include "config.h"
#include "cidr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Slots for "given twice" checks: knobs first, then the match keys. */
#define KNOB_SLOTS 16
_Static_assert(KNOB_SLOTS <= sizeof ((struct gc_config *)0)->default_key_line /
               sizeof(unsigned), "one line slot per knob");
#define SLOT_MATCH(bit) (KNOB_SLOTS + __builtin_ctz(bit))
#define NSLOTS (KNOB_SLOTS + 8)

enum section { SEC_DEFAULT, SEC_RULE, SEC_IGNORED };

struct parser {
    struct gc_config *cfg;
    gc_config_diag_fn diag;
    void *ctx;
    unsigned lineno;
    enum section sec;
    struct gc_rule *rule;
    unsigned key_line[NSLOTS]; /* where each key was given in this section */
    char line[GC_CONFIG_LINE_MAX];
    size_t len;
    bool overlong;
};

static const struct {
    const char *key;
    unsigned bit;
} match_keys[] = {
    {"program", GC_MATCH_PROGRAM},
    {"local_port", GC_MATCH_LOCAL_PORT},
    {"remote_port", GC_MATCH_REMOTE_PORT},
    {"remote_addr", GC_MATCH_REMOTE_ADDR},
    {"role", GC_MATCH_ROLE},
};
#define NMATCH (sizeof match_keys / sizeof match_keys[0])

__attribute__((format(printf, 4, 5)))
static void report(struct parser *p, unsigned line, bool warning, const char *fmt, ...)
{
    char msg[1024], text[GC_PATH_MAX + 1100];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line)
        snprintf(text, sizeof text, "%s:%u: %s%s", p->cfg->path, line,
                 warning ? "warning: " : "", msg);
    else
        snprintf(text, sizeof text, "%s: %s%s", p->cfg->path, warning ? "warning: " : "", msg);
    p->cfg->problems++;
    if (p->diag)
        p->diag(text, p->ctx);
}

void gc_config_init(struct gc_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    gc_overlay_clear(&cfg->defaults);
    gc_log_settings_default(&cfg->log);
}

static char *trim(char *s, char **end)
{
    char *e = *end;

    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    *e = '\0';
    *end = e;
    return s;
}

static bool name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

/* ---- section headers ---- */

/* Checks on one whole rule, when its section ends. */
static void end_section(struct parser *p)
{
    struct gc_rule *r = p->sec == SEC_RULE ? p->rule : NULL;

    if (!r || r->disabled)
        return;
    if (!r->m.what)
        report(p, r->line, true, "rule [%s] has no match keys, so it applies to every "
               "socket (like [default], but above it)", r->name);
    if (!r->o.set)
        report(p, r->line, true, "rule [%s] sets nothing (give policy, steps, timeout, idle "
               "or max_drain)", r->name);
}

static void start_section(struct parser *p, char *name)
{
    struct gc_config *cfg = p->cfg;

    end_section(p);

    memset(p->key_line, 0, sizeof p->key_line);
    p->rule = NULL;
    name = trim(name, &(char *){name + strlen(name)});
    if (strcmp(name, "default") == 0) {
        p->sec = SEC_DEFAULT;
        if (!cfg->default_line)
            cfg->default_line = p->lineno;
        return;
    }
    p->sec = SEC_IGNORED;
    if (strlen(name) >= GC_NAME_MAX || !name_ok(name)) {
        report(p, p->lineno,
               false, "section name [%.80s] is not valid (letters, digits, '_', '-', '.', at most "
               "%d); its lines are ignored up to the next section", name, GC_NAME_MAX - 1);
        return;
    }
    if (cfg->nrules >= GC_MAX_RULES) {
        report(p, p->lineno, false, "too many rules (at most %d); [%s] is ignored", GC_MAX_RULES,
               name);
        return;
    }
    for (unsigned i = 0; i < cfg->nrules; i++)
        if (strcmp(cfg->rules[i].name, name) == 0) {
            report(p, p->lineno, true, "rule [%s] was already defined at line %u; both count, "
                   "told apart by line", name, cfg->rules[i].line);
            break;
        }
    p->sec = SEC_RULE;
    p->rule = &cfg->rules[cfg->nrules++];
    memset(p->rule, 0, sizeof *p->rule);
    snprintf(p->rule->name, sizeof p->rule->name, "%s", name);
    p->rule->line = p->lineno;
    gc_overlay_clear(&p->rule->o);
}

/* ---- match keys ---- */

/* "N" or "N-M", 1..65535. */
static bool parse_port_range(const char *v, uint16_t *lo, uint16_t *hi, const char **why)
{
    unsigned long a = 0, b;
    int digits = 0;
    const char *s = v;

    while (*s >= '0' && *s <= '9' && digits < 7)
        a = a * 10 + (unsigned long)(*s++ - '0'), digits++;
    if (!digits) {
        *why = "is not a port (a number 1-65535, or a range like 8000-8099)";
        return false;
    }
    b = a;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '-') {
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        b = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 7)
            b = b * 10 + (unsigned long)(*s++ - '0'), digits++;
        if (!digits) {
            *why = "is not a port range (like 8000-8099)";
            return false;
        }
    }
    if (*s) {
        *why = "is not a port (a number 1-65535, or a range like 8000-8099)";
        return false;
    }
    if (a == 0 || b == 0) {
        *why = "can never match: no TCP connection has port 0 (use 1-65535)";
        return false;
    }
    if (a > 65535 || b > 65535) {
        *why = "can never match: ports end at 65535";
        return false;
    }
    if (a > b) {
        *why = "can never match: the range is empty (first port above the last)";
        return false;
    }
    *lo = (uint16_t)a;
    *hi = (uint16_t)b;
    return true;
}

static bool set_match(struct parser *p, unsigned bit, const char *key, const char *v)
{
    struct gc_match *m = &p->rule->m;
    const char *why = NULL;

    switch (bit) {
    case GC_MATCH_PROGRAM:
        if (strchr(v, '/'))
            why = "can never match: rules match the executable's base name (like 'nginx'), "
                  "not a path";
        else if (!*v)
            why = "is empty (an executable's base name, like 'nginx')";
        else if (strlen(v) >= GC_NAME_MAX)
            why = "can never match: program names are at most 63 bytes here";
        else if (strpbrk(v, " \t,"))
            why = "is more than one name (one program per rule; write one rule per program)";
        else
            snprintf(m->program, sizeof m->program, "%s", v);
        break;
    case GC_MATCH_LOCAL_PORT:
        parse_port_range(v, &m->local_lo, &m->local_hi, &why);
        break;
    case GC_MATCH_REMOTE_PORT:
        parse_port_range(v, &m->remote_lo, &m->remote_hi, &why);
        break;
    case GC_MATCH_REMOTE_ADDR: {
        bool host_bits = false;
        if (gc_cidr_parse(v, &m->family, m->addr, &m->prefix, &host_bits, &why) && host_bits) {
            char shown[64];
            gc_cidr_format(m->family, m->addr, m->prefix, shown, sizeof shown);
            report(p, p->lineno, true, "remote_addr '%.80s' has host bits set; it matches %s",
                   v, shown);
        }
        break;
    }
    case GC_MATCH_ROLE:
        if (strcmp(v, "accepted") == 0)
            m->role = GC_ROLE_ACCEPTED;
        else if (strcmp(v, "connected") == 0)
            m->role = GC_ROLE_CONNECTED;
        else
            why = "is not a role (accepted or connected)";
        break;
    }
    if (why) {
        /* A rule with a bad criterion would match more than meant: drop it whole. */
        report(p, p->lineno, false, "%s '%.80s' %s; rule [%s] is disabled", key, v, why,
               p->rule->name);
        p->rule->disabled = true;
        return false;
    }
    m->what |= bit;
    return true;
}

/* ---- program lists ---- */

static void add_programs(struct parser *p, const char *key, char *v, bool skip)
{
    struct gc_config *cfg = p->cfg;
    struct gc_program_name *list = skip ? cfg->skip : cfg->only;
    unsigned *n = skip ? &cfg->nskip : &cfg->nonly;
    char *save = NULL;
    int count = 0;

    for (char *tok = strtok_r(v, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        count++;
        if (strchr(tok, '/') || strlen(tok) >= GC_NAME_MAX) {
            report(p, p->lineno, false, "%s: '%.80s' is not a program base name (like 'sshd'); "
                   "ignored", key, tok);
            continue;
        }
        if (*n >= GC_MAX_PROGRAMS) {
            report(p, p->lineno, false, "%s: too many names (at most %d); '%s' and later names "
                   "are ignored", key, GC_MAX_PROGRAMS, tok);
            return;
        }
        snprintf(list[*n].name, sizeof list[*n].name, "%s", tok);
        list[*n].line = p->lineno;
        (*n)++;
    }
    if (!count)
        report(p, p->lineno, false, "%s is empty (a comma list of program names)", key);
}

/* ---- one line ---- */

static int match_bit(const char *key)
{
    for (size_t i = 0; i < NMATCH; i++)
        if (strcmp(match_keys[i].key, key) == 0)
            return (int)match_keys[i].bit;
    return 0;
}

/* log, log_level, log_format: process-wide, so [default] only. */
static void log_key(struct parser *p, const struct gc_log_knob *k, const char *value)
{
    const char *why = NULL;
    size_t i = (size_t)(k - gc_log_knobs);

    if (p->sec != SEC_DEFAULT) {
        report(p, p->lineno, false, "%s applies to the whole process and belongs in [default], "
               "not in a rule; ignored", k->key);
        return;
    }
    if (!gc_log_set_text(&p->cfg->log, k, value, &why)) {
        report(p, p->lineno, false, "%s '%.80s' %s; ignored", k->key, value, why);
        return;
    }
    if (p->cfg->log_key_line[i])
        report(p, p->lineno, true, "%s was already given at line %u; this later value wins",
               k->key, p->cfg->log_key_line[i]);
    p->cfg->log_key_line[i] = p->lineno;
}

/* "Timeout" or "GRACECLOSE_TIMEOUT" for "timeout": a hint for unknown keys. */
static const char *key_hint(const char *key)
{
    if (strncasecmp(key, "GRACECLOSE_", 11) == 0)
        key += 11;
    for (size_t i = 0; i < gc_knob_count; i++)
        if (strcasecmp(gc_knobs[i].key, key) == 0)
            return gc_knobs[i].key;
    for (size_t i = 0; i < NMATCH; i++)
        if (strcasecmp(match_keys[i].key, key) == 0)
            return match_keys[i].key;
    for (size_t i = 0; i < gc_log_knob_count; i++)
        if (strcasecmp(gc_log_knobs[i].key, key) == 0)
            return gc_log_knobs[i].key;
    if (strcasecmp(key, "log-level") == 0)
        return "log_level";
    if (strcasecmp(key, "log-format") == 0)
        return "log_format";
    if (strcasecmp(key, "max-drain") == 0)
        return "max_drain";
    return NULL;
}

static void note_key(struct parser *p, unsigned slot, const char *key)
{
    if (p->key_line[slot])
        report(p, p->lineno, true, "%s was already given at line %u in this section; this later "
               "value wins", key, p->key_line[slot]);
    p->key_line[slot] = p->lineno;
}

static void key_value(struct parser *p, char *key, char *value)
{
    const struct gc_knob *k = gc_knob_by_key(key);
    int bit = match_bit(key);
    const char *why = NULL;

    if (p->sec == SEC_IGNORED)
        return;
    if (k) {
        struct gc_overlay *o = p->sec == SEC_RULE ? &p->rule->o : &p->cfg->defaults;
        if (!gc_overlay_set_text(o, k, value, &why)) {
            report(p, p->lineno, false, "%s '%.80s' %s; ignored", key, value, why);
            return;
        }
        note_key(p, (unsigned)(k - gc_knobs), key); /* only values that were taken */
        if (p->sec == SEC_DEFAULT)
            p->cfg->default_key_line[k - gc_knobs] = p->lineno;
        if (p->sec == SEC_DEFAULT && strcmp(key, "policy") == 0 &&
            o->v.policy == GC_POLICY_RESET)
            report(p, p->lineno, true, "policy = reset in [default] makes every close of every "
                   "socket abortive (meant for rules)");
        return;
    }
    if (bit) {
        if (p->sec != SEC_RULE) {
            report(p, p->lineno, false, "%s matches sockets and belongs in a rule section "
                   "([name]), not in [default]; ignored", key);
            return;
        }
        if (set_match(p, (unsigned)bit, key, value))
            note_key(p, SLOT_MATCH((unsigned)bit), key);
        return;
    }
    const struct gc_log_knob *lk = gc_log_knob_by_key(key);
    if (lk) {
        log_key(p, lk, value);
        return;
    }
    if (strcmp(key, "only_programs") == 0 || strcmp(key, "skip_programs") == 0) {
        if (p->sec != SEC_DEFAULT) {
            report(p, p->lineno, false, "%s belongs in [default], not in a rule; ignored", key);
            return;
        }
        add_programs(p, key, value, key[0] == 's');
        return;
    }
    const char *hint = key_hint(key);
    if (hint)
        report(p, p->lineno, false, "unknown key '%.80s' (did you mean '%s'?); ignored", key,
               hint);
    else
        report(p, p->lineno, false, "unknown key '%.80s' (keys: policy, steps, timeout, idle, "
               "max_drain; in rules also program, local_port, remote_port, remote_addr, role; "
               "in [default] also only_programs, skip_programs, log, log_level, log_format); "
               "ignored", key);
}

static void parse_line(struct parser *p, char *s, size_t len)
{
    char *end = s + len, *hash;

    s[len] = '\0';
    if (p->lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3; /* a UTF-8 byte order mark, as some editors write */
    hash = strchr(s, '#');
    if (hash)
        end = hash;
    s = trim(s, &end);
    if (!*s)
        return;
    if (*s == '[') {
        if (end[-1] != ']') {
            report(p, p->lineno, false, "section header without ']'; its lines are ignored up to "
                   "the next section");
            end_section(p);
            p->sec = SEC_IGNORED;
            return;
        }
        end[-1] = '\0';
        start_section(p, s + 1);
        return;
    }
    char *eq = strchr(s, '=');
    if (!eq) {
        report(p, p->lineno, false, "expected 'key = value', '[section]' or a '#' comment");
        return;
    }
    char *kend = eq, *vend = end;
    char *key = trim(s, &kend), *value = trim(eq + 1, &vend);
    if (!*key) {
        report(p, p->lineno, false, "'= %.80s' has no key", value);
        return;
    }
    key_value(p, key, value);
}

/* ---- lines out of chunks, with a fixed buffer ---- */

static void end_line(struct parser *p)
{
    if (!p->overlong)
        parse_line(p, p->line, p->len);
    p->len = 0;
    p->overlong = false;
    p->lineno++;
}

static void feed(struct parser *p, const char *buf, size_t n)
{
    while (n) {
        const char *nl = memchr(buf, '\n', n);
        size_t seg = nl ? (size_t)(nl - buf) : n;

        if (!p->overlong) {
            if (p->len + seg >= sizeof p->line) {
                p->overlong = true;
                report(p, p->lineno, false, "line is longer than %d bytes; skipped",
                       GC_CONFIG_LINE_MAX - 1);
            } else {
                memcpy(p->line + p->len, buf, seg);
                p->len += seg;
            }
        }
        if (!nl)
            return;
        end_line(p);
        buf = nl + 1;
        n -= seg + 1;
    }
}

/* ---- checks that need the whole file ---- */

static const struct gc_program_name *find_name(const struct gc_program_name *list, unsigned n,
                                               const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

static void finish(struct parser *p)
{
    struct gc_config *cfg = p->cfg;

    if (p->len || p->overlong)
        end_line(p);
    end_section(p);
    for (unsigned i = 0; i < cfg->nrules; i++) {
        struct gc_rule *r = &cfg->rules[i];
        const struct gc_program_name *skip;

        r->specificity = (unsigned)__builtin_popcount(r->m.what);
        if (r->disabled || !(r->m.what & GC_MATCH_PROGRAM))
            continue;
        skip = find_name(cfg->skip, cfg->nskip, r->m.program);
        if (skip)
            report(p, r->line, false, "rule [%s] can never apply: program '%s' is excluded by "
                   "skip_programs at line %u", r->name, r->m.program, skip->line);
        else if (cfg->nonly && !find_name(cfg->only, cfg->nonly, r->m.program))
            report(p, r->line, false, "rule [%s] can never apply: program '%s' is not in "
                   "only_programs", r->name, r->m.program);
    }
    for (unsigned i = 0; i < cfg->nonly; i++)
        if (find_name(cfg->skip, cfg->nskip, cfg->only[i].name))
            report(p, cfg->only[i].line, true, "'%s' is in only_programs and in skip_programs; "
                   "skip_programs wins", cfg->only[i].name);
}

static void parser_start(struct parser *p, struct gc_config *cfg, const char *path,
                         gc_config_diag_fn diag, void *ctx)
{
    gc_config_init(cfg);
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    p->diag = diag;
    p->ctx = ctx;
    p->lineno = 1;
    p->sec = SEC_DEFAULT; /* keys before any header belong to [default] */
}

/* Not text: report once where, then forget everything read. */
static enum gc_config_status broken(struct parser *p, unsigned line, const char *why)
{
    struct gc_config *cfg = p->cfg;
    char path[GC_PATH_MAX];
    unsigned problems;

    report(p, line, false, "%s; the whole file is ignored (built-in defaults apply)", why);
    problems = cfg->problems;
    memcpy(path, cfg->path, sizeof path);
    gc_config_init(cfg);
    memcpy(cfg->path, path, sizeof path);
    cfg->problems = problems;
    return GC_CONFIG_BROKEN;
}

static unsigned line_of(const char *text, size_t upto, unsigned from)
{
    for (size_t i = 0; i < upto; i++)
        from += text[i] == '\n';
    return from;
}

enum gc_config_status gc_config_load_text(struct gc_config *cfg, const char *path,
                                          const char *text, size_t len,
                                          gc_config_diag_fn diag, void *ctx)
{
    static struct parser p; /* 4 KiB line buffer: keep it off small stacks */
    const char *nul = memchr(text, '\0', len);

    parser_start(&p, cfg, path, diag, ctx);
    if (nul)
        return broken(&p, line_of(text, (size_t)(nul - text), 1),
                      "contains a NUL byte: not a text file");
    feed(&p, text, len);
    finish(&p);
    cfg->loaded = true;
    return GC_CONFIG_OK;
}

/* read() that retries on EINTR; the loader's only way in. */
static ssize_t read_some(int fd, char *buf, size_t n)
{
    ssize_t r;

    do
        r = read(fd, buf, n);
    while (r < 0 && errno == EINTR);
    return r;
}

static enum gc_config_status load_fd(struct parser *p, int fd)
{
    static char chunk[16384];
    unsigned line = 1;
    uint64_t total = 0;
    ssize_t r;

    /* First pass: a binary file is refused whole, before any line counts.
     * The size is bounded again here: st_size says 0 for /proc files, and
     * a file may grow while we read it. */
    while ((r = read_some(fd, chunk, sizeof chunk)) > 0) {
        const char *nul = memchr(chunk, '\0', (size_t)r);
        if (nul)
            return broken(p, line_of(chunk, (size_t)(nul - chunk), line),
                          "contains a NUL byte: not a text file");
        line = line_of(chunk, (size_t)r, line);
        total += (uint64_t)r;
        if (total > GC_CONFIG_FILE_MAX)
            return broken(p, 0, "is larger than 16 MiB: not a config file");
    }
    if (r == 0 && lseek(fd, 0, SEEK_SET) == 0)
        while (total > 0 && (r = read_some(fd, chunk, sizeof chunk)) > 0) {
            size_t n = (uint64_t)r < total ? (size_t)r : (size_t)total;
            feed(p, chunk, n); /* no more than the first pass checked */
            total -= n;
        }
    if (r < 0) {
        report(p, 0, false, "cannot read: %s; built-in defaults apply", strerror(errno));
        gc_config_init(p->cfg);
        return GC_CONFIG_UNREADABLE;
    }
    finish(p);
    p->cfg->loaded = true;
    return GC_CONFIG_OK;
}

enum gc_config_status gc_config_load_file(struct gc_config *cfg, const char *path,
                                          gc_config_diag_fn diag, void *ctx)
{
    static struct parser p;
    enum gc_config_status st;
    struct stat sb;
    int fd;

    /* O_NONBLOCK: a FIFO named by mistake must not hang the program at load. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    /* No file (the common case): neither the result nor the parser's
     * buffers are touched, so their pages are never made resident. */
    if (fd < 0 && errno == ENOENT) {
        cfg->loaded = false;
        cfg->nrules = cfg->nonly = cfg->nskip = cfg->problems = 0;
        cfg->default_line = 0;
        cfg->defaults.set = 0;
        return GC_CONFIG_MISSING;
    }
    int open_errno = errno;
    parser_start(&p, cfg, path, diag, ctx);
    if (fd < 0) {
        report(&p, 0, false, "cannot open: %s; built-in defaults apply", strerror(open_errno));
        return GC_CONFIG_UNREADABLE;
    }
    if (fstat(fd, &sb) != 0) {
        report(&p, 0, false, "cannot read: %s; built-in defaults apply", strerror(errno));
        st = GC_CONFIG_UNREADABLE;
    } else if (S_ISDIR(sb.st_mode)) {
        report(&p, 0, false, "is a directory, not a config file; built-in defaults apply");
        st = GC_CONFIG_UNREADABLE;
    } else if (!S_ISREG(sb.st_mode)) {
        report(&p, 0, false, "is not a regular file; built-in defaults apply");
        st = GC_CONFIG_UNREADABLE;
    } else if ((uint64_t)sb.st_size > GC_CONFIG_FILE_MAX) {
        st = broken(&p, 0, "is larger than 16 MiB: not a config file");
    } else {
        st = load_fd(&p, fd);
    }
    /* The raw call: in the library, close() is our own wrapper. */
    syscall(SYS_close, fd);
    return st;
}
