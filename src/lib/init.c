/* init.c - the constructor: bind the real calls, read the settings once
 * (config file, then environment), note inherited sockets, follow forks.
 * Nothing here runs inside close(). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gc_config.h"
#include "config.h"
#include "fdtable.h"
#include "gc.h"
#include "policy.h"
#include "log.h"
#include "mode.h"
#include "progname.h"
#include "ownfd.h"
#include "owner.h"
#include "procscan.h"
#include "region.h"
#include "spawn_child.h"
#include "sys.h"
#include "real.h"
#include "report.h"
#include "rules.h"
#include "settings.h"
#include "track.h"
#include "handoff.h"

static struct gc_config config;
static GC_LOAD struct gc_policy_source source;
static GC_LOAD int ready;

const struct gc_policy_source *gc_policy_source(void)
{
    return __atomic_load_n(&ready, __ATOMIC_ACQUIRE) ? &source : NULL;
}

static void config_problem(const char *text, void *ctx)
{
    (void)ctx;
    gc_report_config(text);
}

/* GRACECLOSE_CONFIG names the file (ignored in secure-execution mode,
 * where secure_getenv returns NULL); otherwise the system file, if any. */
static const struct gc_config *load_config(void)
{
    const char *path = secure_getenv("GRACECLOSE_CONFIG");
    bool named = path && *path;
    enum gc_config_status st;

    if (!named)
        path = GC_SYSCONFDIR "/graceclose.conf";
    /* No file, the common case: the 70 KiB of parsed rules stay untouched
     * (never resident in the program). */
    if (gc_exists(path) != 0 && errno == ENOENT) {
        if (named)
            gc_report("GRACECLOSE_CONFIG='", path, "': no such file; using the defaults", NULL);
        return NULL;
    }
    st = gc_config_load_file(&config, path, config_problem, NULL);
    if (st == GC_CONFIG_MISSING) {
        if (named)
            gc_report("GRACECLOSE_CONFIG='", path, "': no such file; using the defaults", NULL);
        return NULL;
    }
    return st == GC_CONFIG_OK ? &config : NULL;
}

static void bad_setting(const struct gc_knob *k, const char *text, const char *why, void *ctx)
{
    const struct gc_settings *kept = ctx;
    char value[32];

    k->format(kept, value, sizeof value);
    gc_report(k->env, "='", text, "' ", why, "; using ", value, NULL);
}

/* Descriptors open before we loaded (exec inheritance): the family
 * region, if the program before us ran the library, and TCP sockets.
 * One walk of /proc/self/fd at load, numbers only: each descriptor's type
 * comes from statx (cached attributes: no request to a network or FUSE
 * file system); a deleted regular file is asked for its seals (the count
 * table is a memfd), not its /proc link: a second /proc lookup cost 20-30
 * us at every exec on a slow machine.  The library's own descriptors (the count
 * table, the helper's channel) are attached as they are met; socket
 * numbers are kept for a pass over this list once the count table is
 * known (it sits above them).  More sockets than fit: a second walk. */
#define INHERITED_MAX 64
struct inherited {
    int n;
    bool overflow;
    int fd[INHERITED_MAX];
    uint64_t inode[INHERITED_MAX]; /* the socket's; 0 when not known */
};

enum fd_kind { FD_OTHER, FD_SOCKET, FD_OWNERS, FD_ANON };

static enum fd_kind kind_of(int fd, uint64_t *inode)
{
    struct statx sx;
    char link[64];

    *inode = 0;
    if (gc_sys(SYS_statx, fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
               STATX_TYPE | STATX_NLINK | STATX_INO, &sx) == 0) {
        *inode = sx.stx_ino;
        if (S_ISSOCK(sx.stx_mode))
            return FD_SOCKET;
        if ((sx.stx_mode & S_IFMT) == 0) /* an anonymous inode */
            return FD_ANON;
        if (!S_ISREG(sx.stx_mode) || sx.stx_nlink != 0)
            return FD_OTHER;
        return gc_region_is_table(fd) ? FD_OWNERS : FD_OTHER;
    }
    /* No statx (a kernel before 4.11): the link. */
    if (gc_proc_self_fd_link(fd, link, sizeof link) <= 0)
        return FD_OTHER;
    if (strncmp(link, "socket:", 7) == 0)
        return FD_SOCKET;
    if (strncmp(link, "anon_inode:", 11) == 0)
        return FD_ANON;
    return strncmp(link, "/memfd:graceclose-owners", 24) == 0 ? FD_OWNERS : FD_OTHER;
}

static bool note_fd(int fd, void *ctx)
{
    struct inherited *in = ctx;
    uint64_t inode;
    switch (kind_of(fd, &inode)) {
    case FD_OWNERS:
        if (gc_region_fd() < 0 && gc_region_attach(fd))
            gc_ownfd_adopt(fd);
        break;
    case FD_SOCKET:
        if (fd >= 3 && fd < GC_FDTABLE_SIZE && gc_handoff_attach(fd))
            break;
        if (in->n < INHERITED_MAX) {
            in->fd[in->n] = fd;
            in->inode[in->n++] = inode;
        }
        else
            in->overflow = true;
        break;
    case FD_ANON: /* an epoll, an eventfd... or an io_uring instance the
                   * process before the exec may hold too (owner.h) */
        gc_owner_table_shared();
        break;
    case FD_OTHER:
        break;
    }
    return true;
}

static bool is_tcp(int fd)
{
    int proto = 0;
    socklen_t len = sizeof proto;
    return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_TCP;
}

/* The socket met last in pass 1: a service's fds 0 and 1 (and 2) are
 * one socket, asked about once. */
struct last_socket {
    uint64_t inode;
    int fd; /* where its entry is; -1: not a TCP socket */
};

/* Pass 1: table entries for inherited TCP sockets.  Those the region
 * knows were counted by the program before the exec; the others came from
 * a program without the library and are counted in pass 2 (not here: a
 * second descriptor of the same socket must not find it known). */
static bool note_inherited(int fd, uint64_t inode, void *ctx)
{
    struct last_socket *last = ctx;
    struct gc_fdent e;
    struct linger lg;
    socklen_t len = sizeof lg;
    uint32_t flags = GC_FD_INHERITED;

    if (fd >= GC_FDTABLE_SIZE || gc_fd_lookup(fd, &e))
        return true;
    if (inode && inode == last->inode) {
        if (last->fd >= 0 && gc_fd_lookup(last->fd, &e))
            gc_fd_record(fd, e.cookie, e.flags);
        return true;
    }
    last->inode = inode;
    last->fd = -1;
    if (!is_tcp(fd))
        return true;
    uint64_t cookie = gc_socket_cookie(fd);
    if (!cookie)
        return true;
    if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff)
        flags |= lg.l_linger ? GC_FD_LINGER_SET : GC_FD_ABORTIVE;
    if (gc_region_known(cookie))
        flags |= GC_FD_COUNTED;
    gc_fd_record(fd, cookie, flags);
    last->fd = fd;
    return true;
}

static void count_unknown_inherited(void)
{
    int hw = gc_fd_highwater();
    int origin = 0;

    for (int fd = 0; fd <= hw; fd++) {
        struct gc_fdent e;
        if (gc_fd_lookup(fd, &e) && (e.flags & GC_FD_INHERITED) && !(e.flags & GC_FD_COUNTED)) {
            if (!origin)
                origin = (int)getppid();
            gc_track_arrived(fd, e.flags, 1, false, origin);
        }
    }
}

/* A fork asks our own descriptors about io_uring only below this highest
 * tracked number (the walk costs a system call per descriptor). */
#define URING_ASK_MAX_FD 256

/* fork(), daemon(): the child gets a copy of every descriptor.  Counted
 * before it exists; taken back by the fork wrapper if it never does. */
static void before_fork(void)
{
    /* At most once a second, and only where the walk is cheap: a larger
     * table leaves the question to each child's helper, as before. */
    if (gc_handoff_before_fork() && gc_fd_highwater() <= URING_ASK_MAX_FD)
        gc_process_uses_io_uring(gc_owner_pid(), true);
    gc_track_fork_begin();
    gc_track_table_copied(+1, false);
}

static void in_parent(void)
{
    gc_track_fork_end();
}

static void in_child(void)
{
    gc_spawn_child_setup();
}

/* Pass-through for the whole process: the kill switch, or a program the
 * config file excludes.  Nothing is tracked, so nothing is ever touched. */
static bool switched_off(const struct gc_config *cfg)
{
    if (!gc_config_program_allowed(cfg, source.program))
        return true;
    unsigned policy_bit = 1u << (gc_knob_by_env("GRACECLOSE_POLICY") - gc_knobs);
    return (source.env.set & policy_bit) && source.env.v.policy == GC_POLICY_OFF;
}

/* What came over the exec.  A function of its own, so that its list is on
 * the stack only while it runs (the load's stack is the program's). */
static __attribute__((noinline)) void walk_inherited(void)
{
    struct inherited in = {0};
    if (gc_proc_self_fds(note_fd, &in) != 0)
        gc_owner_table_shared(); /* what came over the exec is unknown */
    struct last_socket last = {0, -1};
    if (in.overflow)
        gc_proc_socket_fds(0, note_inherited, &last, NULL);
    else
        for (int i = 0; i < in.n; i++)
            note_inherited(in.fd[i], in.inode[i], &last);
    count_unknown_inherited();
}

__attribute__((constructor)) static void gc_init(void)
{
    gc_errno_init();
    int saved_errno = gc_errno_save();
    struct gc_settings base;

    gc_real_bind();
    Dl_info self;
    gc_handoff_init(dladdr((void *)gc_init, &self) ? self.dli_fname : NULL);
    gc_owner_set_pid();
    gc_mode_read_status(); /* first: a seccomp filter means no calls of ours */
    source.program = gc_progname_init();
    source.config = load_config();
    if (source.config) /* rules may name the real executable */
        source.program = gc_progname_with_exe();
    source.need_addresses = source.config && gc_rules_need_addresses(source.config);

    /* A refused variable falls back to what the file (or default) gives. */
    gc_rules_resolve(source.config, &(struct gc_sockinfo){.program = source.program}, NULL,
                     &base, NULL);
    gc_overlay_clear(&source.env);
    gc_overlay_from_env(&source.env, secure_getenv, bad_setting, &base);
    gc_log_setup(source.config);

    if (switched_off(source.config)) {
        gc_track_disable();
    } else {
        /* Under a seccomp filter (pass-through) there is no walk: its
         * calls (getdents64, statx, getsockopt, getpeername) may be the
         * ones the filter kills, and nothing will be tracked anyway. */
        if (!gc_passthrough())
            walk_inherited();
        pthread_atfork(before_fork, in_parent, in_child);
    }
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    gc_errno_restore(saved_errno);
}
