/* worker.c - the lingering thread (see worker.h). */
#include "sys.h"
#include "worker.h"

#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "epoll_track.h"
#include "fdtable.h"
#include "owner.h"
#include "gc.h"
#include "linger.h"
#include "ownfd.h"

#define STACK_BYTES (128 * 1024)
#define IDLE_WAKE_MS 1000 /* with nothing to do the thread still looks now and then */

enum { FREE, CLAIMED, QUEUED, ACTIVE };

struct slot {
    int state;
    int fd;
    bool owns_program_fd; /* exit: the program's own number, not a copy */
    struct gc_plan plan;
    struct gc_close_record rec;
};

static struct slot slots[GC_LINGERS_MAX];
static struct gc_linger lingers[GC_LINGERS_MAX]; /* the thread's own state */
static int in_flight;
static int wake_fd = -1;
static int thread_state; /* 0 none, 1 starting, 2 running, 3 failed */

/* Fork children hand their lingers to the thread of the process that
 * forked them (a fork-per-connection server's child then needs no thread
 * of its own, and exits at once): a SOCK_SEQPACKET pair made before the
 * first fork; this process's thread receives on chan_rx, children send on
 * the chan_tx they inherit (as parent_tx). */
static int chan_rx = -1, chan_tx = -1, parent_tx = -1;
static int inherited_wake_fd = -1;

struct handoff {
    struct gc_plan plan;
    struct gc_close_record rec;
};

static void wake(void)
{
    uint64_t one = 1;
    int fd = __atomic_load_n(&wake_fd, __ATOMIC_ACQUIRE);
    if (fd >= 0)
        gc_sys(SYS_write, fd, &one, sizeof one);
}

static void done(int i)
{
    int fd = __atomic_exchange_n(&slots[i].fd, -1, __ATOMIC_ACQ_REL);
    if (slots[i].owns_program_fd)
        gc_sys(SYS_close, fd);
    else
        gc_ownfd_close(fd);
    gc_record(&lingers[i].rec);
    __atomic_store_n(&slots[i].state, FREE, __ATOMIC_RELEASE);
    __atomic_sub_fetch(&in_flight, 1, __ATOMIC_ACQ_REL);
    gc_sys(SYS_futex, &in_flight, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
}

static int claim_slot(void);

/* In the thread: lingers a child handed over. */
static void receive_handoffs(void)
{
    for (int i = 0; i < 64; i++) {
        struct handoff h;
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(sizeof(int))];
        } ctl;
        struct iovec iov = {&h, sizeof h};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                           .msg_controllen = sizeof ctl.buf};
        long n = gc_sys(SYS_recvmsg, chan_rx, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n <= 0)
            return;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(sizeof(int)))
            continue;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        if ((size_t)n != sizeof h) {
            gc_sys(SYS_close, fd);
            continue;
        }
        int copy = gc_ownfd_place(fd, false);
        int slot = copy >= 0 ? claim_slot() : -1;
        if (slot < 0) {
            h.rec.verdict = copy < 0 ? GC_V_NO_SLOT : GC_V_QUEUE_FULL;
            gc_ownfd_close(copy);
            gc_record(&h.rec);
            continue;
        }
        slots[slot].fd = copy;
        slots[slot].owns_program_fd = false;
        slots[slot].plan = h.plan;
        slots[slot].rec = h.rec;
        __atomic_add_fetch(&in_flight, 1, __ATOMIC_ACQ_REL);
        __atomic_store_n(&slots[slot].state, QUEUED, __ATOMIC_RELEASE);
    }
}

static void *run(void *arg)
{
    static struct pollfd pfd[GC_LINGERS_MAX + 1];
    static int who[GC_LINGERS_MAX + 1];
    (void)arg;

    for (;;) {
        uint64_t now = gc_now_ms(), wake_at = now + IDLE_WAKE_MS;
        int n = 0;

        pfd[n].fd = __atomic_load_n(&wake_fd, __ATOMIC_ACQUIRE);
        pfd[n].events = POLLIN;
        who[n++] = -1;
        pfd[n].fd = __atomic_load_n(&chan_rx, __ATOMIC_ACQUIRE);
        pfd[n].events = POLLIN;
        who[n++] = -2;
        for (int i = 0; i < GC_LINGERS_MAX; i++) {
            int st = __atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE);
            if (st == QUEUED) {
                gc_linger_init(&lingers[i], slots[i].fd, &slots[i].plan, &slots[i].rec, now);
                __atomic_store_n(&slots[i].state, ACTIVE, __ATOMIC_RELEASE);
                st = ACTIVE;
            }
            if (st != ACTIVE)
                continue;
            lingers[i].fd = __atomic_load_n(&slots[i].fd, __ATOMIC_ACQUIRE);
            if (lingers[i].wake_ms <= now) {
                if (gc_linger_step(&lingers[i], now, 0)) {
                    done(i);
                    continue;
                }
            }
            if (lingers[i].wake_ms < wake_at)
                wake_at = lingers[i].wake_ms;
            if (lingers[i].want_input) {
                pfd[n].fd = lingers[i].fd;
                pfd[n].events = POLLIN;
                who[n++] = i;
            }
        }
        uint64_t ms = wake_at > now ? wake_at - now : 0;
        struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
        int ready = (int)gc_sys(SYS_ppoll, pfd, n, &ts, NULL, (size_t)8);
        if (ready <= 0)
            continue;
        now = gc_now_ms();
        for (int k = 0; k < n; k++) {
            if (!pfd[k].revents)
                continue;
            if (who[k] == -1) {
                uint64_t count;
                gc_sys(SYS_read, pfd[k].fd, &count, sizeof count);
                continue;
            }
            if (who[k] == -2) {
                receive_handoffs();
                continue;
            }
            lingers[who[k]].wake_ms = now; /* input: step it this round */
            if (pfd[k].revents & POLLERR)
                lingers[who[k]].quiet_poll = true;
        }
    }
    return NULL;
}

/* Started on first need; a thread that cannot be made is not retried
 * (every later close is plain, counted as no-worker). */
static bool ensure_thread(void)
{
    int st = __atomic_load_n(&thread_state, __ATOMIC_ACQUIRE);
    if (st == 2 || st == 1)
        return true; /* starting elsewhere: it will find the slot */
    if (st == 3 || !__atomic_compare_exchange_n(&thread_state, &st, 1, false, __ATOMIC_ACQ_REL,
                                                __ATOMIC_ACQUIRE))
        return __atomic_load_n(&thread_state, __ATOMIC_ACQUIRE) != 3;

    if (inherited_wake_fd >= 0) {
        gc_ownfd_close(inherited_wake_fd);
        inherited_wake_fd = -1;
    }
    int fd = gc_ownfd_place((int)gc_sys(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK), false);
    __atomic_store_n(&wake_fd, fd, __ATOMIC_RELEASE);

    pthread_attr_t attr;
    pthread_t tid;
    sigset_t all, old;
    sigfillset(&all);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, STACK_BYTES);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread starts with all blocked */
    int rc = fd >= 0 ? pthread_create(&tid, &attr, run, NULL) : EAGAIN;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0 && fd >= 0) {
        __atomic_store_n(&wake_fd, -1, __ATOMIC_RELEASE);
        gc_ownfd_close(fd);
    }
    __atomic_store_n(&thread_state, rc == 0 ? 2 : 3, __ATOMIC_RELEASE);
    return rc == 0;
}

/* Hands the linger to the thread of the process that forked us.  False
 * when there is none, or it is gone or full (then we linger ourselves). */
static bool hand_to_parent(int fd, const struct gc_plan *plan, const struct gc_close_record *rec)
{
    int tx = __atomic_load_n(&parent_tx, __ATOMIC_ACQUIRE);
    if (tx < 0)
        return false;
    struct handoff h = {*plan, *rec};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct iovec iov = {&h, sizeof h};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                       .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    if (gc_sys(SYS_sendmsg, tx, &m, MSG_DONTWAIT | MSG_NOSIGNAL) == (long)sizeof h)
        return true;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
        /* the parent is gone: from now on we linger ourselves */
        __atomic_store_n(&parent_tx, -1, __ATOMIC_RELEASE);
        gc_ownfd_close(tx);
    }
    return false;
}

static int claim_slot(void)
{
    for (int i = 0; i < GC_LINGERS_MAX; i++) {
        int expected = FREE;
        if (__atomic_compare_exchange_n(&slots[i].state, &expected, CLAIMED, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return i;
    }
    return -1;
}

bool gc_worker_take(int fd, bool give_fd, const struct gc_plan *plan,
                    struct gc_close_record *rec)
{
    int saved_errno = errno;
    int i = claim_slot();

    if (i < 0) {
        rec->verdict = GC_V_QUEUE_FULL;
        return false;
    }
    int copy = -1;
    if (!gc_epoll_can_remove()) {
        rec->verdict = GC_V_EPOLL_UNKNOWN;
    } else if (hand_to_parent(fd, plan, rec)) {
        __atomic_store_n(&slots[i].state, FREE, __ATOMIC_RELEASE);
        gc_epoll_remove(fd);
        errno = saved_errno;
        return true;
    } else if (!ensure_thread())
        rec->verdict = GC_V_NO_WORKER;
    else if ((copy = give_fd ? fd : gc_ownfd_copy(fd, false)) < 0)
        rec->verdict = GC_V_NO_SLOT;
    if (copy < 0) {
        __atomic_store_n(&slots[i].state, FREE, __ATOMIC_RELEASE);
        errno = saved_errno;
        return false;
    }
    /* No event for the old socket may reach the program once it closed
     * its number: leave its epoll sets while the number still names it. */
    gc_epoll_remove(fd);
    slots[i].fd = copy;
    slots[i].owns_program_fd = give_fd;
    slots[i].plan = *plan;
    slots[i].rec = *rec;
    __atomic_add_fetch(&in_flight, 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&slots[i].state, QUEUED, __ATOMIC_RELEASE);
    wake();
    errno = saved_errno;
    return true;
}

void gc_worker_wait(uint64_t deadline_ms)
{
    /* Children may be handing over lingers as we end: refuse new ones
     * (their send fails, they linger themselves), take what is queued. */
    int rx = __atomic_load_n(&chan_rx, __ATOMIC_ACQUIRE);
    if (rx >= 0) {
        gc_sys(SYS_shutdown, rx, SHUT_RD);
        if (gc_worker_running())
            receive_handoffs();
    }
    for (int round = 0; round < 100000; round++) {
        int n = __atomic_load_n(&in_flight, __ATOMIC_ACQUIRE);
        uint64_t now = gc_now_ms();
        if (n <= 0 || now >= deadline_ms || !gc_worker_running())
            return;
        uint64_t ms = deadline_ms - now < 20 ? deadline_ms - now : 20;
        struct timespec ts = {0, (long)ms * 1000000L};
        gc_sys(SYS_futex, &in_flight, FUTEX_WAIT_PRIVATE, n, &ts, NULL, 0);
    }
}

bool gc_worker_running(void)
{
    return __atomic_load_n(&thread_state, __ATOMIC_ACQUIRE) == 2;
}

void gc_worker_forget_after_fork(void)
{
    for (int i = 0; i < GC_LINGERS_MAX; i++) {
        if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == FREE)
            continue;
        int fd = slots[i].fd;
        if (fd >= 0 && !slots[i].owns_program_fd)
            gc_ownfd_close(fd);
        slots[i].fd = -1;
        __atomic_store_n(&slots[i].state, FREE, __ATOMIC_RELEASE);
    }
    /* The parent's wake-up eventfd is closed only if this process starts a
     * thread of its own (most fork children never do): a syscall saved. */
    if (wake_fd >= 0)
        inherited_wake_fd = wake_fd;
    wake_fd = -1;
    in_flight = 0;
    thread_state = 0;
    /* The parent's channel is ours to send on now; an older one (from a
     * grandparent) gives way to it. */
    if (chan_rx >= 0) {
        gc_ownfd_close(chan_rx);
        chan_rx = -1;
        if (parent_tx >= 0)
            gc_ownfd_close(parent_tx);
        parent_tx = chan_tx;
        chan_tx = -1;
    }
}

void gc_worker_before_fork(void)
{
    int expected = -1;
    if (__atomic_load_n(&chan_rx, __ATOMIC_ACQUIRE) >= 0 || gc_fd_highwater() < 0 ||
        gc_in_foreign_child() || !ensure_thread())
        return;
    int sv[2];
    if (gc_sys(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return;
    int rx = gc_ownfd_place(sv[0], false), tx = gc_ownfd_place(sv[1], false);
    if (rx < 0 || tx < 0 ||
        !__atomic_compare_exchange_n(&chan_rx, &expected, rx, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        gc_ownfd_close(rx);
        gc_ownfd_close(tx);
        return;
    }
    __atomic_store_n(&chan_tx, tx, __ATOMIC_RELEASE);
    wake(); /* the thread polls the new channel from its next round */
}

bool gc_worker_moved(int from, int to)
{
    if (from < 0)
        return false;
    if (__atomic_load_n(&wake_fd, __ATOMIC_ACQUIRE) == from) {
        __atomic_store_n(&wake_fd, to, __ATOMIC_RELEASE);
        return true;
    }
    for (int i = 0; i < GC_LINGERS_MAX; i++) {
        int *own[] = {&chan_rx, &chan_tx, &parent_tx, &inherited_wake_fd};
    for (int k = 0; k < 4; k++) {
        int e = from;
        if (__atomic_compare_exchange_n(own[k], &e, to, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return true;
    }
    int expected = from;
        if (__atomic_compare_exchange_n(&slots[i].fd, &expected, to, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return true;
    }
    return false;
}
