/* progname.c - the names of this program (see progname.h). */
#include "progname.h"

#include "gc.h"
#include "procscan.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"

#define COMM_MAX 15 /* the kernel cuts the process name to 15 bytes */

static char names[GC_PROGNAMES_MAX];
static char primary[GC_NAME_MAX] = "?";
static char exe[GC_NAME_MAX];

static const char *base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Copies a usable base name into out (GC_NAME_MAX); false if there is none. */
static int take(char *out, const char *name, size_t len)
{
    if (len == 0 || len >= GC_NAME_MAX || memchr(name, '/', len))
        return 0;
    memcpy(out, name, len);
    out[len] = '\0';
    return 1;
}

static int read_comm(char *out)
{
    char buf[64];
    long n = gc_proc_read_self("comm", buf, sizeof buf);

    if (n <= 0)
        return 0;
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    return take(out, buf, (size_t)n);
}

static int read_exe(char *out)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    const char *b;

    if (n <= 0)
        return 0;
    path[n] = '\0';
    /* An executable replaced while running reads "/path/prog (deleted)". */
    if (n > 10 && strcmp(path + n - 10, " (deleted)") == 0)
        path[n - 10] = '\0';
    b = base(path);
    return take(out, b, strlen(b));
}

static int read_argv0(char *out)
{
    const char *a = program_invocation_name;

    if (!a || !*a)
        return 0;
    a = base(a);
    if (*a == '-') /* a login shell: "-bash" */
        a++;
    return take(out, a, strlen(a));
}

static void add(const char *name)
{
    size_t used = strlen(names), n = strlen(name);
    const char *p = names;

    if (!*name)
        return;
    while (*p) { /* already listed? */
        size_t len = strcspn(p, "/");
        if (len == n && strncmp(p, name, n) == 0)
            return;
        p += len + (p[len] == '/');
    }
    if (used + (used ? 1 : 0) + n + 1 > sizeof names)
        return;
    if (used)
        names[used++] = '/';
    memcpy(names + used, name, n + 1);
}

/* The kernel cuts the process name to 15 bytes.  A script's name
 * (argv[1] of its interpreter) or argv[0] may hold it whole: the first of
 * the first three arguments whose base name starts with the cut name. */
static int whole_comm(const char *comm, char *out)
{
    char buf[4096];
    long n = gc_proc_read_self("cmdline", buf, sizeof buf);

    if (n <= 0)
        return 0;
    for (const char *a = buf; a < buf + n && a < buf + sizeof buf; a += strlen(a) + 1) {
        const char *b = base(a);
        if (strncmp(b, comm, COMM_MAX) == 0 && strlen(b) > COMM_MAX)
            return take(out, b, strlen(b));
        if (a - buf > 2048)
            break;
    }
    return 0;
}

const char *gc_progname_init(void)
{
    char comm[GC_NAME_MAX] = "", argv0[GC_NAME_MAX] = "", real[GC_NAME_MAX] = "",
         whole[GC_NAME_MAX] = "";
    int saved_errno = errno;

    read_comm(comm);
    read_argv0(argv0);
    read_exe(real);
    if (strlen(comm) == COMM_MAX)
        whole_comm(comm, whole);
    gc_errno_restore(saved_errno);

    /* The process name, whole if the kernel cut it and it can be found. */
    const char *first = *whole ? whole : *comm ? comm : *argv0 ? argv0 : real;
    names[0] = '\0';
    add(first);
    add(comm);
    add(whole);
    add(argv0);
    add(real);
    if (*first)
        memcpy(primary, first, strlen(first) + 1);
    else if (*real)
        memcpy(primary, real, strlen(real) + 1);
    if (strcmp(real, primary) != 0)
        memcpy(exe, real, strlen(real) + 1);
    return names[0] ? names : NULL;
}

const char *gc_progname_primary(void)
{
    return primary;
}

const char *gc_progname_exe(void)
{
    return exe;
}
