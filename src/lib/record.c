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
    [GC_V_PASSTHROUGH] = "passthrough",
    [GC_V_STALE] = "stale",
    [GC_V_NOT_TCP] = "not-tcp",
    [GC_V_NOT_CONNECTED] = "not-connected",
    [GC_V_SHARED] = "shared",
    [GC_V_UNCOUNTED] = "uncounted",
    [GC_V_FOREIGN] = "foreign",
    [GC_V_UNREADABLE] = "undecided-unreadable",
    [GC_V_ORIGIN_HOLDS] = "shared-origin",
    [GC_V_IO_URING] = "io-uring",
    [GC_V_SAME_SOCKET] = "same-socket",
    [GC_V_POLICY_OFF] = "policy-off",
    [GC_V_ABORTIVE] = "abortive",
    [GC_V_PROGRAM_LINGER] = "program-linger",
    [GC_V_READ_SHUT] = "read-shut",
    [GC_V_REPAIR] = "repair",
    [GC_V_NOTHING_AT_STAKE] = "clean",
    [GC_V_AUDIT] = "at-risk",
    [GC_V_RESET] = "reset-by-policy",
    [GC_V_NO_SLOT] = "no-slot",
    [GC_V_QUEUE_FULL] = "queue-full",
    [GC_V_NO_WORKER] = "no-worker",
    [GC_V_EPOLL_UNKNOWN] = "epoll-unknown",
    [GC_V_LINGER] = "linger",
};

static const char *const outcome_names[GC_O_COUNT] = {
    [GC_O_NONE] = "none",
    [GC_O_PEER_CLOSED] = "peer-eof",
    [GC_O_IDLE] = "idle",
    [GC_O_ACKED] = "acked",
    [GC_O_DONE] = "done",
    [GC_O_TIMEOUT] = "timeout",
    [GC_O_DRAIN_CAP] = "byte-cap",
    [GC_O_PEER_RESET] = "peer-reset",
    [GC_O_STEPPED_ASIDE] = "stepped-aside",
    [GC_O_EXIT] = "exit",
};

static const char *const path_names[GC_P_COUNT] = {
    [GC_P_CLOSE] = "close",
    [GC_P_FCLOSE] = "fclose",
    [GC_P_DUP2] = "dup2",
    [GC_P_CLOSE_RANGE] = "close_range",
    [GC_P_CLOSEFROM] = "closefrom",
    [GC_P_EXIT] = "exit",
    [GC_P_SYSCALL] = "syscall",
};

const char *gc_verdict_name(enum gc_verdict v)
{
    return (unsigned)v < GC_V_COUNT ? verdict_names[v] : "?";
}

const char *gc_outcome_name(enum gc_outcome o)
{
    return (unsigned)o < GC_O_COUNT ? outcome_names[o] : "?";
}

const char *gc_path_name(enum gc_path p)
{
    return (unsigned)p < GC_P_COUNT ? path_names[p] : "?";
}
