/* policy.h - stage 3 of the close path: what to do with an owned socket. */
#ifndef GC_POLICY_H
#define GC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "fdtable.h"
#include "record.h"
#include "settings.h"

struct gc_plan {
    struct gc_settings s;  /* the settings that apply to this socket */
    uint64_t deadline_ms;  /* absolute, on gc_now_ms()'s clock */
};

/* The settings in force, or NULL before the library has loaded them. */
const struct gc_settings *gc_active_settings(void);

/* Fills 'plan' and returns true when the socket should linger; otherwise
 * sets rec->verdict and returns false (plain close).  'deadline_ms' is the
 * caller's bound, or 0 to start one from the settings' timeout. */
bool gc_choose_policy(int fd, const struct gc_fdent *ent, uint64_t deadline_ms,
                      struct gc_close_record *rec, struct gc_plan *plan);

#endif
