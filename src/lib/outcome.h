/* outcome.h - the outcome a person reads for one close, from the verdict
 * and the linger's ending: clean, peer-eof, acked, idle, timeout, byte-cap,
 * peer-reset, reset-by-policy, shared, undecided (and why), ... */
#ifndef GC_OUTCOME_H
#define GC_OUTCOME_H

#include "logsettings.h"
#include "record.h"

enum gc_label {
    GC_L_CLEAN = 0,       /* nothing at stake: plain close */
    GC_L_PEER_EOF,        /* lingered until the peer closed */
    GC_L_ACKED,           /* lingered until our data was acknowledged */
    GC_L_IDLE,            /* acknowledged, then the peer was quiet */
    GC_L_DONE,            /* shutdown only */
    GC_L_TIMEOUT,
    GC_L_BYTE_CAP,
    GC_L_PEER_RESET,
    GC_L_RESET_BY_POLICY,
    GC_L_ABORTIVE,        /* the program asked for a reset (SO_LINGER {1,0}) */
    GC_L_PROGRAM_LINGER,  /* the program set SO_LINGER {1,N}: left to the kernel */
    GC_L_SHARED,          /* another holder: plain close, nothing sent */
    GC_L_UNDECIDED,       /* could not tell: plain close, as without graceclose */
    GC_L_PASSED,          /* not a close graceclose handles (debug only) */
    GC_L_AT_RISK,         /* audit: a plain close that lost or risked data */
    GC_L_AUDIT_CLEAN,     /* audit: a plain close that risked nothing */
    GC_L_HANDED,          /* given to the helper, whose record tells the ending */
    GC_L_COUNT
};

/* The label of a record; *why is a short reason or NULL. */
enum gc_label gc_label_of(const struct gc_close_record *r, const char **why);
const char *gc_label_name(enum gc_label l);
/* The level its record is written at. */
enum gc_log_level gc_label_level(enum gc_label l, const struct gc_close_record *r);

#endif
