/* owner.c - the vfork-like child test (see owner.h). */
#include "owner.h"
#include "gc.h"

#include <sys/types.h>
#include <unistd.h>

#include "sys.h"

static GC_HOT pid_t cached_pid;
/* Set while a child may be running on our memory (vfork, clone with
 * CLONE_VM): only then is getpid() worth its syscall. */
static GC_HOT int shared_memory_child;

void gc_owner_set_pid(void)
{
    __atomic_store_n(&cached_pid, (pid_t)gc_sys(SYS_getpid), __ATOMIC_RELEASE);
}

/* In a fork child: our pid is asked only when it is needed (the first
 * shared-memory child of our own), which saves a getpid per fork. */
static GC_HOT int threads_made;

void gc_owner_threads_begin(void)
{
    __atomic_store_n(&threads_made, 1, __ATOMIC_RELEASE);
}

bool gc_owner_has_threads(void)
{
    return __atomic_load_n(&threads_made, __ATOMIC_ACQUIRE);
}

static GC_HOT int table_shared;

void gc_owner_table_shared(void)
{
    if (!gc_in_foreign_child()) /* a child on our memory writes nothing */
        __atomic_store_n(&table_shared, 1, __ATOMIC_RELEASE);
}

bool gc_owner_table_private(void)
{
    return !__atomic_load_n(&table_shared, __ATOMIC_ACQUIRE);
}

/* How many forks deep this image is (0 in the process that loaded us):
 * "this process" told from its ancestors without a getpid. */
static GC_HOT unsigned forks_deep;

unsigned gc_owner_generation(void)
{
    return __atomic_load_n(&forks_deep, __ATOMIC_ACQUIRE);
}

void gc_owner_forked(void)
{
    __atomic_add_fetch(&forks_deep, 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&threads_made, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&shared_memory_child, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&cached_pid, -1, __ATOMIC_RELEASE);
}

int gc_owner_pid(void)
{
    pid_t pid = __atomic_load_n(&cached_pid, __ATOMIC_ACQUIRE);
    if (pid > 0 && !gc_in_foreign_child())
        return pid;
    if (pid == -1) { /* a fork child asking for the first time */
        pid = (pid_t)gc_sys(SYS_getpid);
        __atomic_store_n(&cached_pid, pid, __ATOMIC_RELEASE);
        return pid;
    }
    return (int)gc_sys(SYS_getpid);
}

void gc_owner_vfork_begins(bool parent_waits)
{
    if (__atomic_load_n(&cached_pid, __ATOMIC_ACQUIRE) == -1)
        gc_owner_set_pid();
    /* 1: the parent sleeps until the child execs or exits (vfork), so the
     * parent's first check afterwards may clear it; 2: the child runs
     * beside us for as long as it likes. */
    int want = parent_waits ? 1 : 2, v = 0;
    while (v < want && !__atomic_compare_exchange_n(&shared_memory_child, &v, want, false,
                                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        ;
}

/* A vfork child (or one made by clone with CLONE_VM) runs no atfork
 * handler, so its cached pid is still the parent's.  In the parent, the
 * first check after the child has gone (exec or exit) clears the flag. */
bool gc_in_foreign_child(void)
{
    pid_t cached = __atomic_load_n(&cached_pid, __ATOMIC_ACQUIRE);
    if (cached == 0)
        return true; /* before the constructor: touch nothing */
    if (cached == -1 || !__atomic_load_n(&shared_memory_child, __ATOMIC_ACQUIRE))
        return false;
    if (cached != (pid_t)gc_sys(SYS_getpid))
        return true;
    int one = 1;
    __atomic_compare_exchange_n(&shared_memory_child, &one, 0, false, __ATOMIC_ACQ_REL,
                                __ATOMIC_RELAXED);
    return false;
}
