/* sweep.h - many closes at once: close_range, closefrom, process exit. */
#ifndef GC_SWEEP_H
#define GC_SWEEP_H

#include "record.h"

/* The close pipeline for every tracked descriptor in [lo, hi] (the
 * library's own excepted), before the caller's real mass close. */
void gc_sweep_range(int lo, int hi, enum gc_close_path path);

/* At process end (exit, _exit): every socket this process is the last
 * holder of, with something at stake, goes to the helper (each under the
 * deadline of one timeout from now); the process then ends at once. */
void gc_sweep_at_exit(enum gc_close_path path); /* GC_PATH_EXIT or _EXIT_NOW */

#endif
