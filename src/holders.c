/* holders.c - who else holds a socket (see holders.h). */
#include "holders.h"

#include <sys/syscall.h>
#include <unistd.h>

#include "procscan.h"

#define MAX_PROCS 256
#define SCAN_BUDGET 200000 /* /proc entries read per decision, at most */

static bool is_closing(const struct gc_holder_query *q, int fd)
{
    for (int i = 0; i < q->nclosing; i++)
        if (q->closing[i] == fd)
            return true;
    return false;
}

static void mark(struct gc_holder_query *q, uint64_t inode)
{
    for (int i = 0; i < q->n; i++)
        if (q->inode[i] == inode)
            q->held[i] = true;
}

static bool all_held(const struct gc_holder_query *q)
{
    for (int i = 0; i < q->n; i++)
        if (!q->held[i])
            return false;
    return true;
}

struct own_ctx {
    struct gc_holder_query *q;
};

static bool own_fd(int fd, uint64_t inode, void *p)
{
    struct gc_holder_query *q = p;
    if (!is_closing(q, fd))
        mark(q, inode);
    return !all_held(q);
}

static bool other_fd(int fd, uint64_t inode, void *p)
{
    (void)fd;
    mark(p, inode);
    return !all_held(p);
}

struct family {
    pid_t pids[MAX_PROCS];
    int n;
    bool overflow;
};

static bool add_pid(pid_t pid, void *p)
{
    struct family *f = p;
    for (int i = 0; i < f->n; i++)
        if (f->pids[i] == pid)
            return true;
    if (f->n == MAX_PROCS) {
        f->overflow = true;
        return false;
    }
    f->pids[f->n++] = pid;
    return true;
}

int gc_find_other_holders(struct gc_holder_query *q)
{
    pid_t self = (pid_t)syscall(SYS_getpid), parent = (pid_t)syscall(SYS_getppid);
    long budget = SCAN_BUDGET;
    struct family fam = {.n = 0};

    for (int i = 0; i < q->n; i++)
        q->held[i] = false;
    if (q->n == 0)
        return 0;

    if (!q->whole_process && gc_proc_socket_fds(0, own_fd, q, &budget) != 0)
        return -1;

    /* Breadth-first over the family; the list grows while it is read. */
    add_pid(parent > 1 ? parent : self, &fam);
    for (int i = 0; i < fam.n && !all_held(q); i++) {
        pid_t pid = fam.pids[i];
        if (pid != self && gc_proc_socket_fds(pid, other_fd, q, &budget) != 0)
            return -1;
        if (gc_proc_children(pid, add_pid, &fam, &budget) != 0 || fam.overflow)
            return -1;
    }
    return 0;
}
