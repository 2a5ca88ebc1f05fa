/* bx.h - what the benchmark programs share: loopback sockets, clocks,
 * deadlines, small parsers.  Loopback only (127.0.0.1); every program puts
 * itself under an alarm() deadline so nothing it does can hang a run. */
#ifndef GC_BENCH_BX_H
#define GC_BENCH_BX_H

#include <stddef.h>

/* Prints "what: strerror(errno)" to stderr and exits 90. */
void bx_die(const char *what) __attribute__((noreturn));

/* Listens on 127.0.0.1, port 0 (the kernel picks a free one); stores it. */
int bx_listen(int backlog, int *port);

/* Blocking connect to 127.0.0.1:port; -1 with errno on failure. */
int bx_connect(int port);

/* Non-blocking connect started (EINPROGRESS is success); -1 on failure. */
int bx_connect_nb(int port);

/* Local port of a socket. */
int bx_local_port(int fd);

/* Microseconds / milliseconds on CLOCK_MONOTONIC (vDSO: no system call). */
double bx_now_us(void);
double bx_now_ms(void);
void bx_sleep_ms(long ms);

/* Decimal argument or exit 90 naming it. */
long bx_arg(const char *text, const char *name);

/* Raises RLIMIT_NOFILE to at least n (up to the hard limit). */
void bx_nofile(long n);

/* Writes all of buf (blocking, MSG_NOSIGNAL); bytes written, errno in *err. */
size_t bx_send_all(int fd, const void *buf, size_t len, int *err);

/* Number of bytes queued unread on a socket (SIOCINQ). */
int bx_inq(int fd);

/* The close-path marker: an access() call on a name nobody has, so that
 * strace output can be cut at "/gc-bench-mark-<tag>". */
void bx_mark(const char *tag);

/* HTTP bits for the small servers.  GET gets "200" with a 1 KiB body;
 * POST gets an early "413" with a 4 KiB body, sent before the request body
 * is read (the case that resets without a graceful close). */
#define BX_GET_BODY 1024
#define BX_413_BODY 4096
size_t bx_http_reply(int is_post, char *out, size_t cap);

/* True once buf[0..n) holds a whole request head ("\r\n\r\n"). */
int bx_head_done(const char *buf, size_t n);

/* Reads a request head from fd (blocking, at most cap-1 bytes); returns
 * bytes read (the head and maybe some body), 0 on EOF, -1 on error. */
long bx_read_head(int fd, char *buf, size_t cap);

#endif
