/* rules.h - which settings apply to one socket: defaults, the config file's
 * [default] section, its matching rules, then the environment.
 *
 * Everything here is pure: no allocation, no syscalls, no locks, nothing
 * static that changes.  The library calls it inside close(), also from
 * signal handlers.  How rules combine (graceclose.conf(5), RULE MATCHING):
 * for each setting, the matching rule with the most match keys that sets it
 * wins; among rules with as many keys, the one later in the file wins. */
#ifndef GC_RULES_H
#define GC_RULES_H

#include "config.h"
#include "settings.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* What is known about the socket being closed.  Zero means unknown; an
 * unknown property matches no rule that asks for it. */
struct gc_sockinfo {
    const char *program;   /* the program's names, "name/name/...", or NULL */
    enum gc_role role;
    uint16_t local_port;   /* host order */
    uint16_t remote_port;
    bool have_remote;
    int remote_family;     /* AF_INET or AF_INET6 */
    uint8_t remote_addr[16]; /* network order; IPv4 in the first 4 bytes */
};

/* Where a knob's value came from (origin[i]); k >= 0 is cfg->rules[k]. */
#define GC_ORIGIN_DEFAULT (-1)      /* built in */
#define GC_ORIGIN_ENV (-2)          /* GRACECLOSE_* */
#define GC_ORIGIN_FILE_DEFAULT (-3) /* the file's [default] section */
#define GC_ORIGIN_PROGRAMS (-4)     /* never set by gc_rules_resolve: explain's "excluded" */

/* Fills local_port from a getsockname() address, or remote_* from a
 * getpeername() address (v4-mapped IPv6 stored as IPv4).  Other families
 * leave si unchanged. */
void gc_sockinfo_set_local(struct gc_sockinfo *si, const struct sockaddr *sa, socklen_t len);
void gc_sockinfo_set_remote(struct gc_sockinfo *si, const struct sockaddr *sa, socklen_t len);

bool gc_rule_matches(const struct gc_rule *r, const struct gc_sockinfo *si);

/* Is 'name' one of 'names' ("name/name/...": the process name, argv[0]'s
 * and the executable's base names; '/' never occurs in a base name)? */
bool gc_program_names_match(const char *names, const char *name);

/* out = defaults < cfg [default] < matching rules < env.  cfg and env may
 * be NULL; origin (gc_knob_count entries) may be NULL. */
void gc_rules_resolve(const struct gc_config *cfg, const struct gc_sockinfo *si,
                      const struct gc_overlay *env, struct gc_settings *out, int origin[]);

/* True when some rule looks at ports or addresses, i.e. when close() must
 * ask getsockname/getpeername before resolving. */
bool gc_rules_need_addresses(const struct gc_config *cfg);

/* False when one of the program's names is in skip_programs, or
 * only_programs is given and none of its names is there: such a program is never touched, whatever the rules or
 * the environment say.  A NULL program passes unless only_programs is set. */
bool gc_config_program_allowed(const struct gc_config *cfg, const char *program);

#endif
