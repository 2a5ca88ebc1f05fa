/* policy.h - what to do with the last descriptor of a connected socket. */
#ifndef GC_POLICY_H
#define GC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
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

enum gc_decision {
    GC_DO_PLAIN,  /* rec->verdict says why */
    GC_DO_RESET,  /* abortive close: the policy says reset */
    GC_DO_LINGER, /* something is at stake: hand it to the helper process */
};

struct gc_plan {
    struct gc_settings s;  /* the settings that apply to this socket */
    uint64_t deadline_ms;  /* absolute, on gc_now_ms()'s clock */
    int origin_pid;        /* inherited from a program without the library:
                              the process to ask before lingering (0: none) */
    uint64_t cookie;       /* SO_COOKIE of the socket: the helper checks what
                              it received is that socket */
    bool no_io_uring;      /* the closing process found no io_uring instance */
    bool fin_by_helper;    /* the closing process leaves the FIN to the helper */
    bool shut_done;        /* the closing process sent our FIN already */
    bool fin_was_out;      /* the program had shut its write side itself:
                              no FIN for the peer to wait on */
};

/* For the last descriptor of a connected TCP socket (probe: its TCP_INFO).
 * 'now_ms' is the caller's reading of the clock, or 0 to read it here;
 * 'deadline_ms' is the caller's bound, or 0 to start one from the
 * socket's timeout; the earlier of the two applies. */
enum gc_decision gc_choose_policy(int fd, const struct gc_fdent *ent,
                                  const struct gc_tcp_probe *probe, uint64_t now_ms,
                                  uint64_t deadline_ms, struct gc_close_record *rec,
                                  struct gc_plan *plan);

/* Act for GC_DO_RESET: SO_LINGER {1, 0}, so the real close resets. */
void gc_make_abortive(int fd);

#endif
