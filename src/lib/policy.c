/* policy.c - choose between a graceful close, a reset and a plain close. */
#include "policy.h"

#include <sys/socket.h>

#include "audit.h"
#include "classify.h"
#include "gc.h"
#include "rules.h"

/* The program asked for an abortive close: SO_LINGER {1, 0}. */
static bool wants_reset(int fd)
{
    struct linger lg;
    socklen_t len = sizeof lg;

    return getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff && lg.l_linger == 0;
}

void gc_make_abortive(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

/* Peer done, nothing unread, nothing unacknowledged (our FIN counts one
 * byte in SIOCOUTQ once sent): a plain close loses nothing, so no waiting. */
static bool nothing_at_stake(int fd, int state)
{
    if (!gc_state_peer_finished(state))
        return false;
    int outq = gc_unacked_bytes(fd);
    return gc_unread_bytes(fd) == 0 && outq >= 0 && outq <= (gc_state_write_shut(state) ? 1 : 0);
}

static enum gc_role role_of(const struct gc_fdent *ent)
{
    if (ent->flags & GC_FD_ACCEPTED)
        return GC_ROLE_ACCEPTED;
    if (ent->flags & GC_FD_INHERITED)
        return GC_ROLE_UNKNOWN;
    return GC_ROLE_CONNECTED; /* made by socket(), and connected: not listening */
}

/* Defaults < file [default] < matching rules < environment. */
static void resolve(const struct gc_policy_source *src, int fd, const struct gc_fdent *ent,
                    struct gc_settings *out)
{
    struct gc_sockinfo si = {.program = src->program};

    if (ent)
        si.role = role_of(ent);
    if (ent && src->need_addresses) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
            gc_sockinfo_set_local(&si, (struct sockaddr *)&ss, len);
        len = sizeof ss;
        if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
            gc_sockinfo_set_remote(&si, (struct sockaddr *)&ss, len);
    }
    gc_rules_resolve(src->config, &si, &src->env, out, NULL);
}

bool gc_base_settings(struct gc_settings *out)
{
    const struct gc_policy_source *src = gc_policy_source();
    if (!src)
        return false;
    resolve(src, -1, NULL, out);
    return true;
}

bool gc_choose_policy(int fd, const struct gc_fdent *ent, uint64_t deadline_ms,
                      struct gc_close_record *rec, struct gc_plan *plan)
{
    const struct gc_policy_source *src = gc_policy_source();

    if (!src) {
        rec->verdict = GC_V_NOT_READY;
        return false;
    }
    plan->fork_gen = gc_fork_gen();
    resolve(src, fd, ent, &plan->s);
    if (plan->s.policy == GC_POLICY_OFF) {
        rec->verdict = GC_V_POLICY_OFF;
        return false;
    }
    if (plan->s.policy == GC_POLICY_AUDIT) {
        gc_audit_assess(fd, plan->s.idle_ms, rec); /* issue 9: look, then a plain close */
        return false;
    }
    if (plan->s.policy == GC_POLICY_RESET) {
        plan->action = GC_ACT_RESET;
        rec->verdict = GC_V_RESET;
        return true;
    }
    if (wants_reset(fd)) {
        rec->verdict = GC_V_ABORTIVE;
        return false;
    }
    if (nothing_at_stake(fd, rec->tcp_state)) {
        rec->verdict = GC_V_NOTHING_AT_STAKE;
        return false;
    }
    uint64_t own = gc_now_ms() + plan->s.timeout_ms;
    plan->action = GC_ACT_LINGER;
    plan->deadline_ms = deadline_ms && deadline_ms < own ? deadline_ms : own;
    rec->verdict = GC_V_LINGER;
    return true;
}
