/* hx.h - small shared pieces of the test helper programs.
 *
 * Helpers talk on loopback only (127.0.0.1 or ::1), bind port 0 and print
 * the port they got, and put themselves under an alarm() deadline so that
 * nothing they do can hang a test. */
#ifndef GC_TEST_HX_H
#define GC_TEST_HX_H

#include <stddef.h>
#include <stdint.h>

/* Exit status used by every helper when its own setup fails (not a test result). */
#define HX_SETUP_FAILED 90

/* Prints "what: strerror(errno)" to stderr and exits with HX_SETUP_FAILED. */
void hx_die(const char *what) __attribute__((noreturn));

/* Kills the process (default SIGALRM action) after 'secs' seconds. */
void hx_deadline(unsigned secs);

/* family: 4 or 6.  Listens on the loopback address, port 0 (backlog 1024);
 * stores the port. */
int hx_listen(int family, int *port);

/* Blocking connect to the loopback address of 'family' on 'port'. */
int hx_connect(int family, int port);

/* Accepts one connection with the deadline already set by hx_deadline. */
int hx_accept(int lfd);

/* Prints "port=N" on stdout and flushes, so a test can read it at once. */
void hx_announce_port(int port);

/* Milliseconds on CLOCK_MONOTONIC. */
double hx_now_ms(void);

/* Sleeps 'ms' milliseconds (restarting after signals). */
void hx_sleep_ms(long ms);

/* "EPIPE", "ECONNRESET", ... or "E<number>"; "0" for 0. */
const char *hx_errname(int e);

/* Writes all of buf with blocking send(MSG_NOSIGNAL); returns bytes written
 * and leaves the failing errno in *err (0 when everything went). */
size_t hx_send_all(int fd, const char *buf, size_t len, int *err);

/* Number of open descriptors of this process (from /proc/self/fd). */
int hx_count_fds(void);
int hx_count_fds_settled(int base, int ms);

/* Prints name="..." with the bytes escaped (\r \n \" \\ \xNN), no newline. */
void hx_print_escaped(const char *name, const char *p, size_t n);

/* Parses a decimal argument or dies naming it. */
long hx_arg_long(const char *text, const char *name);

#endif
