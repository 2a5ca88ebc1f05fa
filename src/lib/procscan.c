/* procscan.c - /proc directory walks on raw syscalls (see procscan.h). */
#include "procscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DENTS_BUF 1024 /* small: the close path may run on a signal stack */

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Appends to a NUL-terminated buffer, cutting at its end. */
struct text {
    char *buf;
    size_t len, used;
};

static void put_str(struct text *t, const char *s)
{
    while (*s && t->used + 1 < t->len)
        t->buf[t->used++] = *s++;
    t->buf[t->used] = '\0';
}

static void put_uint(struct text *t, uint64_t v)
{
    char digits[24];
    size_t n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n && t->used + 1 < t->len)
        t->buf[t->used++] = digits[--n];
    t->buf[t->used] = '\0';
}

/* Writes "/proc/<pid>/<tail>" (pid 0: self) into buf. */
static void proc_path(char *buf, size_t len, pid_t pid, const char *tail)
{
    struct text t = {buf, len, 0};

    put_str(&t, "/proc/");
    if (pid <= 0)
        put_str(&t, "self");
    else
        put_uint(&t, (uint64_t)pid);
    put_str(&t, "/");
    put_str(&t, tail);
}

static bool parse_uint(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    *out = v;
    return *s == '\0' || *s == ']' || *s == ' ' || *s == '\n';
}

static int open_dir(const char *path)
{
    return (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Walks the numeric entries of an open directory. */
static int each_number(int dirfd, bool (*fn)(uint64_t n, void *ctx), void *ctx, long *budget)
{
    char buf[DENTS_BUF] __attribute__((aligned(8)));

    for (;;) {
        long got = syscall(SYS_getdents64, dirfd, buf, sizeof buf);
        if (got < 0)
            return -1;
        if (got == 0)
            return 0;
        for (long off = 0; off < got;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            uint64_t n;
            off += d->d_reclen;
            if (!parse_uint(d->d_name, &n))
                continue;
            if (budget && --*budget < 0)
                return -1;
            if (!fn(n, ctx))
                return 0;
        }
    }
}

struct fd_walk {
    int dirfd;
    bool (*fn)(int fd, uint64_t inode, void *ctx);
    void *ctx;
};

static bool fd_entry(uint64_t n, void *p)
{
    struct fd_walk *w = p;
    char name[24], link[64];
    struct text t = {name, sizeof name, 0};
    uint64_t inode;

    put_uint(&t, n);
    long len = syscall(SYS_readlinkat, w->dirfd, name, link, sizeof link - 1);
    if (len <= 8)
        return true; /* gone meanwhile, or not a socket link */
    link[len] = '\0';
    if (memcmp(link, "socket:[", 8) != 0 || !parse_uint(link + 8, &inode))
        return true;
    return w->fn((int)n, inode, w->ctx);
}

int gc_proc_socket_fds(pid_t pid, bool (*fn)(int fd, uint64_t inode, void *ctx), void *ctx,
                       long *budget)
{
    char path[48];
    struct fd_walk w = {.fn = fn, .ctx = ctx};

    proc_path(path, sizeof path, pid, "fd");
    w.dirfd = open_dir(path);
    if (w.dirfd < 0)
        return -1;
    int r = each_number(w.dirfd, fd_entry, &w, budget);
    syscall(SYS_close, w.dirfd);
    return r;
}

struct child_walk {
    pid_t pid;
    bool (*fn)(pid_t child, void *ctx);
    void *ctx;
    long *budget;
    int failed;
};

/* Reads /proc/<pid>/task/<tid>/children: pids separated by spaces, read
 * in small pieces, a number split between two reads carried over. */
static bool task_entry(uint64_t tid, void *p)
{
    struct child_walk *w = p;
    char path[80], tail[48], buf[256];
    struct text t = {tail, sizeof tail, 0};
    uint64_t child = 0;
    bool in_number = false;

    put_str(&t, "task/");
    put_uint(&t, tid);
    put_str(&t, "/children");
    proc_path(path, sizeof path, w->pid, tail);

    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        w->failed = 1;
        return false;
    }
    for (;;) {
        long len = syscall(SYS_read, fd, buf, sizeof buf);
        if (len < 0) {
            w->failed = 1;
            break;
        }
        for (long j = 0; j <= len; j++) {
            char ch = j < len ? buf[j] : ' '; /* end of file ends a number */
            if (ch >= '0' && ch <= '9') {
                child = child * 10 + (uint64_t)(ch - '0');
                in_number = true;
                continue;
            }
            if (!in_number || (len > 0 && j == len))
                continue;
            in_number = false;
            if (w->budget && --*w->budget < 0) {
                w->failed = 1;
                break;
            }
            if (!w->fn((pid_t)child, w->ctx)) {
                syscall(SYS_close, fd);
                return false;
            }
            child = 0;
        }
        if (w->failed || len == 0)
            break;
    }
    syscall(SYS_close, fd);
    return !w->failed;
}

int gc_proc_children(pid_t pid, bool (*fn)(pid_t child, void *ctx), void *ctx, long *budget)
{
    char path[48];
    struct child_walk w = {.pid = pid, .fn = fn, .ctx = ctx, .budget = budget};

    proc_path(path, sizeof path, pid, "task");
    int dirfd = open_dir(path);
    if (dirfd < 0)
        return -1;
    int r = each_number(dirfd, task_entry, &w, budget);
    syscall(SYS_close, dirfd);
    return r < 0 || w.failed ? -1 : 0;
}

struct pid_walk {
    bool (*fn)(pid_t pid, void *ctx);
    void *ctx;
};

static bool pid_entry(uint64_t n, void *p)
{
    struct pid_walk *w = p;
    return w->fn((pid_t)n, w->ctx);
}

int gc_proc_all_pids(bool (*fn)(pid_t pid, void *ctx), void *ctx, long *budget)
{
    struct pid_walk w = {.fn = fn, .ctx = ctx};
    int dirfd = open_dir("/proc");

    if (dirfd < 0)
        return -1;
    int r = each_number(dirfd, pid_entry, &w, budget);
    syscall(SYS_close, dirfd);
    return r;
}

static bool count_one(uint64_t n, void *ctx)
{
    (void)n;
    return ++*(int *)ctx < 2; /* two are enough to know */
}

bool gc_proc_other_threads(void)
{
    int count = 0;
    int dirfd = open_dir("/proc/self/task");

    if (dirfd < 0)
        return true; /* cannot tell: assume the worst */
    int r = each_number(dirfd, count_one, &count, NULL);
    syscall(SYS_close, dirfd);
    return r != 0 || count != 1;
}
