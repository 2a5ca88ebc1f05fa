/* test_rules - which settings a socket gets: rule matching on program,
 * ports, IPv4/IPv6 CIDR (v4-mapped peers too) and role, how matching rules
 * combine (most match keys wins per setting, ties: later in the file), and
 * precedence defaults < [default] < rules < environment. */
#include "config.h"
#include "rules.h"
#include "settings.h"
#include "ut.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

static struct gc_config cfg;
static struct ut_diags diags;

static void load(const char *text)
{
    ut_diags_reset(&diags);
    CHECK(gc_config_load_text(&cfg, "t.conf", text, strlen(text), ut_diag, &diags) ==
          GC_CONFIG_OK);
}

static struct gc_sockinfo sock(const char *program, enum gc_role role, unsigned lport,
                               const char *peer, unsigned rport)
{
    struct gc_sockinfo si = {.program = program, .role = role, .local_port = (uint16_t)lport};

    if (peer) {
        struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)rport)};
        struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)rport)};
        if (inet_pton(AF_INET, peer, &in.sin_addr) == 1)
            gc_sockinfo_set_remote(&si, (struct sockaddr *)&in, sizeof in);
        else if (inet_pton(AF_INET6, peer, &in6.sin6_addr) == 1)
            gc_sockinfo_set_remote(&si, (struct sockaddr *)&in6, sizeof in6);
        else
            abort();
    } else {
        si.remote_port = (uint16_t)rport;
    }
    return si;
}

/* The rule (by name) that gave knob 'key', or "default" / "env" / "[default]". */
static const char *origin_of(const struct gc_sockinfo *si, const struct gc_overlay *env,
                             const char *key, struct gc_settings *out)
{
    int origin[16];
    const struct gc_knob *k = gc_knob_by_key(key);

    gc_rules_resolve(&cfg, si, env, out, origin);
    int o = origin[k - gc_knobs];
    if (o >= 0)
        return cfg.rules[o].name;
    return o == GC_ORIGIN_ENV ? "env" : o == GC_ORIGIN_FILE_DEFAULT ? "[default]" : "default";
}

static bool matches(const char *rule, struct gc_sockinfo si)
{
    for (unsigned i = 0; i < cfg.nrules; i++)
        if (strcmp(cfg.rules[i].name, rule) == 0)
            return gc_rule_matches(&cfg.rules[i], &si);
    abort();
}

static void test_program_ports_role(void)
{
    load("[p]\nprogram = vsftpd\ntimeout = 1s\n"
         "[lp]\nlocal_port = 21\ntimeout = 1s\n"
         "[lr]\nlocal_port = 20000 - 20100\ntimeout = 1s\n"
         "[rp]\nremote_port = 25\ntimeout = 1s\n"
         "[acc]\nrole = accepted\ntimeout = 1s\n"
         "[con]\nrole = connected\ntimeout = 1s\n");
    CHECK(diags.count == 0);
    CHECK(matches("p", sock("vsftpd", 0, 0, NULL, 0)));
    CHECK(!matches("p", sock("vsftpd2", 0, 0, NULL, 0)));
    CHECK(!matches("p", sock("vsftp", 0, 0, NULL, 0)));
    CHECK(!matches("p", sock(NULL, 0, 0, NULL, 0)));
    CHECK(matches("lp", sock(NULL, 0, 21, NULL, 0)));
    CHECK(!matches("lp", sock(NULL, 0, 22, NULL, 21))); /* remote 21 is not local 21 */
    CHECK(!matches("lp", sock(NULL, 0, 0, NULL, 0)));   /* unknown port matches nothing */
    CHECK(matches("lr", sock(NULL, 0, 20000, NULL, 0)));
    CHECK(matches("lr", sock(NULL, 0, 20100, NULL, 0)));
    CHECK(!matches("lr", sock(NULL, 0, 19999, NULL, 0)));
    CHECK(!matches("lr", sock(NULL, 0, 20101, NULL, 0)));
    CHECK(matches("rp", sock(NULL, 0, 40000, NULL, 25)));
    CHECK(!matches("rp", sock(NULL, 0, 25, NULL, 40000)));
    CHECK(matches("acc", sock(NULL, GC_ROLE_ACCEPTED, 0, NULL, 0)));
    CHECK(!matches("acc", sock(NULL, GC_ROLE_CONNECTED, 0, NULL, 0)));
    CHECK(!matches("acc", sock(NULL, GC_ROLE_UNKNOWN, 0, NULL, 0)));
    CHECK(matches("con", sock(NULL, GC_ROLE_CONNECTED, 0, NULL, 0)));
    CHECK(!matches("con", sock(NULL, GC_ROLE_UNKNOWN, 0, NULL, 0)));
    CHECK(gc_rules_need_addresses(&cfg));

    load("[p]\nprogram = a\ntimeout = 1s\n[r]\nrole = accepted\nidle = 1s\n");
    CHECK(!gc_rules_need_addresses(&cfg)); /* no ports, no addresses: no getpeername */
}

static void test_cidr(void)
{
    load("[v4]\nremote_addr = 198.51.100.0/24\npolicy = reset\n"
         "[host]\nremote_addr = 127.0.0.1\npolicy = reset\n"
         "[all4]\nremote_addr = 0.0.0.0/0\npolicy = reset\n"
         "[v6]\nremote_addr = 2001:db8:bad::/48\npolicy = reset\n"
         "[lo6]\nremote_addr = ::1\npolicy = reset\n"
         "[odd]\nremote_addr = 10.0.0.0/9\npolicy = reset\n"
         "[mapped]\nremote_addr = ::ffff:203.0.113.0/120\npolicy = reset\n");
    CHECK(diags.count == 0);
    CHECK(matches("v4", sock(NULL, 0, 0, "198.51.100.0", 1)));
    CHECK(matches("v4", sock(NULL, 0, 0, "198.51.100.255", 1)));
    CHECK(!matches("v4", sock(NULL, 0, 0, "198.51.101.1", 1)));
    CHECK(!matches("v4", sock(NULL, 0, 0, NULL, 1))); /* no address known */
    CHECK(matches("host", sock(NULL, 0, 0, "127.0.0.1", 1)));
    CHECK(!matches("host", sock(NULL, 0, 0, "127.0.0.2", 1)));
    CHECK(matches("all4", sock(NULL, 0, 0, "203.0.113.9", 1)));
    CHECK(!matches("all4", sock(NULL, 0, 0, "::1", 1))); /* an IPv4 rule never matches IPv6 */
    CHECK(matches("v6", sock(NULL, 0, 0, "2001:db8:bad:ffff::1", 1)));
    CHECK(!matches("v6", sock(NULL, 0, 0, "2001:db8:bae::1", 1)));
    CHECK(!matches("v6", sock(NULL, 0, 0, "198.51.100.1", 1)));
    CHECK(matches("lo6", sock(NULL, 0, 0, "::1", 1)));
    CHECK(!matches("lo6", sock(NULL, 0, 0, "::2", 1)));
    CHECK(matches("odd", sock(NULL, 0, 0, "10.127.255.255", 1)));
    CHECK(!matches("odd", sock(NULL, 0, 0, "10.128.0.0", 1)));
    /* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d: IPv4 rules match. */
    CHECK(matches("v4", sock(NULL, 0, 0, "::ffff:198.51.100.9", 1)));
    CHECK(matches("host", sock(NULL, 0, 0, "::ffff:127.0.0.1", 1)));
    CHECK(!matches("v6", sock(NULL, 0, 0, "::ffff:198.51.100.9", 1)));
    /* A v4-mapped rule is an IPv4 rule. */
    CHECK(matches("mapped", sock(NULL, 0, 0, "203.0.113.77", 1)));
    CHECK(matches("mapped", sock(NULL, 0, 0, "::ffff:203.0.113.77", 1)));
    CHECK(!matches("mapped", sock(NULL, 0, 0, "203.0.114.1", 1)));
    /* A mapped address handed in raw (not through gc_sockinfo_set_remote) also matches. */
    struct gc_sockinfo raw = {.have_remote = true, .remote_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:198.51.100.3", raw.remote_addr);
    CHECK(matches("v4", raw));
}

/* Most match keys wins, per setting; equal keys: the later rule. */
static void test_combining(void)
{
    struct gc_settings s;
    struct gc_sockinfo ftp = sock("vsftpd", GC_ROLE_ACCEPTED, 21, "192.0.2.7", 40000);

    load("[default]\ntimeout = 4s\n"
         "[ftp-port]\nprogram = vsftpd\nlocal_port = 21\ntimeout = 30s\n"
         "[ftp]\nprogram = vsftpd\ntimeout = 10s\nidle = 5s\nmax_drain = 1m\n"
         "[port21]\nlocal_port = 21\nmax_drain = 2m\nsteps = drain\n"
         "[everyone]\nrole = accepted\nsteps = outq\npolicy = off\n"
         "[other]\nprogram = httpd\npolicy = reset\n");
    CHECK(diags.count == 0);
    /* [ftp-port] (2 keys) beats [ftp] (1 key) though it comes first. */
    CHECK_STR(origin_of(&ftp, NULL, "timeout", &s), "ftp-port");
    CHECK(s.timeout_ms == 30000);
    /* idle: only [ftp] sets it. */
    CHECK_STR(origin_of(&ftp, NULL, "idle", &s), "ftp");
    CHECK(s.idle_ms == 5000);
    /* max_drain: [ftp] and [port21] both have 1 key: the later one wins. */
    CHECK_STR(origin_of(&ftp, NULL, "max_drain", &s), "port21");
    CHECK(s.max_drain == 2u << 20);
    /* steps: [port21] and [everyone] tie: later wins. */
    CHECK_STR(origin_of(&ftp, NULL, "steps", &s), "everyone");
    CHECK(s.steps == GC_STEP_OUTQ);
    CHECK_STR(origin_of(&ftp, NULL, "policy", &s), "everyone");
    CHECK(s.policy == GC_POLICY_OFF);

    /* Another port: [ftp-port] and [port21] drop out. */
    struct gc_sockinfo data = sock("vsftpd", GC_ROLE_CONNECTED, 20, NULL, 0);
    CHECK_STR(origin_of(&data, NULL, "timeout", &s), "ftp");
    CHECK(s.timeout_ms == 10000);
    CHECK_STR(origin_of(&data, NULL, "steps", &s), "default");
    CHECK(s.steps == GC_STEPS_ALL);
    CHECK_STR(origin_of(&data, NULL, "policy", &s), "default");

    /* Nothing matches: [default], then built-in. */
    struct gc_sockinfo none = sock("curl", GC_ROLE_CONNECTED, 5555, NULL, 80);
    CHECK_STR(origin_of(&none, NULL, "timeout", &s), "[default]");
    CHECK(s.timeout_ms == 4000);
    CHECK_STR(origin_of(&none, NULL, "idle", &s), "default");
    CHECK(s.idle_ms == GC_DEFAULT_IDLE_MS);

    /* The order of the file decides ties only: swap two 1-key rules. */
    load("[b]\nlocal_port = 21\ntimeout = 2s\n[a]\nprogram = vsftpd\ntimeout = 1s\n");
    CHECK_STR(origin_of(&ftp, NULL, "timeout", &s), "a");
    load("[a]\nprogram = vsftpd\ntimeout = 1s\n[b]\nlocal_port = 21\ntimeout = 2s\n");
    CHECK_STR(origin_of(&ftp, NULL, "timeout", &s), "b");
}

/* Built-in < [default] < rules < environment; bad env values are not applied. */
static void test_precedence(void)
{
    struct gc_settings s;
    struct gc_overlay env;
    struct gc_sockinfo web = sock("httpd", GC_ROLE_ACCEPTED, 80, "127.0.0.1", 5000);
    const char *why;

    load("[default]\ntimeout = 4s\nidle = 1s\n[web]\nlocal_port = 80\ntimeout = 9s\n"
         "policy = reset\n");
    gc_overlay_clear(&env);
    CHECK_STR(origin_of(&web, &env, "timeout", &s), "web");
    CHECK(s.timeout_ms == 9000 && s.idle_ms == 1000 && s.policy == GC_POLICY_RESET);
    CHECK(gc_overlay_set_text(&env, gc_knob_by_key("policy"), "linger", &why));
    CHECK(gc_overlay_set_text(&env, gc_knob_by_key("idle"), "300ms", &why));
    CHECK(!gc_overlay_set_text(&env, gc_knob_by_key("timeout"), "abc", &why));
    CHECK_STR(origin_of(&web, &env, "policy", &s), "env");
    CHECK(s.policy == GC_POLICY_LINGER);
    CHECK_STR(origin_of(&web, &env, "idle", &s), "env");
    CHECK(s.idle_ms == 300);
    CHECK_STR(origin_of(&web, &env, "timeout", &s), "web"); /* the bad env value did not count */
    CHECK(s.timeout_ms == 9000);
    CHECK_STR(origin_of(&web, &env, "max_drain", &s), "default");

    /* No config at all: defaults and environment. */
    int origin[16];
    gc_rules_resolve(NULL, &web, &env, &s, origin);
    CHECK(s.idle_ms == 300 && s.timeout_ms == GC_DEFAULT_TIMEOUT_MS);
    CHECK(origin[2] == GC_ORIGIN_DEFAULT && origin[3] == GC_ORIGIN_ENV);
    gc_rules_resolve(NULL, NULL, NULL, &s, NULL);
    CHECK(s.policy == GC_POLICY_LINGER && s.steps == GC_STEPS_ALL);
}

static char *fake_env(const char *name)
{
    if (strcmp(name, "GRACECLOSE_TIMEOUT") == 0)
        return "1m";
    if (strcmp(name, "GRACECLOSE_POLICY") == 0)
        return "reset";
    if (strcmp(name, "GRACECLOSE_STEPS") == 0)
        return "fly";
    return NULL;
}

static int env_problems;
static void count_problem(const struct gc_knob *k, const char *text, const char *why, void *ctx)
{
    (void)k, (void)text, (void)why, (void)ctx;
    env_problems++;
}

static void test_env_overlay(void)
{
    struct gc_overlay env;

    gc_overlay_clear(&env);
    gc_overlay_from_env(&env, fake_env, count_problem, NULL);
    CHECK(env_problems == 1); /* steps=fly */
    CHECK(env.set == (1u << 0 | 1u << 2));
    CHECK(env.v.timeout_ms == 60000 && env.v.policy == GC_POLICY_RESET);
}

/* A bad criterion disables the whole rule: it must not match more than meant. */
static void test_disabled(void)
{
    struct gc_settings s;
    struct gc_sockinfo si = sock("nginx", GC_ROLE_ACCEPTED, 80, "127.0.0.1", 1);

    load("[bad]\nprogram = nginx\nlocal_port = 0\npolicy = reset\n");
    CHECK(diags.count == 1);
    CHECK(!matches("bad", si));
    CHECK_STR(origin_of(&si, NULL, "policy", &s), "default");
    CHECK(s.policy == GC_POLICY_LINGER);
    CHECK(!gc_rules_need_addresses(&cfg));
}

static void test_programs(void)
{
    load("[default]\nskip_programs = sshd, cron\n");
    CHECK(!gc_config_program_allowed(&cfg, "sshd"));
    CHECK(!gc_config_program_allowed(&cfg, "cron"));
    CHECK(gc_config_program_allowed(&cfg, "nginx"));
    CHECK(gc_config_program_allowed(&cfg, NULL));
    load("[default]\nonly_programs = nginx\nonly_programs = vsftpd\nskip_programs = vsftpd\n");
    CHECK(diags.count == 1); /* vsftpd in both lists */
    CHECK(gc_config_program_allowed(&cfg, "nginx"));
    CHECK(!gc_config_program_allowed(&cfg, "vsftpd")); /* skip wins */
    CHECK(!gc_config_program_allowed(&cfg, "httpd"));
    CHECK(!gc_config_program_allowed(&cfg, NULL));
    CHECK(gc_config_program_allowed(NULL, "anything"));
}

/* A program goes by several names ("process/argv0/exe", issue 9): rules
 * and program lists match any of them, and never a part of one. */
static void test_program_names(void)
{
    CHECK(gc_program_names_match("redis-server/redis-check-rdb", "redis-server"));
    CHECK(gc_program_names_match("redis-server/redis-check-rdb", "redis-check-rdb"));
    CHECK(!gc_program_names_match("redis-server/redis-check-rdb", "redis"));
    CHECK(!gc_program_names_match("redis-server/redis-check-rdb", "check-rdb"));
    CHECK(!gc_program_names_match(NULL, "x"));
    CHECK(gc_program_names_match("solo", "solo"));
    load("[default]\nskip_programs = redis-server\n");
    CHECK(!gc_config_program_allowed(&cfg, "redis-server/redis-check-rdb"));
    CHECK(!gc_config_program_allowed(&cfg, "redis-check-rdb/redis-server"));
    CHECK(gc_config_program_allowed(&cfg, "redis-check-rdb"));
    load("[default]\nonly_programs = fetch.sh\n");
    CHECK(gc_config_program_allowed(&cfg, "fetch.sh/bash"));
    CHECK(!gc_config_program_allowed(&cfg, "bash"));
    load("[r]\nprogram = redis-check-rdb\ntimeout = 1s\n");
    struct gc_settings s;
    struct gc_sockinfo si = {.program = "redis-server/redis-check-rdb"};
    gc_rules_resolve(&cfg, &si, NULL, &s, NULL);
    CHECK(s.timeout_ms == 1000);
    si.program = "redis-server";
    gc_rules_resolve(&cfg, &si, NULL, &s, NULL);
    CHECK(s.timeout_ms == GC_DEFAULT_TIMEOUT_MS);
}

int main(void)
{
    test_program_names();
    test_program_ports_role();
    test_cidr();
    test_combining();
    test_precedence();
    test_env_overlay();
    test_disabled();
    test_programs();
    return ut_done("test_rules");
}
