/* init.c - the constructor: bind the real calls, read the settings once
 * (config file, then environment), note inherited sockets, follow forks.
 * Nothing here runs inside close(). */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gc_config.h"
#include "config.h"
#include "fdtable.h"
#include "log.h"
#include "owner.h"
#include "policy.h"
#include "procscan.h"
#include "progname.h"
#include "real.h"
#include "report.h"
#include "rules.h"
#include "settings.h"
#include "track.h"

static struct gc_config config;
static struct gc_policy_source source;
static int ready;

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

/* A TCP socket open before we loaded came with exec (inetd, systemd
 * Accept=yes, a forking server's child): the last-holder check decides. */
static bool note_inherited(int fd, uint64_t inode, void *ctx)
{
    struct gc_fdent e;
    int proto = 0;
    socklen_t len = sizeof proto;

    (void)inode;
    (void)ctx;
    if (fd < GC_FDTABLE_SIZE && !gc_fd_lookup(fd, &e) &&
        getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_TCP) {
        uint64_t cookie = gc_socket_cookie(fd);
        if (cookie)
            gc_fd_record(fd, cookie, gc_fork_gen(), GC_FD_INHERITED);
    }
    return true;
}

/* Before fork: every descriptor is about to have a second holder. */
static void before_fork(void)
{
    gc_fork_gen_bump();
}

static void in_child(void)
{
    gc_owner_set_pid();
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

__attribute__((constructor)) static void gc_init(void)
{
    int saved_errno = errno;
    struct gc_settings base;

    gc_real_bind();
    gc_owner_set_pid();
    source.program = gc_progname_init();
    source.config = load_config();
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
        gc_proc_socket_fds(0, note_inherited, NULL, NULL);
        pthread_atfork(before_fork, NULL, in_child);
    }
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    errno = saved_errno;
}
