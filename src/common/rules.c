/* rules.c - match a socket against the config's rules (see rules.h).
 * Pure and async-signal-safe: it runs inside close(). */
#include "rules.h"
#include "cidr.h"

#include <netinet/in.h>
#include <string.h>

void gc_sockinfo_set_local(struct gc_sockinfo *si, const struct sockaddr *sa, socklen_t len)
{
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
        si->local_port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
    else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
        si->local_port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
}

void gc_sockinfo_set_remote(struct gc_sockinfo *si, const struct sockaddr *sa, socklen_t len)
{
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        si->remote_port = ntohs(in->sin_port);
        si->remote_family = AF_INET;
        memset(si->remote_addr, 0, sizeof si->remote_addr);
        memcpy(si->remote_addr, &in->sin_addr, 4);
        si->have_remote = true;
    } else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        si->remote_port = ntohs(in6->sin6_port);
        si->remote_family = AF_INET6;
        memcpy(si->remote_addr, &in6->sin6_addr, 16);
        gc_addr_unmap(&si->remote_family, si->remote_addr);
        si->have_remote = true;
    }
}

bool gc_program_names_match(const char *names, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = names; p && *p;) {
        size_t len = strcspn(p, "/");
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len + (p[len] == '/');
    }
    return false;
}

static bool in_range(uint16_t port, uint16_t lo, uint16_t hi)
{
    return port != 0 && port >= lo && port <= hi;
}

bool gc_rule_matches(const struct gc_rule *r, const struct gc_sockinfo *si)
{
    const struct gc_match *m = &r->m;

    if (r->disabled)
        return false;
    if ((m->what & GC_MATCH_PROGRAM) && !gc_program_names_match(si->program, m->program))
        return false;
    if ((m->what & GC_MATCH_ROLE) && si->role != m->role)
        return false;
    if ((m->what & GC_MATCH_LOCAL_PORT) && !in_range(si->local_port, m->local_lo, m->local_hi))
        return false;
    if ((m->what & GC_MATCH_REMOTE_PORT) &&
        !in_range(si->remote_port, m->remote_lo, m->remote_hi))
        return false;
    if (m->what & GC_MATCH_REMOTE_ADDR) {
        int fam = si->remote_family;
        uint8_t peer[16];

        if (!si->have_remote)
            return false;
        memcpy(peer, si->remote_addr, sizeof peer);
        gc_addr_unmap(&fam, peer); /* callers may hand a mapped address in */
        if (!gc_cidr_contains(m->family, m->addr, m->prefix, fam, peer))
            return false;
    }
    return true;
}

void gc_rules_resolve(const struct gc_config *cfg, const struct gc_sockinfo *si,
                      const struct gc_overlay *env, struct gc_settings *out, int origin[])
{
    uint64_t matched[(GC_MAX_RULES + 63) / 64] = {0};
    struct gc_overlay one;

    gc_settings_default(out);
    for (size_t i = 0; origin && i < gc_knob_count; i++)
        origin[i] = GC_ORIGIN_DEFAULT;

    if (cfg) {
        gc_overlay_apply(&cfg->defaults, out);
        for (unsigned r = 0; r < cfg->nrules; r++)
            if (si && gc_rule_matches(&cfg->rules[r], si))
                matched[r / 64] |= (uint64_t)1 << (r % 64);
        for (size_t i = 0; i < gc_knob_count; i++) {
            unsigned bit = 1u << i;
            int best = -1;

            if (origin && (cfg->defaults.set & bit))
                origin[i] = GC_ORIGIN_FILE_DEFAULT;
            /* In file order, '>=' lets a later rule of equal rank win. */
            for (unsigned r = 0; r < cfg->nrules; r++)
                if ((matched[r / 64] >> (r % 64) & 1) && (cfg->rules[r].o.set & bit) &&
                    (best < 0 || cfg->rules[r].specificity >= cfg->rules[best].specificity))
                    best = (int)r;
            if (best < 0)
                continue;
            one.set = bit;
            one.v = cfg->rules[best].o.v;
            gc_overlay_apply(&one, out);
            if (origin)
                origin[i] = best;
        }
    }
    if (env) {
        gc_overlay_apply(env, out);
        for (size_t i = 0; origin && i < gc_knob_count; i++)
            if (env->set & (1u << i))
                origin[i] = GC_ORIGIN_ENV;
    }
}

bool gc_rules_need_addresses(const struct gc_config *cfg)
{
    const unsigned addr_keys = GC_MATCH_LOCAL_PORT | GC_MATCH_REMOTE_PORT | GC_MATCH_REMOTE_ADDR;

    for (unsigned r = 0; cfg && r < cfg->nrules; r++)
        if (!cfg->rules[r].disabled && (cfg->rules[r].m.what & addr_keys))
            return true;
    return false;
}

static bool listed(const struct gc_program_name *list, unsigned n, const char *program)
{
    for (unsigned i = 0; i < n; i++)
        if (gc_program_names_match(program, list[i].name))
            return true;
    return false;
}

bool gc_config_program_allowed(const struct gc_config *cfg, const char *program)
{
    if (!cfg)
        return true;
    if (!program)
        return cfg->nonly == 0;
    if (listed(cfg->skip, cfg->nskip, program))
        return false;
    return cfg->nonly == 0 || listed(cfg->only, cfg->nonly, program);
}
