/* holders.c - who else holds a socket (see holders.h). */
#include "holders.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gc.h"
#include "procscan.h"

#define MAX_PROCS 256
#define SCAN_BUDGET 200000 /* /proc entries read per decision, at most */

/* Where a holder was found: decides whether asking again is worthwhile. */
enum where { FIRM, ELSEWHERE };

struct scan {
    struct gc_holder_query *q;
    bool firm[GC_HOLDERS_MAX];
    enum where where;
};

static void mark(struct scan *s, uint64_t inode)
{
    for (int i = 0; i < s->q->n; i++) {
        if (s->q->inode[i] != inode)
            continue;
        s->q->held[i] = true;
        if (s->where == FIRM)
            s->firm[i] = true;
    }
}

static bool all_firm(const struct scan *s)
{
    for (int i = 0; i < s->q->n; i++)
        if (!s->firm[i])
            return false;
    return true;
}

static bool all_held(const struct gc_holder_query *q)
{
    for (int i = 0; i < q->n; i++)
        if (!q->held[i])
            return false;
    return true;
}

static bool own_fd(int fd, uint64_t inode, void *p)
{
    struct scan *s = p;
    if (!gc_is_closing(s->q->closing, fd))
        mark(s, inode);
    return !all_firm(s);
}

static bool other_fd(int fd, uint64_t inode, void *p)
{
    (void)fd;
    mark(p, inode);
    return !all_firm(p);
}

struct family {
    pid_t pids[MAX_PROCS];
    bool ours[MAX_PROCS]; /* this process's descendants */
    int n;
    bool adding_ours;
    bool overflow;
};

static bool in_family(const struct family *f, pid_t pid)
{
    for (int i = 0; i < f->n; i++)
        if (f->pids[i] == pid)
            return true;
    return false;
}

static bool add_pid(pid_t pid, void *p)
{
    struct family *f = p;
    if (in_family(f, pid))
        return true;
    if (f->n == MAX_PROCS) {
        f->overflow = true;
        return false;
    }
    f->ours[f->n] = f->adding_ours;
    f->pids[f->n++] = pid;
    return true;
}

struct outside {
    struct scan *s;
    const struct family *fam;
    pid_t self;
    long *budget;
    int failed;
};

static bool past(const struct gc_holder_query *q)
{
    return q->deadline_ms && gc_now_ms() >= q->deadline_ms;
}

static bool outside_pid(pid_t pid, void *p)
{
    struct outside *o = p;

    if (pid == o->self || in_family(o->fam, pid))
        return true;
    if (past(o->s->q)) {
        o->failed = 1;
        return false;
    }
    if (gc_proc_socket_fds(pid, other_fd, o->s, o->budget) != 0 &&
        errno != EACCES && errno != ENOENT && errno != ESRCH) {
        o->failed = 1;
        return false;
    }
    if (*o->budget < 0) {
        o->failed = 1;
        return false;
    }
    return !all_held(o->s->q);
}

int gc_find_other_holders(struct gc_holder_query *q)
{
    pid_t self = (pid_t)syscall(SYS_getpid), parent = (pid_t)syscall(SYS_getppid);
    long budget = SCAN_BUDGET;
    struct family fam = {.n = 0};
    struct scan s = {.q = q, .where = FIRM};

    for (int i = 0; i < q->n; i++)
        q->held[i] = q->held_elsewhere_only[i] = s.firm[i] = false;
    if (q->n == 0)
        return 0;

    if (!q->closing->whole_process && gc_proc_socket_fds(0, own_fd, &s, &budget) != 0)
        return -1;

    /* Breadth-first over the family; the list grows while it is read. */
    fam.adding_ours = parent <= 1;
    add_pid(parent > 1 ? parent : self, &fam);
    for (int i = 0; i < fam.n && !all_firm(&s); i++) {
        pid_t pid = fam.pids[i];
        if (past(q))
            return -1;
        s.where = fam.ours[i] ? FIRM : ELSEWHERE;
        if (pid != self && gc_proc_socket_fds(pid, other_fd, &s, &budget) != 0)
            return -1;
        fam.adding_ours = fam.ours[i] || pid == self;
        if (gc_proc_children(pid, add_pid, &fam, &budget) != 0 || fam.overflow)
            return -1;
    }

    /* Orphans: reparented out of the family, still holding the socket. */
    if (!all_held(q)) {
        struct outside o = {.s = &s, .fam = &fam, .self = self, .budget = &budget};
        s.where = ELSEWHERE;
        if (gc_proc_all_pids(outside_pid, &o, &budget) != 0 || o.failed)
            return -1;
    }

    for (int i = 0; i < q->n; i++)
        q->held_elsewhere_only[i] = q->held[i] && !s.firm[i];
    return 0;
}
