/* policy.c - choose between a linger, a reset and a plain close. */
#include "policy.h"

#include <sys/socket.h>

#include "audit.h"
#include "gc.h"
#include "rules.h"

void gc_make_abortive(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

/* Would a plain close lose or risk data?  Unread input makes it a reset
 * for certain; unacknowledged output is lost if a reset follows; a peer
 * that sent data within the idle time may send more, which would reset.
 * A peer that has sent its FIN can send nothing more.  Checks go from the
 * free (TCP_INFO, already read) to one ioctl, and stop at the first yes. */
static bool at_stake(int fd, const struct gc_tcp_probe *p, uint32_t idle_ms,
                     struct gc_close_record *rec)
{
    if (!gc_state_peer_finished(p->state)) {
        if (p->since_data_ms < idle_ms)
            return true;
        if (p->unacked_segs || p->notsent_bytes)
            return true;
    }
    int unread = gc_unread_bytes(fd);
    if (unread >= 0) {
        rec->unread = (uint32_t)unread;
        rec->known |= GC_REC_UNREAD;
    }
    return unread != 0; /* -1: cannot tell, so assume so */
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

/* What the program itself did to the socket that a linger would undo. */
static bool program_forbids(uint32_t flags, struct gc_close_record *rec)
{
    if (flags & GC_FD_REPAIR)
        rec->verdict = GC_V_REPAIR;
    else if (flags & GC_FD_ABORTIVE)
        rec->verdict = GC_V_ABORTIVE;
    else if (flags & GC_FD_LINGER_SET)
        rec->verdict = GC_V_PROGRAM_LINGER;
    else if (flags & GC_FD_READ_SHUT)
        rec->verdict = GC_V_READ_SHUT;
    else
        return false;
    return true;
}

enum gc_decision gc_choose_policy(int fd, const struct gc_fdent *ent,
                                  const struct gc_tcp_probe *probe, uint64_t now_ms,
                                  uint64_t deadline_ms, struct gc_close_record *rec,
                                  struct gc_plan *plan)
{
    const struct gc_policy_source *src = gc_policy_source();

    if (!src) {
        rec->verdict = GC_V_NOT_READY;
        return GC_DO_PLAIN;
    }
    if (program_forbids(ent->flags, rec))
        return GC_DO_PLAIN;
    resolve(src, fd, ent, &plan->s);
    if (plan->s.policy == GC_POLICY_OFF) {
        rec->verdict = GC_V_POLICY_OFF;
        return GC_DO_PLAIN;
    }
    if (plan->s.policy == GC_POLICY_RESET) {
        rec->verdict = GC_V_RESET;
        return GC_DO_RESET;
    }
    if (plan->s.policy == GC_POLICY_AUDIT) {
        /* Look, and close exactly as without the library.  Only the last
         * holder's close can lose anything, so only it is assessed. */
        gc_audit_assess(fd, plan->s.idle_ms, rec);
        return GC_DO_PLAIN;
    }
    if (!at_stake(fd, probe, plan->s.idle_ms, rec)) {
        rec->verdict = GC_V_NOTHING_AT_STAKE;
        return GC_DO_PLAIN;
    }
    uint64_t own = (now_ms ? now_ms : gc_now_ms()) + plan->s.timeout_ms;
    plan->deadline_ms = deadline_ms && deadline_ms < own ? deadline_ms : own;
    plan->origin_pid = 0;
    rec->verdict = GC_V_LINGER;
    return GC_DO_LINGER;
}
