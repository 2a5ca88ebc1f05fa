/* sweep.h - closing many sockets at once under one deadline. */
#ifndef GC_SWEEP_H
#define GC_SWEEP_H

#include <stdbool.h>

#include "record.h"

/* The graceful part for every tracked descriptor in [lo, hi], in chunks
 * that share one deadline; 'whole_process' when every descriptor of the
 * process is going away (exit).  After each chunk, 'close_fn' (may be
 * NULL) gets the chunk's records, then they are recorded. */
void gc_sweep_range(int lo, int hi, bool whole_process,
                    void (*close_fn)(const struct gc_close_record *recs, int n));

/* At process end (exit, _exit): every socket this process is the last
 * holder of gets its graceful close, then its real close. */
void gc_sweep_at_exit(void);

#endif
