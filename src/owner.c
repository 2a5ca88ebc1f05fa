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

/* Another live descriptor in this process naming the same socket? */
static bool other_holder_here(int fd, uint64_t cookie)
{
    int hw = gc_fd_highwater();

    for (int other = 0; other <= hw; other++) {
        struct gc_fdent e;
        if (other == fd || !gc_fd_lookup(other, &e) || e.cookie != cookie)
            continue;
        if (gc_socket_cookie(other) == cookie)
            return true;
        gc_fd_forget(other); /* closed behind our back */
    }
    return false;
}

bool gc_decide_owner(int fd, const struct gc_fdent *ent, struct gc_close_record *rec)
{
    if (ent->gen != gc_fork_gen()) {
        rec->verdict = GC_V_FORKED;
        return false;
    }
    if (ent->flags & GC_FD_ELSEWHERE) {
        rec->verdict = GC_V_ELSEWHERE;
        return false;
    }
    if (gc_socket_cookie(fd) != ent->cookie) {
        rec->verdict = GC_V_STALE;
        return false;
    }
    if ((ent->flags & GC_FD_DUPED) && other_holder_here(fd, ent->cookie)) {
        rec->verdict = GC_V_DUPED;
        return false;
    }
    return true;
}
