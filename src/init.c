/* init.c - the constructor: bind the real calls, read the settings once,
 * follow forks.  Nothing here runs inside close(). */
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "fdtable.h"
#include "owner.h"
#include "policy.h"
#include "procscan.h"
#include "real.h"
#include "report.h"
#include "settings.h"

static struct gc_settings active;
static int ready;

const struct gc_settings *gc_active_settings(void)
{
    return __atomic_load_n(&ready, __ATOMIC_ACQUIRE) ? &active : NULL;
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

__attribute__((constructor)) static void gc_init(void)
{
    struct gc_settings s;

    gc_real_bind();
    gc_owner_set_pid();
    gc_settings_default(&s);
    /* secure_getenv: in a setuid program only built-in defaults apply. */
    gc_settings_from_env(&s, secure_getenv, bad_setting, &s);
    active = s;
    gc_proc_socket_fds(0, note_inherited, NULL, NULL);
    pthread_atfork(before_fork, NULL, in_child);
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
}
