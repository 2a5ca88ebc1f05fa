/* fuzz_rules - rule matching with any socket: the input is a local and a
 * peer address as raw sockaddr bytes, a role and a program name, matched
 * against a ruleset with every kind of rule (loaded once). */
#include "config.h"
#include "rules.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char rules_text[] =
    "[default]\ntimeout = 3s\nskip_programs = sshd, nope\n"
    "[ftp]\nprogram = vsftpd\nlocal_port = 21\npolicy = linger\nidle = 1s\n"
    "[range]\nlocal_port = 8000-8999\nremote_port = 1024-65535\nmax_drain = 64k\n"
    "[lan4]\nremote_addr = 127.0.0.0/8\nrole = accepted\nsteps = shutdown,outq\n"
    "[lan6]\nremote_addr = fe80::/10\npolicy = reset\n"
    "[mapped]\nremote_addr = ::ffff:127.0.0.1/128\nrole = connected\ntimeout = 250ms\n"
    "[everything]\nprogram = x\nlocal_port = 1\nremote_port = 2\nremote_addr = ::/0\n"
    "role = accepted\npolicy = off\n";

static struct gc_config cfg;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct sockaddr_storage local, peer;
    struct gc_sockinfo si = {0};
    struct gc_settings s;
    int origin[32];
    char program[GC_NAME_MAX + 8];

    if (!cfg.loaded &&
        gc_config_load_text(&cfg, "rules.conf", rules_text, sizeof rules_text - 1, NULL, NULL) !=
            GC_CONFIG_OK)
        abort();
    /* local (1 length byte + sockaddr), peer (the same), role, program. */
    memset(&local, 0, sizeof local);
    memset(&peer, 0, sizeof peer);
    size_t need = 2 + 2 * sizeof(struct sockaddr_in6) + 1;
    if (size < need)
        return 0;
    socklen_t llen = data[0] % (sizeof(struct sockaddr_in6) + 1);
    socklen_t plen = data[1] % (sizeof(struct sockaddr_in6) + 1);
    memcpy(&local, data + 2, sizeof(struct sockaddr_in6));
    memcpy(&peer, data + 2 + sizeof(struct sockaddr_in6), sizeof(struct sockaddr_in6));
    si.role = data[need - 1] % 3;
    size_t n = size - need < sizeof program - 1 ? size - need : sizeof program - 1;
    memcpy(program, data + need, n);
    program[n] = '\0';
    si.program = n ? program : NULL;

    gc_sockinfo_set_local(&si, (struct sockaddr *)&local, llen);
    gc_sockinfo_set_remote(&si, (struct sockaddr *)&peer, plen);
    for (unsigned r = 0; r < cfg.nrules; r++)
        (void)gc_rule_matches(&cfg.rules[r], &si);
    gc_rules_resolve(&cfg, &si, NULL, &s, origin);
    if (s.policy > GC_POLICY_RESET || (s.steps & ~(unsigned)GC_STEPS_ALL))
        abort();
    (void)gc_config_program_allowed(&cfg, si.program);
    return 0;
}
