/* sys.h - raw system calls for the library's own use.
 *
 * The library exports syscall() (programs close sockets through it), so
 * its own raw calls must not go through that name: gc_sys() makes the
 * call directly.  Async-signal-safe, no cancellation point, no other
 * preload's wrapper in between.  Returns -1 with errno set on failure,
 * like syscall(). */
#ifndef GC_SYS_H
#define GC_SYS_H

#include <sys/syscall.h>

long gc_sys6(long n, long a, long b, long c, long d, long e, long f);

#define GC_SYS_ARGS(n, a, b, c, d, e, f, ...) gc_sys6((long)(n), (long)(a), (long)(b), \
                                                     (long)(c), (long)(d), (long)(e), (long)(f))
#define gc_sys(...) GC_SYS_ARGS(__VA_ARGS__, 0, 0, 0, 0, 0, 0)

#endif
