/* policy.h - stage 3 of the close path: what to do with an owned socket. */
#ifndef GC_POLICY_H
#define GC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "fdtable.h"
#include "record.h"
#include "settings.h"

/* Everything settings are resolved from, fixed at load (init.c). */
struct gc_policy_source {
    const struct gc_config *config; /* NULL: no config file */
    struct gc_overlay env;          /* GRACECLOSE_* given in the environment */
    const char *program;            /* executable base name */
    bool need_addresses;            /* some rule matches on ports or addresses */
};

/* NULL before the library has loaded its settings. */
const struct gc_policy_source *gc_policy_source(void);

/* The settings for this process when no socket is known (sweep bounds). */
bool gc_base_settings(struct gc_settings *out);

enum gc_action {
    GC_ACT_LINGER, /* shutdown / drain / outq */
    GC_ACT_RESET,  /* abortive close: the policy says reset */
};

struct gc_plan {
    enum gc_action action;
    struct gc_settings s;  /* the settings that apply to this socket */
    uint64_t deadline_ms;  /* absolute, on gc_now_ms()'s clock */
    uint32_t fork_gen;     /* fork generation when the plan was made */
};

/* Fills 'plan' and returns true when the socket should linger or be
 * reset; otherwise sets rec->verdict and returns false (plain close).
 * 'deadline_ms' is the caller's bound, or 0 to start one from the
 * socket's timeout; the earlier of the two applies. */
bool gc_choose_policy(int fd, const struct gc_fdent *ent, uint64_t deadline_ms,
                      struct gc_close_record *rec, struct gc_plan *plan);

/* Act for GC_ACT_RESET: SO_LINGER {1, 0}, so the real close resets. */
void gc_make_abortive(int fd);

#endif
