/* graceclose.c - the command: run a program with libgraceclose.so preloaded.
 *
 * Options are checked with the library's own parsers (settings.h) and passed
 * on as GRACECLOSE_* variables; the library is prepended to LD_PRELOAD; then
 * the command is exec'd so its exit status is the command's own. */
#include "audit_run.h"
#include "cmd_config.h"
#include "gc_config.h"
#include "logsettings.h"
#include "precheck.h"
#include "settings.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIB_NAME "libgraceclose.so"

enum {
    EXIT_USAGE = 2,       /* bad option or value */
    EXIT_CANNOT_RUN = 126,
    EXIT_NOT_FOUND = 127, /* command or library not found, like env(1) */
};

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: graceclose [OPTION...] [--] COMMAND [ARG...]\n"
        "       graceclose check [FILE] | explain [OPTION...]\n"
        "       graceclose --help | --version\n"
        "\n"
        "Run COMMAND with " LIB_NAME " preloaded, so that closing a TCP socket\n"
        "with unread input sends every byte and a FIN instead of a reset.\n"
        "\n"
        "Options (each sets the environment variable shown):\n"
        "  --timeout D      GRACECLOSE_TIMEOUT    bound on one whole close (default 5s)\n"
        "  --idle D         GRACECLOSE_IDLE       quiet time that ends a drain once our\n"
        "                                         data is acknowledged (default 500ms;\n"
        "                                         5s if longer for a peer that sent 1m)\n"
        "  --steps LIST     GRACECLOSE_STEPS      comma list of shutdown,drain,outq\n"
        "                                         (default all three)\n"
        "  --policy P       GRACECLOSE_POLICY     linger (default), off, reset or audit\n"
        "  --max-drain SIZE GRACECLOSE_MAX_DRAIN  bytes the drain may discard (default none)\n"
        "  --log DEST       GRACECLOSE_LOG        off, stderr (default), syslog or a file\n"
        "  --log-level L    GRACECLOSE_LOG_LEVEL  error, warn (default), info (a record per\n"
        "                                         close and a summary at exit) or debug\n"
        "  --json           GRACECLOSE_LOG_FORMAT=json: one JSON object per line\n"
        "  --audit          change nothing, look: run COMMAND with plain closes, then print\n"
        "                   one table of the closes that lost or risked data, merged over\n"
        "                   every process of the run (records kept with --log FILE)\n"
        "  --help           show this help and exit\n"
        "  --version        show the version and exit\n"
        "Durations need a unit (250ms, 2s, 1m); sizes take k, m or g (64k, 1m).\n"
        "Options may also be written --timeout=D.  '--' ends the options, so\n"
        "'graceclose -- check' runs a program named check.\n"
        "\n"
        "Library: $GRACECLOSE_LIBRARY if set, else " LIB_NAME " next to this\n"
        "program, else " GC_LIBDIR "/" LIB_NAME ".\n"
        "\n"
        "Exit status: COMMAND's own; 2 for a usage error; 126 if COMMAND cannot be\n"
        "run; 127 if COMMAND or the library is not found.\n"
        "\n"
        "Examples:\n"
        "  graceclose -- ./legacy-server --port 2121\n"
        "  graceclose --timeout 10s --max-drain 64m -- python3 -m http.server 8080\n"
        "  graceclose --audit -- ./legacy-client example-host 2121\n"
        "  graceclose --log /var/log/graceclose.log --log-level info -- ./legacy-server\n");
}

/* The knob an option names: --max-drain is the knob with key max_drain. */
static const struct gc_knob *knob_for_option(const char *name, size_t len)
{
    for (size_t i = 0; i < gc_knob_count; i++) {
        const char *key = gc_knobs[i].key;
        size_t j = 0;

        while (j < len && key[j] && (key[j] == name[j] || (key[j] == '_' && name[j] == '-')))
            j++;
        if (j == len && key[j] == '\0')
            return &gc_knobs[i];
    }
    return NULL;
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("graceclose: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (try 'graceclose --help')\n", stderr);
    return EXIT_USAGE;
}

/* A readable regular file (a directory in LD_PRELOAD would only warn). */
static bool is_file(const char *path)
{
    struct stat st;

    if (access(path, R_OK) != 0 || stat(path, &st) != 0)
        return false;
    if (!S_ISREG(st.st_mode)) {
        errno = EISDIR;
        return false;
    }
    return true;
}

/* Finds the library and stores its absolute path in buf (PATH_MAX bytes);
 * otherwise names every place tried and returns false. */
static bool find_library(char *buf)
{
    const char *env = getenv("GRACECLOSE_LIBRARY");
    char beside[PATH_MAX] = "";
    const char *installed = GC_LIBDIR "/" LIB_NAME;
    ssize_t n;

    if (env && *env) {
        if (is_file(env) && realpath(env, buf))
            return true;
        fprintf(stderr, "graceclose: GRACECLOSE_LIBRARY '%s': %s\n", env, strerror(errno));
        return false;
    }

    /* Next to the real executable: covers the build tree (build/src/). */
    n = readlink("/proc/self/exe", beside, sizeof beside - sizeof LIB_NAME - 1);
    if (n > 0) {
        beside[n] = '\0';
        char *slash = strrchr(beside, '/');
        if (slash) {
            strcpy(slash + 1, LIB_NAME);
            if (is_file(beside)) {
                strcpy(buf, beside);
                return true;
            }
        }
    }

    /* After meson install. */
    if (is_file(installed)) {
        strcpy(buf, installed);
        return true;
    }

    fprintf(stderr, "graceclose: cannot find %s (tried %s and %s); set GRACECLOSE_LIBRARY\n",
            LIB_NAME, *beside ? beside : "this program's directory", installed);
    return false;
}

/* True when LD_PRELOAD already lists this library (same path, or any entry
 * named libgraceclose.so).  Entries are separated by ':' or spaces. */
static bool preload_has(const char *preload, const char *lib)
{
    const char *seps = ": \t";
    size_t liblen = strlen(lib), namelen = strlen(LIB_NAME);
    const char *p = preload;

    while (*p) {
        size_t n = strcspn(p, seps);
        if (n == liblen && strncmp(p, lib, n) == 0)
            return true;
        if (n >= namelen && strncmp(p + n - namelen, LIB_NAME, namelen) == 0 &&
            (n == namelen || p[n - namelen - 1] == '/'))
            return true;
        p += n;
        p += strspn(p, seps);
    }
    return false;
}

static int set_preload(const char *lib)
{
    const char *old = getenv("LD_PRELOAD");

    if (old && old[strspn(old, ": \t")] != '\0') {
        if (preload_has(old, lib))
            return 0;
        size_t len = strlen(lib) + 1 + strlen(old) + 1;
        char *both = malloc(len);
        if (!both)
            return -1;
        snprintf(both, len, "%s:%s", lib, old);
        int rc = setenv("LD_PRELOAD", both, 1);
        free(both);
        return rc;
    }
    return setenv("LD_PRELOAD", lib, 1);
}

/* --log, --log-level, --json, --audit: set the variables, note what the
 * audit needs.  Returns 1 when handled, 0 when not ours, or an exit status
 * (>= 2) for a bad value. */
struct run_opts {
    bool audit, level_given, log_given, debug;
    char log_path[PATH_MAX];
};

static int log_option(const char *name, size_t namelen, const char *value, struct run_opts *o)
{
    const char *why = "is not valid";

    if (namelen == 5 && strncmp(name, "--log", 5) == 0) {
        enum gc_log_dest d;
        char abs[PATH_MAX];
        /* A relative file name is taken from here, not from wherever the
         * program will chdir to. */
        if (strcmp(value, "off") && strcmp(value, "stderr") && strcmp(value, "syslog") &&
            value[0] != '/' && value[0]) {
            char cwd[PATH_MAX];
            if (!getcwd(cwd, sizeof cwd) ||
                snprintf(abs, sizeof abs, "%s/%s", cwd, value) >= (int)sizeof abs)
                return usage_error("--log '%s': cannot make it an absolute path", value);
            value = abs;
        }
        if (!gc_parse_log_dest(value, &d, &why)) {
            fprintf(stderr, "graceclose: --log '%s' %s\n", value, why);
            return EXIT_USAGE;
        }
        o->log_given = true;
        snprintf(o->log_path, sizeof o->log_path, "%s", d == GC_LOG_FILE ? value : "");
        return setenv("GRACECLOSE_LOG", value, 1) == 0 ? 1 : EXIT_USAGE;
    }
    if (namelen == 11 && strncmp(name, "--log-level", 11) == 0) {
        enum gc_log_level l;
        if (!gc_parse_log_level(value, &l, &why)) {
            fprintf(stderr, "graceclose: --log-level '%s' %s\n", value, why);
            return EXIT_USAGE;
        }
        o->level_given = true;
        o->debug = l == GC_LOG_DEBUG;
        return setenv("GRACECLOSE_LOG_LEVEL", value, 1) == 0 ? 1 : EXIT_USAGE;
    }
    return 0;
}

/* The audit's settings, once every option is known. */
static int setup_audit(const struct run_opts *o)
{
    if (o->log_given && !o->log_path[0])
        return usage_error("--audit keeps its records in a file: give --log FILE, or no --log");
    if (setenv("GRACECLOSE_POLICY", "audit", 1) != 0 ||
        setenv("GRACECLOSE_LOG_FORMAT", "json", 1) != 0 ||
        setenv("GRACECLOSE_LOG_LEVEL", o->debug ? "debug" : "info", 1) != 0) {
        perror("graceclose: setenv");
        return EXIT_USAGE;
    }
    return gc_audit_prepare(o->log_given ? o->log_path : NULL);
}

int main(int argc, char **argv)
{
    char lib[PATH_MAX];
    struct run_opts ro = {0};
    bool policy_option = false;
    int i;

    /* Subcommands own the first word; 'graceclose -- check' runs 'check'. */
    if (argc > 1 && strcmp(argv[1], "check") == 0)
        return gc_cmd_check(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "explain") == 0)
        return gc_cmd_explain(argc - 1, argv + 1);

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-')
            break;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(arg, "--version") == 0) {
            printf("graceclose %s\n", GC_VERSION);
            return 0;
        }
        if (strcmp(arg, "--audit") == 0) {
            ro.audit = true;
            continue;
        }
        if (strcmp(arg, "--json") == 0) {
            if (setenv("GRACECLOSE_LOG_FORMAT", "json", 1) != 0)
                return EXIT_USAGE;
            continue;
        }

        /* --name VALUE or --name=VALUE */
        const char *eq = strchr(arg, '=');
        size_t namelen = eq ? (size_t)(eq - arg) : strlen(arg);
        const struct gc_knob *k = NULL;
        bool log_opt = (namelen == 5 && strncmp(arg, "--log", 5) == 0) ||
                       (namelen == 11 && strncmp(arg, "--log-level", 11) == 0);
        if (strncmp(arg, "--", 2) == 0 && !log_opt)
            k = knob_for_option(arg + 2, namelen - 2);
        if (!k && !log_opt)
            return usage_error("unknown option '%s'", arg);

        const char *value = eq ? eq + 1 : argv[++i];
        if (!value)
            return usage_error("%s needs a value", arg);
        if (log_opt) {
            if (!eq && value[0] == '-') /* "--log -- cmd": no file named "--" */
                return usage_error("%s needs a value", arg);
            int r = log_option(arg, namelen, value, &ro);
            if (r != 1)
                return r;
            continue;
        }
        if (strcmp(k->key, "policy") == 0)
            policy_option = true;

        struct gc_settings scratch;
        const char *why = "is not valid";
        gc_settings_default(&scratch);
        if (!k->apply(&scratch, value, &why)) {
            fprintf(stderr, "graceclose: --%.*s '%s' %s\n", (int)namelen - 2, arg + 2, value,
                    why);
            return EXIT_USAGE;
        }
        if (setenv(k->env, value, 1) != 0) {
            perror("graceclose: setenv");
            return EXIT_USAGE;
        }
    }
    if (i >= argc)
        return usage_error("no COMMAND given");
    if (ro.audit) {
        const char *policy = getenv("GRACECLOSE_POLICY");
        if (policy_option && policy && strcmp(policy, "audit") != 0)
            return usage_error("--audit cannot be combined with --policy %s", policy);
        int r = setup_audit(&ro);
        if (r)
            return r;
    }

    if (!find_library(lib))
        return EXIT_NOT_FOUND;
    /* The loader splits LD_PRELOAD at spaces, tabs and colons: such a path
     * would silently run the program without the library. */
    if (strpbrk(lib, " \t:")) {
        fprintf(stderr,
                "graceclose: the library path '%s' contains a space, tab or ':', which "
                "LD_PRELOAD cannot hold; install or link it elsewhere\n",
                lib);
        return EXIT_NOT_FOUND;
    }
    if (set_preload(lib) != 0) {
        perror("graceclose: LD_PRELOAD");
        return EXIT_CANNOT_RUN;
    }

    /* One line for each reason graceclose cannot work in the program. */
    gc_precheck(argv[i]);
    if (ro.audit)
        return gc_audit_run(argv + i);
    execvp(argv[i], argv + i);
    int err = errno;
    fprintf(stderr, "graceclose: cannot run '%s': %s\n", argv[i], strerror(err));
    return err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}
