/* procscan.c - /proc directory walks on raw syscalls (see procscan.h). */
#include "sys.h"
#include "procscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gc.h"

#define DENTS_BUF 512 /* small: the close path may run on a signal stack */

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
    return (int)gc_sys(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Walks the numeric entries of an open directory. */
static int each_number(int dirfd, bool (*fn)(uint64_t n, void *ctx), void *ctx, long *budget)
{
    char buf[DENTS_BUF] __attribute__((aligned(8)));

    for (;;) {
        long got = gc_sys(SYS_getdents64, dirfd, buf, sizeof buf);
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
    bool (*fn)(int fd, const char *link, void *ctx);
    void *ctx;
};

static bool fd_entry(uint64_t n, void *p)
{
    struct fd_walk *w = p;
    char name[24], link[64];
    struct text t = {name, sizeof name, 0};

    put_uint(&t, n);
    long len = gc_sys(SYS_readlinkat, w->dirfd, name, link, sizeof link - 1);
    if (len <= 0)
        return true; /* gone meanwhile */
    link[len] = '\0';
    return w->fn((int)n, link, w->ctx);
}

int gc_proc_fd_links(pid_t pid, bool (*fn)(int fd, const char *link, void *ctx), void *ctx,
                     long *budget)
{
    char path[48];
    struct fd_walk w = {.fn = fn, .ctx = ctx};

    proc_path(path, sizeof path, pid, "fd");
    w.dirfd = open_dir(path);
    if (w.dirfd < 0)
        return -1;
    int r = each_number(w.dirfd, fd_entry, &w, budget);
    gc_sys(SYS_close, w.dirfd);
    return r;
}

struct number_walk {
    bool (*fn)(int fd, void *ctx);
    void *ctx;
};

static bool number_entry(uint64_t n, void *p)
{
    struct number_walk *w = p;
    return w->fn((int)n, w->ctx);
}

int gc_proc_self_fds(bool (*fn)(int fd, void *ctx), void *ctx)
{
    struct number_walk w = {fn, ctx};
    int dirfd = open_dir("/proc/self/fd");
    if (dirfd < 0)
        return -1;
    int r = each_number(dirfd, number_entry, &w, NULL);
    gc_sys(SYS_close, dirfd);
    return r;
}

long gc_proc_self_fd_link(int fd, char *buf, size_t len)
{
    char path[48];
    struct text t = {path, sizeof path, 0};

    if (len == 0)
        return -1;
    put_str(&t, "/proc/self/fd/");
    put_uint(&t, (uint64_t)fd);
    long n = gc_sys(SYS_readlinkat, AT_FDCWD, path, buf, len - 1);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}

struct socket_walk {
    bool (*fn)(int fd, uint64_t inode, void *ctx);
    void *ctx;
};

static bool socket_link(int fd, const char *link, void *p)
{
    struct socket_walk *w = p;
    uint64_t inode;

    if (memcmp(link, "socket:[", 8) != 0 || !parse_uint(link + 8, &inode))
        return true;
    return w->fn(fd, inode, w->ctx);
}

int gc_proc_socket_fds(pid_t pid, bool (*fn)(int fd, uint64_t inode, void *ctx), void *ctx,
                       long *budget)
{
    struct socket_walk w = {fn, ctx};
    return gc_proc_fd_links(pid, socket_link, &w, budget);
}

int gc_proc_open_self(const char *name)
{
    char path[64];
    struct text t = {path, sizeof path, 0};

    put_str(&t, "/proc/self/");
    put_str(&t, name);
    return (int)gc_sys(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
}

long gc_proc_read_self(const char *name, char *buf, size_t len)
{
    if (len == 0)
        return -1;
    int fd = gc_proc_open_self(name);
    if (fd < 0)
        return -1;
    long n = gc_sys(SYS_read, fd, buf, len - 1);
    gc_sys(SYS_close, fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}

static bool count_one(uint64_t n, void *ctx)
{
    (void)n;
    ++*(int *)ctx;
    return true;
}

int gc_proc_thread_count(void)
{
    int count = 0;
    int dirfd = open_dir("/proc/self/task");

    if (dirfd < 0)
        return -1;
    long budget = 100000;
    int r = each_number(dirfd, count_one, &count, &budget);
    gc_sys(SYS_close, dirfd);
    return r != 0 ? -1 : count;
}

/* ---- a thread blocked reading the socket ---- */

struct reader_walk {
    int fd;
    bool found;
};

static bool read_like(long nr)
{
    return nr == SYS_read || nr == SYS_readv || nr == SYS_pread64 || nr == SYS_preadv ||
           nr == SYS_preadv2 || nr == SYS_recvfrom || nr == SYS_recvmsg || nr == SYS_recvmmsg;
}

/* task/TID/syscall: "NR 0xARG0 ..." (blocked in a system call), "running"
 * or "-1 ..." */
static bool task_reads(uint64_t tid, void *p)
{
    struct reader_walk *w = p;
    char name[40], line[64];
    struct text t = {name, sizeof name, 0};
    uint64_t nr, arg = 0;

    put_str(&t, "task/");
    put_uint(&t, tid);
    put_str(&t, "/syscall");
    if (gc_proc_read_self(name, line, sizeof line) <= 0) /* gone meanwhile */
        return true;
    const char *s = line;
    if (!parse_uint(s, &nr) || !read_like((long)nr))
        return true;
    while (*s && *s != ' ')
        s++;
    if (s[0] != ' ' || s[1] != '0' || s[2] != 'x')
        return true;
    for (s += 3; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
        arg = arg * 16 + (uint64_t)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
    w->found = arg == (uint64_t)w->fd;
    return !w->found;
}

bool gc_proc_thread_reading(int fd)
{
    struct reader_walk w = {.fd = fd};
    int dirfd = open_dir("/proc/self/task");
    if (dirfd < 0)
        return false;
    long budget = 4096;
    each_number(dirfd, task_reads, &w, &budget);
    gc_sys(SYS_close, dirfd);
    return w.found;
}

/* ---- io_uring: a ring may hold a socket the program closed ---- */

#define URING_NONE_MS 1000 /* how long a "none" is believed */

static GC_HOT int uring_pid;             /* the process the answer is about */
static GC_HOT bool uring_seen;           /* it has a ring: for good */
static GC_HOT uint64_t uring_checked_ms; /* a "none" is asked again after a while */
/* When our own descriptors last held no ring (0: not known).  A fork child
 * inherits it with the copy of the table the answer was about. */
static GC_HOT uint64_t own_none_ms;

static bool uring_link(int fd, const char *link, void *ctx)
{
    (void)fd;
    *(bool *)ctx = strcmp(link, "anon_inode:[io_uring]") == 0;
    return !*(bool *)ctx;
}

static bool self_uring_fd(int fd, void *ctx)
{
    struct statx sx;
    char link[64];

    /* A socket, pipe, device or directory is no ring.  An anonymous
     * inode has no type here, but may be a regular file on other
     * kernels: those two are read. */
    if (gc_sys(SYS_statx, fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &sx) == 0 &&
        (sx.stx_mode & S_IFMT) != 0 && !S_ISREG(sx.stx_mode))
        return true;
    return gc_proc_self_fd_link(fd, link, sizeof link) <= 0 || uring_link(fd, link, ctx);
}

bool gc_process_uses_io_uring(int pid, bool self)
{
    uint64_t now = gc_now_ms();
    if (pid == uring_pid && (uring_seen || now - uring_checked_ms < URING_NONE_MS))
        return uring_seen;
    if (self && gc_own_uring_none_lately(now))
        return false; /* found by the process we were forked from */
    bool found = false;
    long budget = 1000000;
    /* Unreadable (gone, another user, /proc hidden): nothing to go by,
     * assume none. */
    if (self)
        gc_proc_self_fds(self_uring_fd, &found);
    else
        gc_proc_fd_links(pid, uring_link, &found, &budget);
    uring_pid = pid;
    uring_seen = found;
    uring_checked_ms = now;
    if (self)
        __atomic_store_n(&own_none_ms, found ? 0 : now, __ATOMIC_RELAXED);
    return found;
}

bool gc_own_uring_none_lately(uint64_t now_ms)
{
    uint64_t at = __atomic_load_n(&own_none_ms, __ATOMIC_RELAXED);
    return at && now_ms >= at && now_ms - at < URING_NONE_MS;
}

