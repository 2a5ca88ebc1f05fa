/* closepath.c - the close pipeline (see closepath.h). */
#include "closepath.h"

#include <errno.h>

#include "classify.h"
#include "linger.h"
#include "owner.h"
#include "policy.h"
#include "real.h"

void gc_close_prepare(int fd, uint64_t deadline_ms, struct gc_close_record *rec)
{
    int saved_errno = errno;
    struct gc_fdent ent;
    struct gc_plan plan;

    *rec = (struct gc_close_record){.fd = fd, .tcp_state = -1};

    if (!gc_fd_lookup(fd, &ent)) {
        rec->verdict = GC_V_UNTRACKED; /* the common case: no syscall at all */
        return;
    }
    /* A vfork-like child shares our memory: hands off the table too. */
    if (gc_in_foreign_child()) {
        rec->verdict = GC_V_VFORK_CHILD;
        errno = saved_errno;
        return;
    }
    if (gc_classify(fd, rec) && gc_decide_owner(fd, &ent, rec) &&
        gc_choose_policy(fd, &ent, deadline_ms, rec, &plan))
        gc_linger(fd, &plan.s, plan.deadline_ms, rec);

    gc_fd_forget(fd);
    errno = saved_errno;
}

void gc_close_finish(const struct gc_close_record *rec)
{
    int saved_errno = errno;
    gc_record(rec);
    errno = saved_errno;
}

int gc_close(int fd)
{
    struct gc_close_record rec;

    gc_close_prepare(fd, 0, &rec);
    int r = gc_real_close(fd);
    gc_close_finish(&rec);
    return r;
}
