/* closepath.c - the close pipeline (see closepath.h). */
#include "closepath.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>

#include "classify.h"
#include "gc.h"
#include "holders.h"
#include "linger.h"
#include "owner.h"
#include "policy.h"
#include "real.h"

struct candidate {
    struct gc_fdent ent;
    enum gc_ownership own;
    uint64_t inode;
    struct gc_plan plan;
    bool linger;
    bool shut;
};

static uint64_t inode_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

#define ASK_AGAIN_ROUNDS 4 /* after 1, 2, 4, 8 ms: 15 ms at most */

/* Stage 2b: one /proc walk answers for every inherited or forked socket of
 * the group; an unreadable family leaves them all undecided.
 * When the only other holder is our parent, a sibling or an orphan, it
 * may be closing its copy right now and seeing ours: both would then
 * close plainly and the input still queued would reset the connection.
 * So, with input waiting, ask again a few times, briefly. */
static void ask_family(int n, const struct gc_closing *closing, uint64_t deadline_ms,
                       struct candidate *cand, struct gc_close_record *recs)
{
    struct gc_holder_query q = {.closing = closing, .deadline_ms = deadline_ms};
    int slot[GC_GROUP_MAX];

    for (int i = 0; i < n; i++) {
        if (cand[i].own != GC_OWN_ASK_FAMILY)
            continue;
        if (q.n == GC_HOLDERS_MAX) {
            cand[i].own = GC_OWN_NO;
            recs[i].verdict = GC_V_UNDECIDED;
            continue;
        }
        slot[i] = q.n;
        q.inode[q.n++] = cand[i].inode;
    }
    if (q.n == 0)
        return;

    bool known = gc_find_other_holders(&q) == 0;
    /* Unread input: a plain close by the last holder would reset. */
    for (int round = 0; known && round < ASK_AGAIN_ROUNDS; round++) {
        bool again = false;
        for (int i = 0; i < n; i++)
            if (cand[i].own == GC_OWN_ASK_FAMILY && q.held_elsewhere_only[slot[i]] &&
                gc_unread_bytes(recs[i].fd) > 0)
                again = true;
        if (!again)
            break;
        gc_sleep_ms(1u << round);
        known = gc_find_other_holders(&q) == 0;
    }

    for (int i = 0; i < n; i++) {
        if (cand[i].own != GC_OWN_ASK_FAMILY)
            continue;
        if (!known || q.held[slot[i]]) {
            cand[i].own = GC_OWN_NO;
            cand[i].linger = false;
            recs[i].verdict = known ? GC_V_SHARED : GC_V_UNDECIDED;
        } else {
            cand[i].own = GC_OWN_YES;
        }
    }
}

/* The stages for n descriptors, with the caller's candidate storage: a
 * single close keeps one candidate on the stack, not a group's worth. */
static __attribute__((noinline)) void prepare(const int *fds, int n, bool whole_process,
                                              uint64_t deadline_ms, struct candidate *cand,
                                              struct gc_close_record *recs)
{
    int saved_errno = errno;
    struct gc_closing closing = {.fds = fds, .n = n, .whole_process = whole_process};
    int tracked = 0, foreign = -1;
    uint64_t family_deadline = 0;

    /* Stage 1: classify.  Untracked descriptors cost no syscall at all. */
    for (int i = 0; i < n; i++) {
        recs[i] = (struct gc_close_record){.fd = fds[i], .tcp_state = -1};
        cand[i].own = GC_OWN_NO;
        cand[i].linger = false;
        if (!gc_fd_lookup(fds[i], &cand[i].ent)) {
            recs[i].verdict = GC_V_UNTRACKED;
            continue;
        }
        if (foreign < 0)
            foreign = gc_in_foreign_child();
        if (foreign) {
            recs[i].verdict = GC_V_VFORK_CHILD; /* hands off, the table too */
            continue;
        }
        tracked = 1;
        if (!gc_classify(fds[i], &recs[i]))
            continue;
        recs[i].role = cand[i].ent.flags & GC_FD_ACCEPTED ? GC_RROLE_ACCEPTED
                     : cand[i].ent.flags & GC_FD_INHERITED ? GC_RROLE_INHERITED
                     : GC_RROLE_CONNECTED;
        gc_record_capture(fds[i], &recs[i]);
        /* Stage 2a: ownership, the cheap part (table, cookie, dups). */
        cand[i].own = gc_decide_owner(fds[i], &cand[i].ent, &closing, &recs[i]);
        if (cand[i].own == GC_OWN_NO)
            continue;
        /* Stage 3: policy.  Its checks cost a syscall or two, so they go
         * before the /proc walk, which only a linger or a reset needs. */
        cand[i].linger =
            gc_choose_policy(fds[i], &cand[i].ent, deadline_ms, &recs[i], &cand[i].plan);
        if (!cand[i].linger) {
            cand[i].own = GC_OWN_NO;
            continue;
        }
        if (cand[i].own == GC_OWN_ASK_FAMILY || n > 1)
            cand[i].inode = inode_of(fds[i]);
        if (cand[i].own == GC_OWN_ASK_FAMILY &&
            (!family_deadline || cand[i].plan.deadline_ms < family_deadline))
            family_deadline = cand[i].plan.deadline_ms;
    }
    /* Stage 2b: ownership, the last-holder check. */
    ask_family(n, &closing, family_deadline, cand, recs);

    /* One linger per socket, even when several descriptors name it. */
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i && cand[i].linger; j++) {
            if (cand[j].linger && cand[j].inode == cand[i].inode) {
                cand[i].linger = false;
                recs[i].verdict = GC_V_SAME_SOCKET;
            }
        }
    }

    /* Stage 4: act.  Every FIN goes out before any wait starts. */
    for (int i = 0; i < n; i++) {
        if (cand[i].linger && cand[i].plan.action == GC_ACT_RESET) {
            gc_make_abortive(fds[i]);
            cand[i].linger = false;
        }
        if (cand[i].linger)
            cand[i].shut = gc_linger_shutdown(fds[i], &cand[i].plan, &recs[i]);
    }
    for (int i = 0; i < n; i++)
        if (cand[i].linger) {
            gc_linger_wait(fds[i], &cand[i].plan, cand[i].shut, &recs[i]);
            recs[i].steps = cand[i].plan.s.steps; /* issue 9: the steps carried out */
            if (!cand[i].shut)
                recs[i].steps &= ~(unsigned)GC_STEP_SHUTDOWN;
        }

    if (tracked)
        for (int i = 0; i < n; i++)
            if (recs[i].verdict != GC_V_UNTRACKED && recs[i].verdict != GC_V_VFORK_CHILD)
                gc_fd_forget(fds[i]);
    errno = saved_errno;
}

void gc_close_group_prepare(const int *fds, int n, bool whole_process, uint64_t deadline_ms,
                            struct gc_close_record *recs)
{
    struct candidate cand[GC_GROUP_MAX];

    prepare(fds, n > GC_GROUP_MAX ? GC_GROUP_MAX : n, whole_process, deadline_ms, cand, recs);
}

void gc_close_prepare(int fd, uint64_t deadline_ms, struct gc_close_record *rec)
{
    struct candidate cand;

    prepare(&fd, 1, false, deadline_ms, &cand, rec);
}

void gc_close_finish(const struct gc_close_record *recs, int n)
{
    int saved_errno = errno;
    for (int i = 0; i < n; i++)
        gc_record(&recs[i]);
    errno = saved_errno;
}

/* The real close is a cancellation point.  A cancel that arrived while we
 * lingered (our waits are raw syscalls, no cancellation points) must not
 * be acted on at its entry, before the descriptor is closed: that would
 * be a leak the program never had.  The request stays pending for the
 * program's next cancellation point. */
static int close_uncancelled(int fd)
{
    int old = PTHREAD_CANCEL_ENABLE;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    int r = gc_real_close(fd);
    int saved_errno = errno;
    pthread_setcancelstate(old, NULL);
    errno = saved_errno;
    return r;
}

int gc_close(int fd)
{
    struct gc_close_record rec;
    struct gc_fdent ent;

    /* The common case, kept small: a descriptor the table does not know
     * (also close(-1)) goes straight to the real close. */
    if (!gc_fd_lookup(fd, &ent))
        return gc_real_close(fd);
    gc_close_prepare(fd, 0, &rec);
    int r = rec.verdict == GC_V_LINGER ? close_uncancelled(fd) : gc_real_close(fd);
    gc_close_finish(&rec, 1);
    return r;
}
