/* record.c - counters fed by every close (lock-free, signal-safe). */
#include "record.h"

static uint64_t verdicts[GC_V_COUNT];
static uint64_t outcomes[GC_O_COUNT];
static uint64_t drained_total;

void gc_record(const struct gc_close_record *r)
{
    /* Untracked closes are not counted, and a vfork-like child shares our
     * memory: it writes nothing, counters included. */
    if (r->verdict == GC_V_UNTRACKED || r->verdict == GC_V_VFORK_CHILD)
        return;
    if ((unsigned)r->verdict < GC_V_COUNT)
        __atomic_add_fetch(&verdicts[r->verdict], 1, __ATOMIC_RELAXED);
    if ((unsigned)r->outcome < GC_O_COUNT)
        __atomic_add_fetch(&outcomes[r->outcome], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&drained_total, r->drained, __ATOMIC_RELAXED);
}

uint64_t gc_count_verdict(enum gc_verdict v)
{
    return (unsigned)v < GC_V_COUNT ? __atomic_load_n(&verdicts[v], __ATOMIC_RELAXED) : 0;
}

uint64_t gc_count_outcome(enum gc_outcome o)
{
    return (unsigned)o < GC_O_COUNT ? __atomic_load_n(&outcomes[o], __ATOMIC_RELAXED) : 0;
}

static const char *const verdict_names[GC_V_COUNT] = {
    [GC_V_UNTRACKED] = "untracked",
    [GC_V_NOT_READY] = "not-ready",
    [GC_V_VFORK_CHILD] = "vfork-child",
    [GC_V_STALE] = "stale",
    [GC_V_NOT_TCP] = "not-tcp",
    [GC_V_NOT_CONNECTED] = "not-connected",
    [GC_V_SHARED] = "shared",
    [GC_V_UNDECIDED] = "undecided",
    [GC_V_SAME_SOCKET] = "same-socket",
    [GC_V_DUPED] = "duped",
    [GC_V_ELSEWHERE] = "elsewhere",
    [GC_V_POLICY_OFF] = "policy-off",
    [GC_V_ABORTIVE] = "abortive",
    [GC_V_NOTHING_AT_STAKE] = "nothing-at-stake",
    [GC_V_RESET] = "reset",
    [GC_V_LINGER] = "linger",
};

static const char *const outcome_names[GC_O_COUNT] = {
    [GC_O_NONE] = "none",
    [GC_O_PEER_CLOSED] = "peer-closed",
    [GC_O_IDLE] = "idle",
    [GC_O_ACKED] = "acked",
    [GC_O_DONE] = "done",
    [GC_O_TIMEOUT] = "timeout",
    [GC_O_DRAIN_CAP] = "drain-cap",
    [GC_O_PEER_RESET] = "peer-reset",
    [GC_O_FORKED] = "forked",
};

const char *gc_verdict_name(enum gc_verdict v)
{
    return (unsigned)v < GC_V_COUNT ? verdict_names[v] : "?";
}

const char *gc_outcome_name(enum gc_outcome o)
{
    return (unsigned)o < GC_O_COUNT ? outcome_names[o] : "?";
}
