/* cmd_config.c - 'graceclose check' and 'graceclose explain'.
 *
 * check validates a config file and lists every problem; explain shows the
 * settings one socket would get and where each comes from, resolving them
 * with the same code (rules.c) and the same precedence as the library. */
#include "cmd_config.h"
#include "config.h"
#include "gc_config.h"
#include "progcheck.h"
#include "rules.h"
#include "settings.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYSTEM_CONFIG GC_SYSCONFDIR "/graceclose.conf"

enum { EXIT_OK = 0, EXIT_PROBLEMS = 1, EXIT_USAGE = 2 };

/* The library's choice: GRACECLOSE_CONFIG (ignored in secure execution), else the system file. */
static const char *default_config(bool *from_env)
{
    const char *env = secure_getenv("GRACECLOSE_CONFIG");

    *from_env = env && *env;
    return *from_env ? env : SYSTEM_CONFIG;
}

static void print_diag(const char *text, void *ctx)
{
    fprintf((FILE *)ctx, "%s\n", text);
}

/* One static ruleset: it is about 100 KiB, too big for a small stack. */
static struct gc_config config;

/* ---- check ---- */

static void check_usage(FILE *out)
{
    fprintf(out,
        "Usage: graceclose check [FILE]\n"
        "Validate a graceclose config file (default: $GRACECLOSE_CONFIG, else\n"
        SYSTEM_CONFIG ") and print every problem as FILE:LINE: reason.\n"
        "Exit status: 0 no problems; 1 problems found; 2 usage error or the file\n"
        "cannot be read.\n");
}

int gc_cmd_check(int argc, char **argv)
{
    const char *path = NULL;
    bool from_env;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            check_usage(stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--") == 0 && i + 1 < argc && !path) {
            path = argv[++i];
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "graceclose check: unknown option '%s' (try 'graceclose check "
                    "--help')\n", argv[i]);
            return EXIT_USAGE;
        }
        if (path) {
            fprintf(stderr, "graceclose check: one FILE at a time ('%s' is extra)\n", argv[i]);
            return EXIT_USAGE;
        }
        path = argv[i];
    }
    if (!path)
        path = default_config(&from_env);

    switch (gc_config_load_file(&config, path, print_diag, stdout)) {
    case GC_CONFIG_MISSING:
        fprintf(stderr, "graceclose check: %s: no such file (without it graceclose uses its "
                "built-in defaults)\n", path);
        return EXIT_USAGE;
    case GC_CONFIG_UNREADABLE:
        return EXIT_USAGE;
    case GC_CONFIG_BROKEN:
        return EXIT_PROBLEMS;
    case GC_CONFIG_OK:
        break;
    }
    gc_prog_notes(&config, stdout);
    if (config.problems) {
        printf("%s: %u rule%s, %u problem%s\n", path, config.nrules, config.nrules == 1 ? "" : "s",
               config.problems, config.problems == 1 ? "" : "s");
        return EXIT_PROBLEMS;
    }
    printf("%s: %u rule%s, no problems\n", path, config.nrules, config.nrules == 1 ? "" : "s");
    return EXIT_OK;
}

/* ---- explain ---- */

static void explain_usage(FILE *out)
{
    fprintf(out,
        "Usage: graceclose explain [--config FILE] [--program NAME] [--local-port N]\n"
        "                          [--peer ADDR[:PORT]] [--role accepted|connected]\n"
        "Print the settings graceclose would use when closing such a socket, and\n"
        "where each comes from: default, environment (GRACECLOSE_*), [default]\n"
        "or a rule of the config file.  IPv6 peers: [::1]:80.\n"
        "Config: FILE, else $GRACECLOSE_CONFIG, else " SYSTEM_CONFIG " if it exists.\n"
        "Exit status: 0; 2 for a usage error or a config file that cannot be read.\n");
}

static bool parse_port(const char *text, uint16_t *out)
{
    char *end;
    unsigned long v;

    if (*text < '0' || *text > '9')
        return false;
    v = strtoul(text, &end, 10);
    if (*end || v == 0 || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

/* "192.0.2.7:80", "[2001:db8::1]:80", or an address without a port. */
static bool parse_peer(const char *text, struct gc_sockinfo *si)
{
    char host[64];
    const char *port = NULL;
    size_t n;
    uint8_t a[16] = {0};

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close)
            return false;
        n = (size_t)(close - text - 1);
        if (close[1] == ':')
            port = close + 2;
        else if (close[1] != '\0')
            return false;
        text++;
    } else {
        const char *colon = strchr(text, ':');
        n = strlen(text);
        if (colon && !strchr(colon + 1, ':')) { /* one colon: IPv4 with a port */
            n = (size_t)(colon - text);
            port = colon + 1;
        }
    }
    if (n == 0 || n >= sizeof host)
        return false;
    memcpy(host, text, n);
    host[n] = '\0';
    if (inet_pton(AF_INET, host, a) == 1) {
        struct sockaddr_in in = {.sin_family = AF_INET};
        memcpy(&in.sin_addr, a, 4);
        gc_sockinfo_set_remote(si, (struct sockaddr *)&in, sizeof in);
    } else if (inet_pton(AF_INET6, host, a) == 1) {
        struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
        memcpy(&in6.sin6_addr, a, 16);
        gc_sockinfo_set_remote(si, (struct sockaddr *)&in6, sizeof in6);
    } else {
        return false;
    }
    si->remote_port = 0;
    return !port || parse_port(port, &si->remote_port);
}

static void env_problem(const struct gc_knob *k, const char *text, const char *why, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "graceclose: %s='%s' %s; ignored\n", k->env, text, why);
}

static void print_origin(const struct gc_config *cfg, int origin, const struct gc_knob *k)
{
    size_t i = (size_t)(k - gc_knobs);

    if (origin >= 0) {
        const struct gc_rule *r = &cfg->rules[origin];
        printf("rule [%s] at %s:%u", r->name, cfg->path, r->line);
    } else if (origin == GC_ORIGIN_ENV) {
        printf("environment %s", k->env);
    } else if (origin == GC_ORIGIN_FILE_DEFAULT) {
        printf("[default] at %s:%u", cfg->path, cfg->default_key_line[i]);
    } else {
        printf("default");
    }
}

/* Why a program is not allowed, for the policy line. */
static void print_exclusion(const struct gc_config *cfg, const char *program)
{
    for (unsigned i = 0; i < cfg->nskip; i++)
        if (program && gc_program_names_match(program, cfg->skip[i].name)) {
            printf("program excluded by skip_programs at %s:%u", cfg->path, cfg->skip[i].line);
            return;
        }
    printf("program not in only_programs at %s:%u", cfg->path, cfg->only[0].line);
}

static const char *role_name(enum gc_role r)
{
    return r == GC_ROLE_ACCEPTED ? "accepted" : r == GC_ROLE_CONNECTED ? "connected" : "unknown";
}

static void print_socket(const struct gc_sockinfo *si)
{
    printf("socket: program=%s role=%s", si->program ? si->program : "(any)", role_name(si->role));
    if (si->local_port)
        printf(" local_port=%u", (unsigned)si->local_port);
    else
        printf(" local_port=(unknown)");
    if (si->have_remote) {
        char host[64];
        inet_ntop(si->remote_family, si->remote_addr, host, sizeof host);
        printf(si->remote_family == AF_INET6 ? " peer=[%s]" : " peer=%s", host);
        if (si->remote_port)
            printf(":%u", (unsigned)si->remote_port);
    } else {
        printf(" peer=(unknown)");
    }
    printf("\n");
}

/* --name VALUE or --name=VALUE; returns the value or NULL. */
static const char *option_value(const char *opt, int argc, char **argv, int *i)
{
    size_t n = strlen(opt);
    const char *arg = argv[*i];

    if (strncmp(arg, opt, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "graceclose explain: %s needs a value\n", opt);
        exit(EXIT_USAGE);
    }
    return argv[++*i];
}

static int explain_usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "graceclose explain: %s '%s' (try 'graceclose explain --help')\n", what, arg);
    return EXIT_USAGE;
}

int gc_cmd_explain(int argc, char **argv)
{
    struct gc_sockinfo si = {0};
    char names[2 * GC_NAME_MAX];
    const char *path = NULL, *v;
    bool explicit_path = false, from_env = false;
    struct gc_overlay env;
    struct gc_settings s;
    int origin[32];
    enum gc_config_status st;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            explain_usage(stdout);
            return EXIT_OK;
        } else if ((v = option_value("--config", argc, argv, &i))) {
            path = v;
            explicit_path = true;
        } else if ((v = option_value("--program", argc, argv, &i))) {
            if (!*v || strchr(v, '/'))
                return explain_usage_error("--program takes a base name, not", v);
            si.program = v;
        } else if ((v = option_value("--local-port", argc, argv, &i))) {
            if (!parse_port(v, &si.local_port))
                return explain_usage_error("--local-port is not a port (1-65535):", v);
        } else if ((v = option_value("--peer", argc, argv, &i))) {
            if (!parse_peer(v, &si))
                return explain_usage_error("--peer is not ADDR:PORT (IPv6: [ADDR]:PORT):", v);
        } else if ((v = option_value("--role", argc, argv, &i))) {
            if (strcmp(v, "accepted") == 0)
                si.role = GC_ROLE_ACCEPTED;
            else if (strcmp(v, "connected") == 0)
                si.role = GC_ROLE_CONNECTED;
            else
                return explain_usage_error("--role is accepted or connected, not", v);
        } else {
            return explain_usage_error("unknown argument", argv[i]);
        }
    }
    if (!path)
        path = default_config(&from_env);

    st = gc_config_load_file(&config, path, print_diag, stderr);
    if (st == GC_CONFIG_MISSING && (explicit_path || from_env)) {
        fprintf(stderr, "graceclose explain: %s: no such file\n", path);
        return EXIT_USAGE;
    }
    if (st == GC_CONFIG_UNREADABLE && explicit_path)
        return EXIT_USAGE;

    gc_overlay_clear(&env);
    gc_overlay_from_env(&env, secure_getenv, env_problem, NULL);
    gc_rules_resolve(&config, &si, &env, &s, origin);

    if (config.loaded)
        printf("config: %s (%u rule%s)\n", path, config.nrules, config.nrules == 1 ? "" : "s");
    else if (st == GC_CONFIG_MISSING)
        printf("config: none (%s does not exist)\n", path);
    else
        printf("config: none (%s was refused)\n", path);
    print_socket(&si);
    if (si.program) {
        gc_prog_names(si.program, names, sizeof names, stdout);
        si.program = names;
    }
    printf("matching rules:");
    unsigned nmatch = 0;
    for (unsigned r = 0; r < config.nrules; r++)
        if (gc_rule_matches(&config.rules[r], &si)) {
            printf("%s [%s] at line %u", nmatch ? "," : "", config.rules[r].name,
                   config.rules[r].line);
            nmatch++;
        }
    printf("%s\n", nmatch ? "" : " none");

    bool allowed = gc_config_program_allowed(&config, si.program);
    for (size_t i = 0; i < gc_knob_count; i++) {
        char buf[64];
        const struct gc_knob *k = &gc_knobs[i];

        if (!allowed && strcmp(k->key, "policy") == 0) {
            printf("%-9s = %-20s (", k->key, "off");
            print_exclusion(&config, si.program);
            printf(")\n");
            continue;
        }
        k->format(&s, buf, sizeof buf);
        printf("%-9s = %-20s (", k->key, buf);
        print_origin(&config, origin[i], k);
        printf(")\n");
    }
    return EXIT_OK;
}
