/* closepath.c - the close pipeline (see closepath.h). */
#include "closepath.h"
#include "gc.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>

#include "classify.h"
#include "epoll_track.h"
#include "fdtable.h"
#include "mode.h"
#include "ownfd.h"
#include "owner.h"
#include "policy.h"
#include "procscan.h"
#include "real.h"
#include "region.h"
#include "track.h"
#include "handoff.h"
#include "log.h"

/* 1 + the generation (owner.h) of the process that handed off before. */
static GC_HOT unsigned uring_asked_in;

/* For the record of a close that does nothing: state, role, addresses. */
static void describe(int fd, const struct gc_fdent *ent, struct gc_close_record *rec)
{
    struct gc_tcp_probe probe;
    if (!gc_tcp_probe(fd, &probe))
        return;
    rec->tcp_state = probe.state;
    /* A listener's copy, or a socket still connecting, is no shared
     * connection.  One in CLOSE is: its connection can end between this
     * close's count and this look (the last holder's linger ran meanwhile),
     * and the close is still a shared one. */
    if (!gc_state_connected(probe.state) && probe.state != TCP_CLOSE) {
        rec->verdict = GC_V_NOT_CONNECTED;
        return;
    }
    rec->role = ent->flags & GC_FD_ACCEPTED    ? GC_RROLE_ACCEPTED
                : ent->flags & GC_FD_INHERITED ? GC_RROLE_INHERITED
                                               : GC_RROLE_CONNECTED;
    gc_record_capture(fd, rec);
}

/* The stages for one descriptor.  Returns true when the helper took the
 * socket's linger.  Syscalls: none for a descriptor that is not the last
 * of its socket; the last one costs SO_COOKIE, TCP_INFO and, when nothing
 * else tells, SIOCINQ. */
static bool prepare(int fd, enum gc_close_path path, uint64_t now_ms, uint64_t deadline_ms,
                    bool (*may_linger)(void), bool exiting, struct gc_close_record *rec)
{
    struct gc_fdent ent;

    *rec = (struct gc_close_record){.fd = fd, .tcp_state = -1, .path = path};
    if (!gc_fd_lookup(fd, &ent))
        return false;
    if (ent.flags & GC_FD_EPOLL) {
        gc_epoll_forget(fd);
        return false;
    }
    if (gc_passthrough()) {
        gc_fd_forget(fd);
        rec->verdict = GC_V_PASSTHROUGH;
        return false;
    }
    if (gc_in_foreign_child()) {
        /* Our memory is the parent's: hands off the table.  The family
         * count is shared memory, and this copy is gone. */
        rec->verdict = GC_V_VFORK_CHILD;
        gc_track_foreign_child_close(fd, &ent);
        return false;
    }
    /* The flags as this close took them: a socket moved into the region
     * meanwhile (track.h) is counted there. */
    ent.flags = gc_fd_take(fd);
    if (!ent.flags) {
        /* A handler (or another thread) closing the same number got here
         * first: that close counts and decides, this one is plain. */
        return false;
    }

    /* Ownership: this descriptor leaves the family's count.  Only the
     * last one is checked against the kernel (SO_COOKIE): a stale entry
     * (its socket closed where we did not see) can only lower a count that
     * was too high, but must never lead to a linger on another socket. */
    uint32_t oflags = 0;
    int origin = 0;
    int32_t left = (ent.flags & GC_FD_COUNTED) ? gc_region_add(ent.cookie, -1, &oflags, &origin)
                   : (ent.flags & GC_FD_SOLE)  ? 0
                                               : -1;
    if (left != 0) {
        rec->verdict = left > 0 ? GC_V_SHARED : GC_V_UNCOUNTED;
        /* Nothing to do here; but when records are written, say what the
         * socket was (a listener's copy is no shared connection). */
        if (gc_log_on(GC_LOG_INFO))
            describe(fd, &ent, rec);
        return false;
    }
    if (gc_socket_cookie(fd) != ent.cookie) {
        rec->verdict = GC_V_STALE;
        return false;
    }
    if (oflags & GC_OWN_FOREIGN) {
        rec->verdict = GC_V_FOREIGN;
        return false;
    }

    /* The last holder: what would a plain close lose? */
    struct gc_tcp_probe probe;
    if (!gc_tcp_probe(fd, &probe)) {
        rec->verdict = GC_V_NOT_TCP;
        return false;
    }
    rec->tcp_state = probe.state;
    rec->since_data_ms = probe.since_data_ms;
    if (!gc_state_connected(probe.state)) {
        rec->verdict = GC_V_NOT_CONNECTED;
        return false;
    }
    rec->role = ent.flags & GC_FD_ACCEPTED    ? GC_RROLE_ACCEPTED
                : ent.flags & GC_FD_INHERITED ? GC_RROLE_INHERITED
                                              : GC_RROLE_CONNECTED;
    gc_record_capture(fd, rec); /* addresses and queues, when records want them */
    struct gc_plan plan;
    memset(&plan, 0, sizeof plan); /* it travels to the helper whole */
    switch (gc_choose_policy(fd, &ent, &probe, now_ms, deadline_ms, rec, &plan)) {
    case GC_DO_PLAIN:
        return false;
    case GC_DO_RESET:
        gc_make_abortive(fd);
        return false;
    case GC_DO_LINGER:
        break;
    }
    if (may_linger && !may_linger()) {
        rec->verdict = GC_V_THREADS; /* other threads may still use it */
        return false;
    }
    /* A thread blocked reading the socket keeps it open after this close,
     * as without us; a drain would take its bytes. */
    if (gc_owner_has_threads() && gc_proc_thread_reading(fd)) {
        rec->verdict = GC_V_READER;
        return false;
    }
    /* An io_uring instance may hold the socket (a fixed file, a request in
     * flight) where no count sees it: no FIN under it, no drain.  At exit
     * a ring the process made ends with it: unless a copy may live on
     * elsewhere (owner.h), there is nothing to ask.  A "none" less than a
     * second old is believed: ours, or the one our parent found just
     * before it forked us (procscan.h).  Otherwise a process asks /proc
     * itself from its second hand-off on (once a second); its first one
     * leaves the question to the helper.  The first one, often the only
     * one (a fork child), also leaves the FIN to the helper: it keeps that
     * close short. */
    if (exiting && gc_owner_table_private()) {
        plan.no_io_uring = true;
    } else {
        unsigned mine = gc_owner_generation() + 1;
        bool first = uring_asked_in != mine;
        if (gc_own_uring_none_lately(now_ms ? now_ms : gc_now_ms())) {
            plan.no_io_uring = true;
        } else if (!first) {
            if (gc_process_uses_io_uring(gc_owner_pid(), true)) {
                rec->verdict = GC_V_IO_URING;
                return false;
            }
            plan.no_io_uring = true;
        }
        plan.fin_by_helper = first;
        uring_asked_in = mine;
    }
    if (oflags & GC_OWN_ORIGIN_UNKNOWN)
        plan.origin_pid = origin;
    plan.cookie = ent.cookie;
    plan.fin_was_out = gc_state_write_shut(probe.state);
    return gc_handoff_take(fd, &plan, rec);
}

void gc_close_prepare_on(int fd, enum gc_close_path path, struct gc_close_record *rec)
{
    int saved_errno = gc_errno_save();
    prepare(fd, path, 0, 0, NULL, false, rec);
    gc_errno_restore(saved_errno);
}

bool gc_close_at_exit(int fd, enum gc_close_path path, uint64_t now_ms, uint64_t deadline_ms,
                      bool (*may_linger)(void), struct gc_close_record *rec)
{
    int saved_errno = gc_errno_save();
    bool taken = prepare(fd, path, now_ms, deadline_ms, may_linger, true, rec);
    gc_errno_restore(saved_errno);
    return taken;
}

void gc_close_finish(const struct gc_close_record *recs, int n)
{
    int saved_errno = gc_errno_save();
    for (int i = 0; i < n; i++) {
        if (recs[i].verdict == GC_V_PASSTHROUGH)
            continue; /* not even a count: no system call of ours at all */
        if (recs[i].verdict == GC_V_LINGER)
            gc_record_handed(&recs[i]);
        else
            gc_record_emit(&recs[i]);
    }
    gc_errno_restore(saved_errno);
}

/* A close of a descriptor the table knows: the whole pipeline. */
static __attribute__((noinline)) int close_tracked(int fd, enum gc_close_path path)
{
    struct gc_close_record rec;

    gc_close_prepare_on(fd, path, &rec);
    int r = gc_real_close(fd);
    gc_close_finish(&rec, 1);
    return r;
}

/* Without the library this number would not be open: if it is one of
 * ours, move ours away, free the number, and answer as for a closed one. */
static __attribute__((noinline)) int close_maybe_own(int fd)
{
    if (!gc_ownfd_is(fd))
        return gc_real_close(fd);
    gc_ownfd_evacuate(fd);
    gc_real_close(fd);
    errno = EBADF;
    return -1;
}

int gc_close_on(int fd, enum gc_close_path path)
{
    if (gc_fd_known(fd))
        return close_tracked(fd, path);
    return gc_close(fd);
}

int gc_close(int fd)
{
    /* The common case, kept small: a descriptor the table does not know
     * (also close(-1)) goes straight to the real close. */
    if (__builtin_expect(gc_fd_known(fd), 0))
        return close_tracked(fd, GC_PATH_CLOSE);
    if (__builtin_expect(fd >= __atomic_load_n(&gc_own_fd_min, __ATOMIC_RELAXED), 0))
        return close_maybe_own(fd);
    return gc_real_close(fd);
}
