/* fuzz_config - the config file parser on any bytes, then rule matching
 * and resolving for a few fixed sockets against what it loaded. */
#include "config.h"
#include "rules.h"
#include "settings.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static struct gc_config cfg; /* ~100 KiB: not on the stack */

static void diag(const char *text, void *ctx)
{
    (void)ctx;
    if (!text || !*text)
        abort();
}

static void resolve(const char *program, int role, uint16_t lport, const char *peer, uint16_t rport)
{
    struct gc_sockinfo si = {.program = program, .role = role, .local_port = lport};
    struct gc_settings s;
    int origin[32];

    if (peer) {
        si.have_remote = true;
        si.remote_port = rport;
        si.remote_family = strchr(peer, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(si.remote_family, peer, si.remote_addr) != 1)
            abort();
    }
    for (unsigned r = 0; r < cfg.nrules; r++)
        (void)gc_rule_matches(&cfg.rules[r], &si);
    gc_rules_resolve(&cfg, &si, NULL, &s, origin);
    for (size_t i = 0; i < gc_knob_count; i++)
        if (origin[i] >= 0 && (unsigned)origin[i] >= cfg.nrules)
            abort();
    (void)gc_config_program_allowed(&cfg, program);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    enum gc_config_status st =
        gc_config_load_text(&cfg, "fuzz.conf", (const char *)data, size, diag, NULL);

    if (st != GC_CONFIG_OK && st != GC_CONFIG_BROKEN)
        abort();
    if (cfg.nrules > GC_MAX_RULES || cfg.nonly > GC_MAX_PROGRAMS || cfg.nskip > GC_MAX_PROGRAMS)
        abort();
    (void)gc_rules_need_addresses(&cfg);
    resolve(NULL, GC_ROLE_UNKNOWN, 0, NULL, 0);
    resolve("vsftpd", GC_ROLE_ACCEPTED, 21, "127.0.0.1", 40000);
    resolve("python3.11", GC_ROLE_CONNECTED, 8080, "::1", 443);
    resolve("x", GC_ROLE_ACCEPTED, 65535, "::ffff:127.0.0.1", 1);
    return 0;
}
