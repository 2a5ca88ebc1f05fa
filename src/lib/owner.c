/* owner.c - ownership: only a close that drops the last reference may
 * shut down or drain, because both act on the socket, not the descriptor. */
#include "owner.h"

#include <sys/syscall.h>
#include <unistd.h>

static pid_t cached_pid;

void gc_owner_set_pid(void)
{
    __atomic_store_n(&cached_pid, (pid_t)syscall(SYS_getpid), __ATOMIC_RELEASE);
}

/* A vfork child (or one made by clone, posix_spawn, system) runs no atfork
 * handler, so its cached pid is still the parent's. */
bool gc_in_foreign_child(void)
{
    pid_t cached = __atomic_load_n(&cached_pid, __ATOMIC_ACQUIRE);
    return cached == 0 || cached != (pid_t)syscall(SYS_getpid);
}

bool gc_is_closing(const struct gc_closing *c, int fd)
{
    if (c->whole_process)
        return true;
    for (int i = 0; i < c->n; i++)
        if (c->fds[i] == fd)
            return true;
    return false;
}

/* Another live descriptor here, not closing with this one, naming the
 * same socket?  Only dups the table saw can; it checks them all. */
static bool other_holder_here(int fd, uint64_t cookie, const struct gc_closing *closing)
{
    int hw = gc_fd_highwater();

    for (int other = 0; other <= hw; other++) {
        struct gc_fdent e;
        if (other == fd || !gc_fd_lookup(other, &e) || e.cookie != cookie)
            continue;
        if (gc_socket_cookie(other) != cookie) {
            gc_fd_forget(other); /* closed behind our back */
            continue;
        }
        if (!gc_is_closing(closing, other))
            return true;
    }
    return false;
}

enum gc_ownership gc_decide_owner(int fd, const struct gc_fdent *ent,
                                  const struct gc_closing *closing, struct gc_close_record *rec)
{
    if (ent->flags & GC_FD_ELSEWHERE) {
        rec->verdict = GC_V_ELSEWHERE;
        return GC_OWN_NO;
    }
    if (gc_socket_cookie(fd) != ent->cookie) {
        rec->verdict = GC_V_STALE;
        return GC_OWN_NO;
    }
    if ((ent->flags & GC_FD_INHERITED) || ent->gen != gc_fork_gen())
        return GC_OWN_ASK_FAMILY;
    if (!closing->whole_process && (ent->flags & GC_FD_DUPED) &&
        other_holder_here(fd, ent->cookie, closing)) {
        rec->verdict = GC_V_DUPED;
        return GC_OWN_NO;
    }
    return GC_OWN_YES;
}
