/* gc.h - things every library file needs: the export marker and the clock. */
#ifndef GC_H
#define GC_H

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "sys.h"
#include <time.h>
#include <unistd.h>

/* Small state written at fork and close time lives together, in one or
 * two pages: after a fork every page either process writes is copied once
 * (a fault each), so scattered counters cost a fork-per-connection server
 * a dozen copies per connection. */
#define GC_HOT __attribute__((section("gc_hot"), aligned(64)))

/* Written once at load, read after: on the same page, rather than one page
 * each beside large arrays a process may never touch (a fault, and 4 KiB
 * of private memory, per page at every exec). */
#define GC_LOAD __attribute__((section("gc_hot")))

/* The library is built with -fvisibility=hidden; only wrappers are exported. */
#define GC_EXPORT __attribute__((visibility("default")))

/* errno, found without a call into the C library: its offset from the
 * thread pointer is the same in every thread (the C library's thread-local
 * storage is static), learnt once at load (gc_errno_init).  Saving and
 * restoring errno is all most closes do with it, and a fork child's first
 * close would otherwise map a page of libc's code for __errno_location
 * alone.  Before the load's setup, or without the builtin: the C
 * library's. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_thread_pointer)
#define GC_ERRNO_BY_TP 1
#endif
#endif

extern long gc_errno_offset;
void gc_errno_init(void);

static inline int *gc_errno_at(void)
{
#ifdef GC_ERRNO_BY_TP
    long off = __atomic_load_n(&gc_errno_offset, __ATOMIC_RELAXED);
    if (__builtin_expect(off != 0, 1))
        return (int *)((char *)__builtin_thread_pointer() + off);
#endif
    return &errno;
}

/* errno as the program left it, for gc_errno_restore. */
static inline int gc_errno_save(void)
{
    return *gc_errno_at();
}

/* Puts errno back as the program left it, writing it only when it changed:
 * after a fork the page errno lives on is copied by whoever writes it
 * first (a fault), and a close with nothing to report need not be that. */
static inline void gc_errno_restore(int saved)
{
    int *e = gc_errno_at();
    if (*e != saved)
        *e = saved;
}

/* Milliseconds on the monotonic clock (vDSO: async-signal-safe, no syscall). */
static inline uint64_t gc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The same clock asked of the kernel, for the exit sweep: a process that
 * never read the clock (a service just executed) faults the vDSO's two
 * pages in on its first call, 55 us on a slow machine against 1.5 us for
 * the system call.  Not for close(): a server closing all day would pay
 * the system call at every lingered close. */
static inline uint64_t gc_now_ms_kernel(void)
{
    struct timespec ts = {0, 0};
    gc_sys(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#endif
