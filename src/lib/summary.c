/* summary.c - per-process totals (see summary.h). */
#include "summary.h"
#include "gc.h"

#include <errno.h>
#include <unistd.h>

#include "line.h"
#include "log.h"
#include "owner.h"
#include "policy.h"

struct per_label {
    uint64_t count, drained, total_us, worst_us;
};

static struct {
    struct per_label l[GC_L_COUNT];
    uint64_t closes, sockets, missed;
    uint64_t audited, at_risk, reset, peer_sending, unacked_only, bytes_at_risk;
} S GC_HOT;
static GC_HOT int done; /* the summary was written (exit, then _exit) */

#define ADD(field, v) __atomic_add_fetch(&(field), (v), __ATOMIC_RELAXED)
#define GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* A fork child inherits its parent's counters: they start again from
 * zero there (called from the library's fork-child setup; no getpid on
 * every close, and none under a seccomp filter). */
void gc_summary_forked(void)
{
    done = 0;
    for (int i = 0; i < GC_L_COUNT; i++)
        S.l[i] = (struct per_label){0};
    S.closes = S.sockets = S.missed = 0;
    S.audited = S.at_risk = S.reset = S.peer_sending = S.unacked_only = S.bytes_at_risk = 0;
}

static void max_into(uint64_t *slot, uint64_t v)
{
    uint64_t cur = __atomic_load_n(slot, __ATOMIC_RELAXED);
    while (v > cur &&
           !__atomic_compare_exchange_n(slot, &cur, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

void gc_summary_add(enum gc_label l, const struct gc_close_record *r, uint64_t took_us)
{
    if ((unsigned)l >= GC_L_COUNT)
        return;
    if (l != GC_L_PASSED)
        ADD(S.closes, 1);
    if (r->verdict == GC_V_STALE)
        ADD(S.missed, 1);
    ADD(S.l[l].count, 1);
    ADD(S.l[l].drained, r->drained);
    ADD(S.l[l].total_us, took_us);
    max_into(&S.l[l].worst_us, took_us);
    if (r->verdict != GC_V_AUDIT)
        return;
    ADD(S.audited, 1);
    if (r->risk & (GC_RISK_RESET | GC_RISK_PEER_SENDING)) {
        ADD(S.at_risk, 1);
        ADD(S.bytes_at_risk, gc_record_bytes_at_risk(r));
        if (r->risk & GC_RISK_RESET)
            ADD(S.reset, 1);
        else
            ADD(S.peer_sending, 1);
    } else if (r->risk & GC_RISK_UNACKED) {
        ADD(S.unacked_only, 1);
    }
}

void gc_summary_socket(bool replaced)
{
    ADD(S.sockets, 1);
    if (replaced)
        ADD(S.missed, 1);
}

static void totals(enum gc_log_mode mode)
{
    struct gc_line l;
    uint64_t drained = 0, total = 0, worst = 0;

    for (int i = 0; i < GC_L_COUNT; i++) {
        drained += GET(S.l[i].drained);
        total += GET(S.l[i].total_us);
        if (GET(S.l[i].worst_us) > worst)
            worst = GET(S.l[i].worst_us);
    }
    gc_line_begin(&l, GC_LOG_INFO, "summary");
    gc_line_u64(&l, "closes", GET(S.closes));
    gc_line_u64(&l, "sockets", GET(S.sockets));
    gc_line_u64(&l, "missed", GET(S.missed));
    gc_line_u64(&l, "drained", drained);
    gc_line_ms(&l, "ms", total);
    gc_line_ms(&l, "worst_ms", worst);
    if (GET(S.audited)) {
        gc_line_u64(&l, "audited", GET(S.audited));
        gc_line_u64(&l, "at_risk", GET(S.at_risk));
        gc_line_u64(&l, "reset", GET(S.reset));
        gc_line_u64(&l, "peer_sending", GET(S.peer_sending));
        gc_line_u64(&l, "unacked_only", GET(S.unacked_only));
        gc_line_u64(&l, "bytes_at_risk", GET(S.bytes_at_risk));
    }
    if (gc_log_dropped())
        gc_line_u64(&l, "log_dropped", gc_log_dropped());
    gc_line_send(&l, mode);

    for (int i = 0; i < GC_L_COUNT; i++) {
        if (!GET(S.l[i].count) || i == GC_L_PASSED)
            continue;
        gc_line_begin(&l, GC_LOG_INFO, "outcome");
        gc_line_str(&l, "outcome", gc_label_name((enum gc_label)i));
        gc_line_u64(&l, "count", GET(S.l[i].count));
        gc_line_u64(&l, "drained", GET(S.l[i].drained));
        gc_line_ms(&l, "ms", GET(S.l[i].total_us));
        gc_line_ms(&l, "worst_ms", GET(S.l[i].worst_us));
        gc_line_send(&l, mode);
    }
}

void gc_summary_at_exit(void)
{
    int saved_errno = gc_errno_save();
    struct gc_line l;

    /* A vfork-like child shares our memory and our counters: hands off. */
    if (gc_in_foreign_child())
        return;
    /* Once per process: exit() may run the destructor, then _exit. */
    if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
        return;

    /* In audit mode into a file (graceclose --audit) every process says it
     * was there, sockets or not: the command tells "not loaded" from
     * "loaded, saw nothing" that way. */
    struct gc_settings base;
    bool audit = GET(S.audited) > 0 ||
                 (gc_base_settings(&base) && base.policy == GC_POLICY_AUDIT);
    bool seen = GET(S.closes) || GET(S.sockets);
    if ((audit && (seen || gc_log_style_now() == GC_STYLE_FILE)) ||
        (seen && gc_log_on(GC_LOG_INFO)))
        totals(audit ? GC_LOG_ALWAYS : GC_LOG_NORMAL);

    /* Sockets made here, closed where no wrapper saw it, and not one close
     * seen: the program closes with raw system calls (libuv, Go). */
    if (GET(S.missed) && !GET(S.closes)) {
        gc_line_begin(&l, GC_LOG_WARN, NULL);
        gc_line_message(&l, "TCP sockets of this program were closed where graceclose cannot "
                            "see it (raw system calls, as node/libuv and Go make): it could not "
                            "act on them");
        gc_line_send(&l, GC_LOG_NORMAL);
    }
    if (gc_log_suppressed()) {
        char msg[200];
        struct gc_buf b;
        gc_buf_init(&b, msg, sizeof msg);
        gc_put_u64(&b, gc_log_suppressed());
        gc_put(&b, " more warnings were not shown (GRACECLOSE_LOG=FILE keeps them all)");
        msg[b.len] = '\0';
        gc_line_begin(&l, GC_LOG_WARN, NULL);
        gc_line_message(&l, msg);
        gc_line_send(&l, GC_LOG_UNBOUNDED);
    }
    gc_errno_restore(saved_errno);
}
