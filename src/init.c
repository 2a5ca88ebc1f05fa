/* init.c - the constructor: bind the real calls, read the settings once,
 * follow forks.  Nothing here runs inside close(). */
#include <pthread.h>
#include <stdlib.h>

#include "fdtable.h"
#include "owner.h"
#include "policy.h"
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
    pthread_atfork(before_fork, NULL, in_child);
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
}
