/* precheck.c - static, Go, setuid: say so before the run (see precheck.h). */
#include "precheck.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_SHEBANG 2 /* a script's interpreter may itself be a script, once */

/* The file execvp would run: name itself if it has a '/', else PATH. */
static bool resolve(const char *name, char *out)
{
    const char *path = getenv("PATH");

    if (strchr(name, '/'))
        return snprintf(out, PATH_MAX, "%s", name) < PATH_MAX && access(out, X_OK) == 0;
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && snprintf(out, PATH_MAX, "%.*s/%s", (int)n, p, name) < PATH_MAX &&
            access(out, X_OK) == 0) {
            struct stat st;
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
                return true;
        }
        p += n + (p[n] == ':');
    }
    return false;
}

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
    return pread(fd, buf, len, off) == (ssize_t)len;
}

/* Is a section of this name present?  (ELF64 only.) */
static bool has_section(int fd, const Elf64_Ehdr *eh, const char *const *names)
{
    Elf64_Shdr strtab;
    bool found = false;

    if (eh->e_shnum == 0 || eh->e_shstrndx >= eh->e_shnum ||
        eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !read_at(fd, &strtab, sizeof strtab,
                 (off_t)(eh->e_shoff + (uint64_t)eh->e_shstrndx * sizeof(Elf64_Shdr))))
        return false;
    for (unsigned i = 0; i < eh->e_shnum && i < 4096 && !found; i++) {
        Elf64_Shdr sh;
        char name[32];
        if (!read_at(fd, &sh, sizeof sh, (off_t)(eh->e_shoff + (uint64_t)i * sizeof sh)) ||
            sh.sh_name >= strtab.sh_size)
            continue;
        ssize_t n = pread(fd, name, sizeof name - 1, (off_t)(strtab.sh_offset + sh.sh_name));
        if (n <= 0)
            continue;
        name[n] = '\0';
        for (const char *const *w = names; *w; w++)
            if (strcmp(name, *w) == 0)
                found = true;
    }
    return found;
}

/* Looks at an ELF64 file; prints what stands in graceclose's way. */
static int check_elf(int fd, const char *shown)
{
    static const char *const go_sections[] = {".note.go.buildid", ".go.buildinfo", NULL};
    Elf64_Ehdr eh;
    bool interp = false;
    int said = 0;

    if (!read_at(fd, &eh, sizeof eh, 0) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_phentsize != sizeof(Elf64_Phdr))
        return 0;
    for (unsigned i = 0; i < eh.e_phnum && i < 256; i++) {
        Elf64_Phdr ph;
        if (read_at(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * sizeof ph)) &&
            ph.p_type == PT_INTERP)
            interp = true;
    }
    if (has_section(fd, &eh, go_sections)) {
        fprintf(stderr, "graceclose: %s is a Go program: Go closes sockets with raw system "
                "calls, never through libc, so graceclose cannot act in it\n", shown);
        said++;
    } else if (!interp) {
        fprintf(stderr, "graceclose: %s is statically linked: LD_PRELOAD cannot reach it, so "
                "graceclose cannot act in it\n", shown);
        said++;
    }
    return said;
}

/* setuid/setgid to someone else, or file capabilities: secure execution. */
static int check_mode(const char *path, const char *shown)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return 0;
    if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
        ((st.st_mode & S_ISGID) && st.st_gid != getegid())) {
        fprintf(stderr, "graceclose: %s is set%sid: the loader ignores LD_PRELOAD for it, so "
                "graceclose cannot act in it\n", shown, st.st_mode & S_ISUID ? "u" : "g");
        return 1;
    }
    if (getxattr(path, "security.capability", NULL, 0) > 0 && geteuid() != 0) {
        fprintf(stderr, "graceclose: %s has file capabilities: the loader ignores LD_PRELOAD "
                "for it, so graceclose cannot act in it\n", shown);
        return 1;
    }
    return 0;
}

/* "#!/usr/bin/env node" -> "node"; "#!/bin/sh -e" -> "/bin/sh". */
static bool interpreter(const char *head, size_t n, char *out)
{
    char line[256];
    size_t len = 0;

    while (len < n && len < sizeof line - 1 && head[len] != '\n')
        len++;
    memcpy(line, head, len);
    line[len] = '\0';
    char *save = NULL, *prog = strtok_r(line + 2, " \t", &save);
    if (!prog)
        return false;
    if (strcmp(prog, "/usr/bin/env") == 0 || strcmp(prog, "/bin/env") == 0) {
        char *arg = strtok_r(NULL, " \t", &save);
        if (!arg || arg[0] == '-') /* env -S ...: options are not followed */
            return false;
        prog = arg;
    }
    snprintf(out, PATH_MAX, "%s", prog);
    return true;
}

int gc_precheck(const char *name)
{
    char path[PATH_MAX], next[PATH_MAX];
    const char *shown = name;
    int said = 0;

    if (!resolve(name, path))
        return 0;
    for (int depth = 0; depth <= MAX_SHEBANG; depth++) {
        char head[256];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return said;
        ssize_t n = pread(fd, head, sizeof head, 0);
        if (depth == 0)
            said += check_mode(path, shown);
        if (n >= 4 && memcmp(head, ELFMAG, SELFMAG) == 0) {
            said += check_elf(fd, shown);
            close(fd);
            return said;
        }
        close(fd);
        if (n < 2 || head[0] != '#' || head[1] != '!' || !interpreter(head, (size_t)n, next) ||
            !resolve(next, path))
            return said;
        static char shown_buf[PATH_MAX + 64];
        snprintf(shown_buf, sizeof shown_buf, "%s (run by %s)", name, path);
        shown = shown_buf;
    }
    return said;
}
