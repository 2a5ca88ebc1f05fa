/* lingerd.c - graceclose-lingerd: the helper that lingers on sockets the
 * programs of a family have closed (see src/lib/handoff.h).
 *
 * Started by the library with its end of the hand-off channel as fd 3 and
 * nothing else.  Each message carries a socket (SCM_RIGHTS) and its plan;
 * the helper drives every linger (src/lib/linger.c) from one epoll loop,
 * closes each socket when its linger ends, and exits once no process holds
 * the other end of the channel and no linger is left.  epoll, not poll: a
 * wake-up then costs what is ready, not every linger in flight (with 600
 * peers still sending, poll's own work on each socket was most of the
 * helper's CPU, taken from the programs beside it). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gc.h"
#include "handoff.h"
#include "line.h"
#include "log.h"
#include "linger.h"
#include "policy.h"
#include "procscan.h"
#include "sys.h"

#define CHANNEL 3
#define LINGERS_MAX 4096  /* in flight; past it the oldest is closed plainly */
#define IDLE_WAKE_MS 1000
/* With no linger for this long the helper ends, even while programs of the
 * family still run (a process without the library may hold the channel's
 * end for ever, and a service manager waits for every process): new
 * hand-offs are refused first, what is queued is taken, and the next close
 * that needs a helper starts a new one. */
#define IDLE_EXIT_MS 10000
/* Under a stream of hand-offs the channel is read at most this often, so
 * one wake-up takes many: the closing process sent each FIN already, so
 * nothing waits on us meanwhile (a socket in the channel stays open). */
#define BATCH_MS 2

#define EVENTS_MAX 256
#define CHANNEL_TAG UINT32_MAX /* the channel's epoll data; a linger's is its slot */

static struct gc_linger lingers[LINGERS_MAX];
static bool busy[LINGERS_MAX];
static bool watched[LINGERS_MAX]; /* in the epoll set, for input */
static int slots_used;            /* no busy slot at or above this */
static int ep = -1;               /* the epoll set: the channel, lingers that wait for input */
/* Whose close it was, and where its record goes. */
static struct {
    int pid;
    char program[64];
    bool has_log;
    struct gc_log_export log;
    int log_fd;
} owner[LINGERS_MAX];
static int in_flight;
static bool senders_gone;

/* The record code asks for the process's own settings (the summary at
 * exit); the helper has none of its own: every linger brings its plan. */
bool gc_base_settings(struct gc_settings *out)
{
    (void)out;
    return false;
}

/* Puts a linger in the epoll set or takes it out, as it wants input.  One
 * that cannot be added is stepped on a short timer instead. */
static void watch(int i, bool want, uint64_t now)
{
    if (want != watched[i]) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (gc_sys(SYS_epoll_ctl, ep, want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, lingers[i].fd,
                   &ev) == 0 ||
            !want)
            watched[i] = want;
    }
    if (want && !watched[i] && lingers[i].wake_ms > now + BATCH_MS)
        lingers[i].wake_ms = now + BATCH_MS;
}

static void finish(int i);

/* One step of linger i (revents: what epoll said of it, 0 if none); true
 * if it goes on. */
static bool step(int i, uint64_t now, short revents)
{
    if (gc_linger_step(&lingers[i], now, revents)) {
        finish(i);
        return false;
    }
    if (lingers[i].want_input != watched[i])
        watch(i, lingers[i].want_input, now);
    return true;
}

static void finish(int i)
{
    /* Out of the set first: another descriptor of the same socket (one
     * sent twice) would keep the registration, and its slot number. */
    watch(i, false, 0);
    gc_sys(SYS_close, lingers[i].fd);
    /* Only a record its settings let through: the import asks the kernel
     * about the log descriptor. */
    if (owner[i].has_log && gc_record_level(&lingers[i].rec) <= owner[i].log.level) {
        gc_line_identity(owner[i].pid, owner[i].program);
        gc_log_import(&owner[i].log, owner[i].log_fd);
        gc_record_emit(&lingers[i].rec);
    }
    if (owner[i].log_fd >= 0)
        gc_sys(SYS_close, owner[i].log_fd);
    busy[i] = false;
    in_flight--;
}

/* A full table: the oldest linger gives way (closed plainly, counted). */
static int free_slot(void)
{
    int oldest = -1;
    for (int i = 0; i < LINGERS_MAX; i++) {
        if (!busy[i]) {
            if (i >= slots_used)
                slots_used = i + 1;
            return i;
        }
        if (oldest < 0 || lingers[i].start_ms < lingers[oldest].start_ms)
            oldest = i;
    }
    lingers[oldest].rec.outcome = GC_O_TIMEOUT;
    finish(oldest);
    return oldest;
}

/* What came is the socket the program meant: a signal handler that closed
 * the number and reused it while the close path ran could make it another. */
static bool same_socket(int fd, uint64_t cookie)
{
    uint64_t c = 0;
    socklen_t len = sizeof c;
    return gc_sys(SYS_getsockopt, fd, SOL_SOCKET, SO_COOKIE, &c, &len) == 0 && c == cookie;
}

/* Takes what the channel holds; true when the next read may wait for a
 * batch (something came, and every FIN was sent by the closing process). */
static bool receive(uint64_t now)
{
    bool got = false, prompt = false;
    for (int round = 0; round < 256; round++) {
        struct gc_handoff h;
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
        } ctl;
        struct iovec iov = {&h, sizeof h};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                           .msg_controllen = sizeof ctl.buf};
        long n = gc_sys(SYS_recvmsg, CHANNEL, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n == 0) {
            senders_gone = true;
            break;
        }
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                senders_gone = true;
            break;
        }
        int fds[2] = {-1, -1};
        struct ucred cred = {0};
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != SOL_SOCKET)
                continue;
            if (c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int)))
                memcpy(fds, CMSG_DATA(c),
                       c->cmsg_len >= CMSG_LEN(2 * sizeof(int)) ? 2 * sizeof(int) : sizeof(int));
            else if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof cred))
                memcpy(&cred, CMSG_DATA(c), sizeof cred);
        }
        if (fds[0] < 0)
            continue;
        if ((size_t)n != sizeof h || !same_socket(fds[0], h.plan.cookie)) {
            gc_sys(SYS_close, fds[0]);
            if (fds[1] >= 0)
                gc_sys(SYS_close, fds[1]);
            continue;
        }
        got = true;
        if (!h.plan.shut_done && !h.plan.fin_was_out)
            prompt = true; /* its FIN is ours to send: no batching delay */
        int i = free_slot();
        gc_linger_init(&lingers[i], fds[0], &h.plan, &h.rec, now, cred.pid);
        owner[i].pid = cred.pid;
        memcpy(owner[i].program, h.program, sizeof owner[i].program);
        owner[i].program[sizeof owner[i].program - 1] = '\0';
        owner[i].has_log = h.has_log;
        owner[i].log = h.log;
        owner[i].log_fd = fds[1];
        busy[i] = true;
        in_flight++;
    }
    return got && !prompt;
}

int main(void)
{
    static struct epoll_event events[EVENTS_MAX];
    sigset_t none;

    /* The library started us with every signal blocked: a service
     * manager's SIGTERM must end us like the program it stops. */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Every linger holds a descriptor: as many as the hard limit allows. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* SCHED_BATCH: a hand-off wakes us without preempting the program
     * that closed (CFS lets only SCHED_NORMAL tasks preempt at wake-up);
     * we run at the next tick or on an idle CPU, a few ms at most. */
    struct sched_param sp = {0};
    sched_setscheduler(0, SCHED_BATCH, &sp);

    ep = (int)gc_sys(SYS_epoll_create1, EPOLL_CLOEXEC);
    struct epoll_event chan = {.events = EPOLLIN, .data.u32 = CHANNEL_TAG};
    if (ep < 0 || gc_sys(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, CHANNEL, &chan) != 0)
        return 1; /* the library sees the channel end and counts it */
    bool channel_listed = true, channel_in = true;

    /* Lingers are stepped when input comes (the events) and when a time
     * one of them set is due (a scan of the table, at due_at). */
    uint64_t last_busy = gc_now_ms(), channel_at = 0, due_at = 0;
    while (!senders_gone || in_flight > 0) {
        uint64_t now = gc_now_ms(), wake_at = now + IDLE_WAKE_MS;
        if (in_flight > 0)
            last_busy = now;
        else if (!senders_gone && now - last_busy >= IDLE_EXIT_MS) {
            gc_sys(SYS_shutdown, CHANNEL, SHUT_RD);
            receive(now);
            senders_gone = true;
            due_at = now;
            continue;
        }
        if (senders_gone && channel_listed) { /* its hang-up would wake us for ever */
            gc_sys(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, CHANNEL, &chan);
            channel_listed = false;
        }
        if (!senders_gone) {
            /* Batching: the channel is read at channel_at, not before; a
             * hang-up still wakes us. */
            bool want_in = now >= channel_at;
            if (want_in != channel_in) {
                chan.events = want_in ? EPOLLIN : 0;
                if (gc_sys(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, CHANNEL, &chan) == 0)
                    channel_in = want_in;
            }
            if (!want_in)
                wake_at = channel_at;
            else if (in_flight == 0 && last_busy + IDLE_EXIT_MS < wake_at)
                wake_at = last_busy + IDLE_EXIT_MS;
        }
        if (now >= due_at) {
            due_at = UINT64_MAX;
            for (int i = 0; i < slots_used; i++)
                if (busy[i] && (lingers[i].wake_ms > now || step(i, now, 0)) &&
                    lingers[i].wake_ms < due_at)
                    due_at = lingers[i].wake_ms;
            while (slots_used > 0 && !busy[slots_used - 1])
                slots_used--;
        }
        if (due_at < wake_at)
            wake_at = due_at;
        uint64_t ms = wake_at > now ? wake_at - now : 0;
        long n = gc_sys(SYS_epoll_pwait, ep, events, EVENTS_MAX, (long)ms, NULL, (size_t)8);
        if (n <= 0)
            continue;
        now = gc_now_ms();
        bool channel_ready = false;
        for (long k = 0; k < n; k++) {
            uint32_t i = events[k].data.u32;
            if (i == CHANNEL_TAG) {
                channel_ready = true; /* read last: a full table reuses slots */
                continue;
            }
            if (i < LINGERS_MAX && busy[i] && step(i, now, (short)events[k].events) &&
                lingers[i].wake_ms < due_at)
                due_at = lingers[i].wake_ms;
        }
        if (channel_ready) {
            if (receive(now))
                channel_at = now + BATCH_MS;
            due_at = now; /* new lingers take their first step */
        }
    }
    return 0;
}
