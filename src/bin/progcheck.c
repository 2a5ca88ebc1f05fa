/* progcheck.c - program names against what is installed (see progcheck.h). */
#include "progcheck.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SBIN_DIRS "/usr/local/sbin:/usr/sbin:/sbin"

/* Finds an executable called name in PATH or the sbin directories; its
 * path in 'path', the base name of what it finally points to in 'target'
 * ("" when that is the same name).  False when there is none. */
static bool lookup(const char *name, char *path, char *target)
{
    const char *env = getenv("PATH");
    char dirs[8192];

    snprintf(dirs, sizeof dirs, "%s:" SBIN_DIRS, env && *env ? env : "/usr/local/bin:/usr/bin:/bin");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        struct stat st;
        char real[PATH_MAX];
        if (snprintf(path, PATH_MAX, "%s/%s", d, name) >= PATH_MAX || stat(path, &st) != 0 ||
            !S_ISREG(st.st_mode) || access(path, X_OK) != 0)
            continue;
        target[0] = '\0';
        if (realpath(path, real)) {
            const char *b = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
            if (strcmp(b, name) != 0 && strlen(b) < GC_NAME_MAX)
                strcpy(target, b);
        }
        return true;
    }
    return false;
}

static void note(const char *name, unsigned line, FILE *out)
{
    char path[PATH_MAX], target[GC_NAME_MAX];

    if (!lookup(name, path, target)) {
        fprintf(out, "warning: program '%s' (line %u) matches nothing installed in PATH or %s: "
                "check the name (it must be a process name as ps shows it, or an executable's "
                "base name); this does not count as a problem\n", name, line, SBIN_DIRS);
        return;
    }
    if (target[0])
        fprintf(out, "note: program '%s' (line %u): %s is a link to %s; graceclose matches "
                "the name a process was started by as well as its executable, so processes "
                "started as %s match\n", name, line, path, target, name);
}

void gc_prog_notes(const struct gc_config *cfg, FILE *out)
{
    for (unsigned i = 0; i < cfg->nrules; i++)
        if (!cfg->rules[i].disabled && (cfg->rules[i].m.what & GC_MATCH_PROGRAM))
            note(cfg->rules[i].m.program, cfg->rules[i].line, out);
    for (unsigned i = 0; i < cfg->nonly; i++)
        note(cfg->only[i].name, cfg->only[i].line, out);
    for (unsigned i = 0; i < cfg->nskip; i++)
        note(cfg->skip[i].name, cfg->skip[i].line, out);
}

void gc_prog_names(const char *name, char *out, size_t cap, FILE *say)
{
    char path[PATH_MAX], target[GC_NAME_MAX];

    snprintf(out, cap, "%s", name);
    if (!lookup(name, path, target)) {
        fprintf(say, "program names: %s (nothing of that name is installed in PATH or %s)\n",
                name, SBIN_DIRS);
        return;
    }
    if (!target[0]) {
        fprintf(say, "program names: %s (%s)\n", name, path);
        return;
    }
    snprintf(out, cap, "%s/%s", name, target);
    fprintf(say, "program names: %s, %s (%s is a link to %s: a process started as %s also "
            "has the executable name %s, and rules for either match)\n",
            name, target, path, target, name, target);
}
