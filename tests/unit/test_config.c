/* test_config - the config loader on every kind of bad input, without the
 * preload: each fixture's "#@ TEXT" comments name the diagnostics it must
 * give (file:line and reason), and nothing else may be reported.
 *
 * usage: test_config FIXTURE_DIR EXAMPLE_CONF... */
#include "config.h"
#include "rules.h"
#include "settings.h"
#include "ut.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static struct gc_config cfg;
static struct ut_diags diags;
static const char *fixdir;
static char tmpdir[] = "/tmp/gc-unit-XXXXXX";

static const char *fixture(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", fixdir, name);
    return path;
}

static enum gc_config_status load(const char *path)
{
    ut_diags_reset(&diags);
    return gc_config_load_file(&cfg, path, ut_diag, &diags);
}

/* Loads a fixture and checks its diagnostics against its "#@" comments. */
static void check_annotated(const char *name)
{
    const char *path = fixture(name);
    char line[8192];
    unsigned lineno = 0;
    int expected = 0;
    FILE *f;

    fprintf(stderr, "fixture %s\n", name);
    CHECK(load(path) == GC_CONFIG_OK);
    CHECK(cfg.loaded);
    f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *at = strstr(line, "#@ ");
        lineno++;
        if (!at)
            continue;
        char *text = at + 3;
        text[strcspn(text, "\r\n")] = '\0';
        expected++;
        CHECK(ut_has_diag(&diags, path, lineno, text));
    }
    fclose(f);
    if (diags.count != expected)
        fprintf(stderr, "  %s: %d diagnostics, %d expected\n", name, diags.count, expected);
    CHECK(diags.count == expected);
    CHECK(cfg.problems == (unsigned)expected);
}

static int rule_index(const char *name)
{
    for (unsigned i = 0; i < cfg.nrules; i++)
        if (strcmp(cfg.rules[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void test_good(void)
{
    struct gc_settings s;

    check_annotated("good.conf");
    CHECK(cfg.problems == 0);
    CHECK(cfg.nrules == 6);
    CHECK(cfg.nskip == 3 && cfg.nonly == 3);
    CHECK(rule_index("ftp-data") == 1);
    CHECK(cfg.rules[1].specificity == 2);
    CHECK(cfg.rules[1].m.local_lo == 20000 && cfg.rules[1].m.local_hi == 20100);
    CHECK(cfg.rules[rule_index("abusive")].o.v.policy == GC_POLICY_RESET);
    CHECK(cfg.rules[rule_index("smtp")].o.v.idle_ms == 250);
    CHECK(cfg.default_line == 2 && cfg.default_key_line[2] == 5);
    gc_settings_default(&s);
    gc_overlay_apply(&cfg.defaults, &s);
    CHECK(s.timeout_ms == 5000 && s.max_drain == 16u << 20);

    check_annotated("crlf.conf");
    CHECK(cfg.nrules == 1 && cfg.rules[0].m.local_lo == 80);
    CHECK(cfg.defaults.v.timeout_ms == 7000 && cfg.rules[0].o.v.idle_ms == 1000);
}

/* Bad lines are refused one by one; the good lines around them still count. */
static void test_bad_lines(void)
{
    int web;

    check_annotated("unknown-key.conf");
    CHECK(cfg.defaults.v.timeout_ms == 5000 && cfg.defaults.v.idle_ms == 3000);
    CHECK(cfg.defaults.set == (1u << 2 | 1u << 3)); /* timeout, idle: nothing else */
    CHECK(cfg.nrules == 1 && cfg.rules[0].o.v.timeout_ms == 9000);

    check_annotated("bad-value.conf");
    CHECK(cfg.defaults.set == (1u << 3 | 1u << 4)); /* only idle and max_drain got in */
    CHECK(cfg.defaults.v.idle_ms == 750 && cfg.defaults.v.max_drain == 1u << 20);
    web = rule_index("web");
    CHECK(web == 0);
    CHECK(!cfg.rules[0].disabled); /* a bad setting leaves the rule's match alone */
    CHECK(cfg.rules[0].o.set == 1u << 0 && cfg.rules[0].o.v.policy == GC_POLICY_RESET);

    check_annotated("structure.conf");
    CHECK(cfg.defaults.v.timeout_ms == 3000); /* before any header: [default] */
    CHECK(cfg.defaults.v.idle_ms == 3000);
    CHECK(cfg.defaults.v.policy == GC_POLICY_LINGER);
    CHECK(cfg.nrules == 4); /* [unclosed and [bad name!] are no rules */
    CHECK(cfg.rules[3].m.local_lo == 8081 && cfg.rules[3].o.v.timeout_ms == 6000);
}

static void test_never_match(void)
{
    static const char *disabled[] = {"port-zero", "port-high", "port-backwards", "port-word",
                                     "cidr-prefix", "cidr-prefix6", "cidr-word", "role-bad",
                                     "path"};

    check_annotated("never-match.conf");
    for (size_t i = 0; i < sizeof disabled / sizeof disabled[0]; i++) {
        int r = rule_index(disabled[i]);
        CHECK(r >= 0 && cfg.rules[r].disabled);
    }
    int hb = rule_index("host-bits");
    CHECK(hb >= 0 && !cfg.rules[hb].disabled && cfg.rules[hb].m.prefix == 24);
    CHECK(cfg.rules[hb].m.addr[3] == 0 && cfg.rules[hb].m.addr[2] == 2);
    CHECK(cfg.nonly == 0); /* only_programs in a rule was refused */
    CHECK(gc_rules_need_addresses(&cfg)); /* host-bits still looks at addresses */
}

static void test_missing(void)
{
    char path[4200];

    snprintf(path, sizeof path, "%s/does-not-exist.conf", tmpdir);
    CHECK(load(path) == GC_CONFIG_MISSING);
    CHECK(diags.count == 0); /* a missing file is fine: nothing to say */
    CHECK(!cfg.loaded && cfg.nrules == 0 && cfg.defaults.set == 0);
}

static void test_directory(void)
{
    CHECK(load(tmpdir) == GC_CONFIG_UNREADABLE);
    CHECK(diags.count == 1 && ut_has_diag(&diags, tmpdir, 0, "is a directory"));
    CHECK(!cfg.loaded && cfg.defaults.set == 0);
}

static void test_fifo(void)
{
    char path[4200];

    snprintf(path, sizeof path, "%s/fifo", tmpdir);
    CHECK(mkfifo(path, 0600) == 0);
    alarm(10); /* opening a FIFO must not block */
    CHECK(load(path) == GC_CONFIG_UNREADABLE);
    alarm(0);
    CHECK(diags.count == 1 && ut_has_diag(&diags, path, 0, "is not a regular file"));
}

/* Unreadable: as root, read it as 'nobody' in a child (root reads anything). */
static void test_unreadable(void)
{
    char path[4200];
    FILE *f;
    pid_t pid;
    int status = -1;

    snprintf(path, sizeof path, "%s/secret.conf", tmpdir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("[default]\npolicy = off\n", f);
    fclose(f);
    CHECK(chmod(path, 0) == 0);
    CHECK(chmod(tmpdir, 0755) == 0);

    pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        if (access(path, R_OK) == 0)
            _exit(4); /* still readable: cannot test here */
        enum gc_config_status st = load(path);
        _exit(st == GC_CONFIG_UNREADABLE && diags.count == 1 &&
                      ut_has_diag(&diags, path, 0, "cannot open: Permission denied") &&
                      cfg.defaults.set == 0
                  ? 0
                  : 1);
    }
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    if (WIFEXITED(status) && (WEXITSTATUS(status) == 3 || WEXITSTATUS(status) == 4))
        printf("SKIP unreadable file: cannot drop privileges to read as another user\n");
    else
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* A path through a regular file cannot be opened either. */
    snprintf(path, sizeof path, "%s/good.conf/x", fixdir);
    CHECK(load(path) == GC_CONFIG_UNREADABLE);
    CHECK(diags.count == 1 && ut_has_diag(&diags, path, 0, "cannot open: Not a directory"));
}

/* NUL bytes: not a text file; one message, the whole file ignored. */
static void test_binary(void)
{
    const char *path = fixture("binary.conf");
    static const char text[] = "[default]\ntimeout = 9s\n\0\0\x01\x02";

    CHECK(load(path) == GC_CONFIG_BROKEN);
    CHECK(diags.count == 1 && ut_has_diag(&diags, path, 3, "contains a NUL byte"));
    CHECK(ut_has_diag(&diags, path, 3, "the whole file is ignored"));
    CHECK(!cfg.loaded && cfg.defaults.set == 0 && cfg.nrules == 0); /* policy = off not kept */
    CHECK(cfg.problems == 1);

    ut_diags_reset(&diags);
    CHECK(gc_config_load_text(&cfg, "mem.conf", text, sizeof text - 1, ut_diag, &diags) ==
          GC_CONFIG_BROKEN);
    CHECK(diags.count == 1 && ut_has_diag(&diags, "mem.conf", 3, "NUL byte"));
    CHECK(cfg.defaults.set == 0);
}

/* A 1 MiB line: reported once at its line, skipped, the lines after it count. */
static void test_long_line(void)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof path, "%s/long.conf", tmpdir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("[default]\ntimeout = 3s\nidle = ", f);
    for (int i = 0; i < 1 << 20; i++)
        fputc('9', f);
    fputs("s\nmax_drain = 1m\n# the end\nsteps = drain", f); /* no final newline */
    fclose(f);

    CHECK(load(path) == GC_CONFIG_OK);
    CHECK(diags.count == 1 && ut_has_diag(&diags, path, 3, "line is longer than 4095 bytes"));
    CHECK(cfg.defaults.v.timeout_ms == 3000);
    CHECK(!(cfg.defaults.set & (1u << 3))); /* idle: on the long line */
    CHECK(cfg.defaults.v.max_drain == 1u << 20);
    CHECK(cfg.defaults.v.steps == GC_STEP_DRAIN);
}

/* A huge file is not a config file: refused by size, before reading it. */
static void test_huge_file(void)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof path, "%s/huge.conf", tmpdir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("[default]\npolicy = off\n", f);
    CHECK(ftruncate(fileno(f), (off_t)GC_CONFIG_FILE_MAX + 1) == 0); /* sparse */
    fclose(f);
    CHECK(load(path) == GC_CONFIG_BROKEN);
    CHECK(diags.count == 1 && ut_has_diag(&diags, path, 0, "is larger than 16 MiB"));
    CHECK(cfg.defaults.set == 0);
}

/* A byte order mark before the first line is not part of it. */
static void test_bom(void)
{
    static const char text[] = "\xEF\xBB\xBF[default]\ntimeout = 8s\n";

    ut_diags_reset(&diags);
    CHECK(gc_config_load_text(&cfg, "bom.conf", text, sizeof text - 1, ut_diag, &diags) ==
          GC_CONFIG_OK);
    CHECK(diags.count == 0 && cfg.defaults.v.timeout_ms == 8000 && cfg.default_line == 1);
}

static void test_too_many_rules(void)
{
    static char text[GC_MAX_RULES * 64 + 1024];
    size_t n = 0;

    for (int i = 0; i < GC_MAX_RULES + 2; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "[r%d]\nlocal_port = %d\ntimeout = 1s\n",
                              i, 1000 + i);
    ut_diags_reset(&diags);
    CHECK(gc_config_load_text(&cfg, "many.conf", text, n, ut_diag, &diags) == GC_CONFIG_OK);
    CHECK(cfg.nrules == GC_MAX_RULES);
    CHECK(diags.count == 2);
    CHECK(ut_has_diag(&diags, "many.conf", 3 * GC_MAX_RULES + 1, "too many rules"));
}

static void test_overlay(void)
{
    struct gc_overlay o;
    struct gc_settings s;
    const char *why = NULL;

    gc_overlay_clear(&o);
    CHECK(!gc_overlay_set_text(&o, gc_knob_by_key("timeout"), "abc", &why) && why);
    CHECK(o.set == 0);
    CHECK(gc_overlay_set_text(&o, gc_knob_by_key("policy"), "reset", &why));
    CHECK(gc_overlay_set_text(&o, gc_knob_by_key("max_drain"), "64k", &why));
    gc_settings_default(&s);
    s.idle_ms = 123;
    gc_overlay_apply(&o, &s);
    CHECK(s.policy == GC_POLICY_RESET && s.max_drain == 65536);
    CHECK(s.idle_ms == 123 && s.timeout_ms == GC_DEFAULT_TIMEOUT_MS);
    CHECK_STR(gc_policy_name(GC_POLICY_RESET), "reset");
}

/* The shipped examples must load clean. */
static void test_examples(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        fprintf(stderr, "example %s\n", argv[i]);
        CHECK(load(argv[i]) == GC_CONFIG_OK);
        CHECK(diags.count == 0);
    }
}

int main(int argc, char **argv)
{
    char cmd[128];

    if (argc < 2) {
        fprintf(stderr, "usage: test_config FIXTURE_DIR [EXAMPLE_CONF...]\n");
        return 2;
    }
    fixdir = argv[1];
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_good();
    test_bad_lines();
    test_never_match();
    test_missing();
    test_directory();
    test_fifo();
    test_unreadable();
    test_binary();
    test_long_line();
    test_huge_file();
    test_bom();
    test_too_many_rules();
    test_overlay();
    test_examples(argc, argv);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return ut_done("test_config");
}
