/* fmt.h - a text builder over a caller's buffer, for records written from
 * inside close() and signal handlers: no stdio, no allocation, no locale.
 * Output that does not fit is cut and the builder remembers it. */
#ifndef GC_FMT_H
#define GC_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gc_buf {
    char *p;
    size_t len, cap; /* cap keeps one byte back for the final newline */
    bool cut;
};

/* A compact socket address: family 0 means unknown. */
struct gc_addr {
    uint16_t family; /* AF_INET, AF_INET6 or 0 */
    uint16_t port;   /* host order */
    uint8_t addr[16];
};

void gc_buf_init(struct gc_buf *b, char *mem, size_t size);
void gc_putn(struct gc_buf *b, const char *s, size_t n);
void gc_put(struct gc_buf *b, const char *s);
void gc_putc(struct gc_buf *b, char c);
void gc_put_u64(struct gc_buf *b, uint64_t v);
void gc_put_i64(struct gc_buf *b, int64_t v);
/* Microseconds as milliseconds with three decimals: "12.345". */
void gc_put_ms(struct gc_buf *b, uint64_t us);
/* s as a JSON string, quotes included; bytes >= 0x80 pass unchanged
 * (UTF-8 stays UTF-8), control characters become \u00XX. */
void gc_put_json(struct gc_buf *b, const char *s);
/* The same for the first n bytes of s. */
void gc_put_json_n(struct gc_buf *b, const char *s, size_t n);
/* "127.0.0.1:80", "[::1]:80", or "?" when unknown. */
void gc_put_addr(struct gc_buf *b, const struct gc_addr *a);
/* Wall-clock time, UTC, ISO 8601 with milliseconds: 2025-01-31T12:00:00.123Z */
void gc_put_time_utc(struct gc_buf *b, int64_t sec, unsigned ms);
/* "Jan 31 12:00:00" (syslog's RFC 3164 stamp), UTC. */
void gc_put_time_syslog(struct gc_buf *b, int64_t sec);
/* Ends the text with '\n' (always room for it); returns its length. */
size_t gc_buf_finish(struct gc_buf *b);

/* Fills a from a getsockname/getpeername result (v4-mapped IPv6 kept as is). */
void gc_addr_from_sockaddr(struct gc_addr *a, const void *sa, unsigned len);

/* "ENOSPC", ... or "errno 123", for messages that cannot call strerror. */
void gc_put_errno(struct gc_buf *b, int err);

#endif
