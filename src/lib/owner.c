/* owner.c - the vfork-like child test (see owner.h). */
#include "sys.h"
#include "owner.h"

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static pid_t cached_pid;

void gc_owner_set_pid(void)
{
    __atomic_store_n(&cached_pid, (pid_t)gc_sys(SYS_getpid), __ATOMIC_RELEASE);
}

/* A vfork child (or one made by clone, posix_spawn, system) runs no atfork
 * handler, so its cached pid is still the parent's. */
bool gc_in_foreign_child(void)
{
    pid_t cached = __atomic_load_n(&cached_pid, __ATOMIC_ACQUIRE);
    return cached == 0 || cached != (pid_t)gc_sys(SYS_getpid);
}
