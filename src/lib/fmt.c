/* fmt.c - async-signal-safe text building (see fmt.h). */
#include "fmt.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

void gc_buf_init(struct gc_buf *b, char *mem, size_t size)
{
    b->p = mem;
    b->len = 0;
    b->cap = size ? size - 1 : 0;
    b->cut = false;
}

void gc_putn(struct gc_buf *b, const char *s, size_t n)
{
    if (n > b->cap - b->len) {
        n = b->cap - b->len;
        b->cut = true;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void gc_put(struct gc_buf *b, const char *s)
{
    gc_putn(b, s, strlen(s));
}

void gc_putc(struct gc_buf *b, char c)
{
    gc_putn(b, &c, 1);
}

void gc_put_u64(struct gc_buf *b, uint64_t v)
{
    char tmp[20];
    size_t n = 0;

    do {
        tmp[sizeof tmp - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    gc_putn(b, tmp + sizeof tmp - n, n);
}

void gc_put_i64(struct gc_buf *b, int64_t v)
{
    if (v < 0) {
        gc_putc(b, '-');
        gc_put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        gc_put_u64(b, (uint64_t)v);
    }
}

/* v in exactly 'width' digits, zeros in front. */
static void put_fixed(struct gc_buf *b, uint64_t v, int width)
{
    char tmp[20];

    for (int i = width - 1; i >= 0; i--) {
        tmp[i] = (char)('0' + v % 10);
        v /= 10;
    }
    gc_putn(b, tmp, (size_t)width);
}

void gc_put_ms(struct gc_buf *b, uint64_t us)
{
    gc_put_u64(b, us / 1000);
    gc_putc(b, '.');
    put_fixed(b, us % 1000, 3);
}

static const char hex[] = "0123456789abcdef";

void gc_put_json(struct gc_buf *b, const char *s)
{
    gc_put_json_n(b, s, s ? strlen(s) : 0);
}

void gc_put_json_n(struct gc_buf *b, const char *s, size_t n)
{
    gc_putc(b, '"');
    for (const char *end = s + n; s < end; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            gc_putc(b, '\\');
            gc_putc(b, (char)c);
        } else if (c == '\n') {
            gc_put(b, "\\n");
        } else if (c == '\t') {
            gc_put(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            gc_putn(b, u, 6);
        } else {
            gc_putc(b, (char)c);
        }
    }
    if (b->cut)
        return; /* the caller drops a cut JSON line */
    gc_putc(b, '"');
}

static void put_v4(struct gc_buf *b, const uint8_t *a)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            gc_putc(b, '.');
        gc_put_u64(b, a[i]);
    }
}

/* RFC 5952: lower case, no leading zeros, the longest run of two or more
 * zero groups (the first of equal runs) as "::", v4-mapped as ::ffff:a.b.c.d */
static void put_v6(struct gc_buf *b, const uint8_t *a)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    unsigned g[8];
    int best = -1, best_len = 1;

    if (memcmp(a, mapped, 12) == 0) {
        gc_put(b, "::ffff:");
        put_v4(b, a + 12);
        return;
    }
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            gc_put(b, "::");
            i += best_len - 1;
            continue;
        }
        if (i && i != best + best_len)
            gc_putc(b, ':');
        char tmp[4];
        int n = 0;
        for (int shift = 12; shift >= 0; shift -= 4)
            if (n || (g[i] >> shift & 15) || shift == 0)
                tmp[n++] = hex[g[i] >> shift & 15];
        gc_putn(b, tmp, (size_t)n);
    }
}

void gc_put_addr(struct gc_buf *b, const struct gc_addr *a)
{
    if (a->family == AF_INET) {
        put_v4(b, a->addr);
    } else if (a->family == AF_INET6) {
        gc_putc(b, '[');
        put_v6(b, a->addr);
        gc_putc(b, ']');
    } else {
        gc_putc(b, '?');
        return;
    }
    gc_putc(b, ':');
    gc_put_u64(b, a->port);
}

void gc_addr_from_sockaddr(struct gc_addr *a, const void *sa, unsigned len)
{
    const struct sockaddr *s = sa;

    memset(a, 0, sizeof *a);
    if (len >= sizeof(struct sockaddr_in) && s->sa_family == AF_INET) {
        const struct sockaddr_in *in = sa;
        a->family = AF_INET;
        a->port = ntohs(in->sin_port);
        memcpy(a->addr, &in->sin_addr, 4);
    } else if (len >= sizeof(struct sockaddr_in6) && s->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = sa;
        a->family = AF_INET6;
        a->port = ntohs(in6->sin6_port);
        memcpy(a->addr, &in6->sin6_addr, 16);
    }
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put_clock(struct gc_buf *b, int64_t secs_of_day)
{
    put_fixed(b, (uint64_t)(secs_of_day / 3600), 2);
    gc_putc(b, ':');
    put_fixed(b, (uint64_t)(secs_of_day / 60 % 60), 2);
    gc_putc(b, ':');
    put_fixed(b, (uint64_t)(secs_of_day % 60), 2);
}

void gc_put_time_utc(struct gc_buf *b, int64_t sec, unsigned ms)
{
    int64_t days = sec >= 0 ? sec / 86400 : (sec - 86399) / 86400, y;
    unsigned m, d;

    civil(days, &y, &m, &d);
    put_fixed(b, (uint64_t)(y < 0 ? 0 : y), 4);
    gc_putc(b, '-');
    put_fixed(b, m, 2);
    gc_putc(b, '-');
    put_fixed(b, d, 2);
    gc_putc(b, 'T');
    put_clock(b, sec - days * 86400);
    gc_putc(b, '.');
    put_fixed(b, ms % 1000, 3);
    gc_putc(b, 'Z');
}

void gc_put_time_syslog(struct gc_buf *b, int64_t sec)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int64_t days = sec >= 0 ? sec / 86400 : (sec - 86399) / 86400, y;
    unsigned m, d;

    civil(days, &y, &m, &d);
    gc_putn(b, months + 3 * (m - 1), 3);
    gc_putc(b, ' ');
    gc_putc(b, d < 10 ? ' ' : (char)('0' + d / 10));
    gc_putc(b, (char)('0' + d % 10));
    gc_putc(b, ' ');
    put_clock(b, sec - days * 86400);
}

size_t gc_buf_finish(struct gc_buf *b)
{
    b->p[b->len++] = '\n';
    return b->len;
}

static const struct {
    int err;
    const char *name;
} errnames[] = {
    {ENOSPC, "ENOSPC (no space left on device)"},
    {EDQUOT, "EDQUOT (disk quota exceeded)"},
    {EACCES, "EACCES (permission denied)"},
    {EPERM, "EPERM (operation not permitted)"},
    {ENOENT, "ENOENT (no such file or directory)"},
    {EROFS, "EROFS (read-only file system)"},
    {EISDIR, "EISDIR (is a directory)"},
    {EIO, "EIO (input/output error)"},
    {EPIPE, "EPIPE (nobody reads it any more)"},
    {EBADF, "EBADF"},
    {EFBIG, "EFBIG (file too large)"},
    {ENXIO, "ENXIO (no reader)"},
    {ECONNREFUSED, "ECONNREFUSED (no syslog daemon listening)"},
    {EMFILE, "EMFILE (too many open files)"},
    {ENFILE, "ENFILE (too many open files in system)"},
    {ENOTDIR, "ENOTDIR (not a directory)"},
    {ELOOP, "ELOOP (too many symbolic links)"},
    {EINVAL, "EINVAL"},
};

void gc_put_errno(struct gc_buf *b, int err)
{
    for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
        if (errnames[i].err == err) {
            gc_put(b, errnames[i].name);
            return;
        }
    gc_put(b, "errno ");
    gc_put_i64(b, err);
}
