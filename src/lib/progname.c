/* progname.c - the names of this program (see progname.h). */
#include "progname.h"

#include "gc.h"
#include "procscan.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "mode.h"

#define COMM_MAX 15 /* the kernel cuts the process name to 15 bytes */

static GC_LOAD char names[GC_PROGNAMES_MAX];
static char primary[GC_NAME_MAX] = "?";
static char exe[GC_NAME_MAX];
/* The real executable is read when rules need it (a config file) or when
 * a record first shows it: -1 before init (the helper: never), 0 not read
 * yet, 1 being read, 2 read. */
static int exe_state = -1;
static char exe_path[4096]; /* its link: not on the stack of a close */

static const char *base(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            b = p + 1;
    return b;
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

/* The process name: asked of the kernel with prctl, or read from /proc
 * where a seccomp filter may refuse what the program never called. */
static int read_comm(char *out)
{
    char buf[64];
    long n;

    if (!gc_passthrough() && gc_sys(SYS_prctl, PR_GET_NAME, buf, 0, 0, 0) == 0) {
        buf[16] = '\0'; /* the kernel writes at most 16 bytes, NUL included */
        n = (long)strlen(buf);
    } else {
        n = gc_proc_read_self("comm", buf, sizeof buf);
    }
    if (n <= 0)
        return 0;
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    return take(out, buf, (size_t)n);
}

/* The real executable's base name; raw system calls only (a record may
 * ask from a close in a signal handler), into exe_path. */
static int read_exe(char *out)
{
    long n = gc_sys(SYS_readlink, "/proc/self/exe", exe_path, sizeof exe_path - 1);
    const char *b;
    size_t len = 0;

    if (n <= 0)
        return 0;
    exe_path[n] = '\0';
    /* An executable replaced while running reads "/path/prog (deleted)". */
    if (n > 10 && memcmp(exe_path + n - 10, " (deleted)", 10) == 0)
        exe_path[n - 10] = '\0';
    b = base(exe_path);
    while (b[len])
        len++;
    return take(out, b, len);
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
        size_t len = 0;
        while (p[len] && p[len] != '/') /* not strcspn: a page of libc few programs map */
            len++;
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
    int saved_errno = gc_errno_save();

    read_comm(comm);
    read_argv0(argv0);
    if (strlen(comm) == COMM_MAX)
        whole_comm(comm, whole);

    /* The process name, whole if the kernel cut it and it can be found. */
    const char *first = *whole ? whole : *comm ? comm : *argv0 ? argv0 : NULL;
    if (!first && read_exe(real))
        first = real;
    gc_errno_restore(saved_errno);
    names[0] = '\0';
    if (first) {
        add(first);
        memcpy(primary, first, strlen(first) + 1);
    }
    add(comm);
    add(whole);
    add(argv0);
    add(real);
    __atomic_store_n(&exe_state, *real ? 2 : 0, __ATOMIC_RELEASE);
    return names[0] ? names : NULL;
}

/* Reads the real executable's name once (see exe_state); true when known. */
static bool exe_known(void)
{
    int st = __atomic_load_n(&exe_state, __ATOMIC_ACQUIRE);
    if (st == 2)
        return true;
    if (st != 0 || gc_passthrough() ||
        !__atomic_compare_exchange_n(&exe_state, &st, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return false; /* no init, no system calls of ours, or being read */
    int saved_errno = gc_errno_save();
    char real[GC_NAME_MAX];
    if (read_exe(real) && strcmp(real, primary) != 0)
        memcpy(exe, real, strlen(real) + 1);
    gc_errno_restore(saved_errno);
    __atomic_store_n(&exe_state, 2, __ATOMIC_RELEASE);
    return true;
}

const char *gc_progname_with_exe(void)
{
    if (exe_known() && *exe)
        add(exe);
    return names[0] ? names : NULL;
}

const char *gc_progname_primary(void)
{
    return primary;
}

const char *gc_progname_exe(void)
{
    return exe_known() ? exe : "";
}
