/* gc.h - things every library file needs: the export marker and the clock. */
#ifndef GC_H
#define GC_H

#include <stdint.h>
#include <sys/syscall.h>

#include "sys.h"
#include <time.h>
#include <unistd.h>

/* The library is built with -fvisibility=hidden; only wrappers are exported. */
#define GC_EXPORT __attribute__((visibility("default")))

/* Milliseconds on the monotonic clock (vDSO: async-signal-safe, no syscall). */
static inline uint64_t gc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Sleeps with a raw ppoll: async-signal-safe and no cancellation point. */
static inline void gc_sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    gc_sys(SYS_ppoll, NULL, 0, &ts, NULL, (size_t)8);
}

#endif
