/* logdest.c - log channels (see logdest.h). */
#include "logdest.h"

#include "highfd.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SYSLOG_PATH "/dev/log"

static void raw_close(int fd)
{
    int saved = errno;
    gc_sys(SYS_close, fd);
    errno = saved;
}

/* Moves fd where the program never meets it (highfd.h), close-on-exec;
 * -errno on failure (EMFILE: there is no such place). */
static int move_high(int fd)
{
    int nfd = gc_fd_copy_high(fd, false);
    raw_close(fd);
    return nfd >= 0 ? nfd : -EMFILE;
}

static int finish_open(struct gc_chan *c, int fd, enum gc_chan_kind kind)
{
    struct stat st;

    if (fd < 0)
        return -errno;
    fd = move_high(fd);
    if (fd < 0)
        return fd;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        raw_close(fd);
        return -err;
    }
    c->fd = fd;
    c->kind = kind;
    c->dev = st.st_dev;
    c->ino = st.st_ino;
    return 0;
}

int gc_chan_open_file(struct gc_chan *c, const char *path)
{
    /* O_NONBLOCK: a FIFO without a reader fails at once instead of hanging. */
    int fd = (int)gc_sys(SYS_openat, AT_FDCWD, path,
                          O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
    struct stat st;

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        raw_close(fd);
        return -EISDIR;
    }
    return finish_open(c, fd, S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) ? GC_CHAN_FILE
                                                                         : GC_CHAN_PIPE);
}

int gc_chan_open_syslog(struct gc_chan *c)
{
    int fd = (int)gc_sys(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    return finish_open(c, fd, GC_CHAN_SYSLOG);
}

int gc_chan_open_stderr(struct gc_chan *c)
{
    struct stat st;

    if (fstat(2, &st) != 0)
        return -errno;
    if (S_ISSOCK(st.st_mode))
        return gc_chan_open_syslog(c);
    if (S_ISREG(st.st_mode)) /* share the program's offset: dup, never reopen */
        return finish_open(c, (int)gc_sys(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 0), GC_CHAN_FILE);
    /* A pipe, FIFO or terminal: our own open file description, non-blocking. */
    int fd = (int)gc_sys(SYS_openat, AT_FDCWD, "/proc/self/fd/2",
                          O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd >= 0) {
        struct stat again;
        if (fstat(fd, &again) == 0 && again.st_ino == st.st_ino && again.st_dev == st.st_dev)
            return finish_open(c, fd, GC_CHAN_PIPE);
        raw_close(fd);
    }
    /* /proc unavailable: a plain copy; writes then check the pipe's room. */
    return finish_open(c, (int)gc_sys(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 0), GC_CHAN_PIPE);
}

int gc_chan_valid(const struct gc_chan *c)
{
    struct stat st;
    return c->fd >= 0 && fstat(c->fd, &st) == 0 && (uint64_t)st.st_dev == c->dev &&
           (uint64_t)st.st_ino == c->ino;
}

/* A pipe whose reader is gone would raise SIGPIPE and kill the program:
 * block it for the write and take back a SIGPIPE that the write raised
 * (not one that was already pending). */
static ssize_t write_no_sigpipe(int fd, const char *buf, size_t len)
{
    sigset_t pipe_only, old, pending;
    bool was_pending;

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    ssize_t w = write(fd, buf, len);
    int err = errno;
    if (w < 0 && err == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_only, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = err;
    return w;
}

/* For a pipe we could not reopen non-blocking: write only what fits now. */
static bool pipe_has_room(int fd, size_t len)
{
    int queued = 0;
    long size = gc_sys(SYS_fcntl, fd, F_GETPIPE_SZ);

    if (size <= 0 || ioctl(fd, FIONREAD, &queued) != 0)
        return true; /* a terminal: no way to ask */
    return (size_t)size >= (size_t)queued + len;
}

int gc_chan_write(const struct gc_chan *c, const char *buf, size_t len)
{
    ssize_t w;

    switch (c->kind) {
    case GC_CHAN_SYSLOG: {
        struct sockaddr_un to = {.sun_family = AF_UNIX};
        memcpy(to.sun_path, SYSLOG_PATH, sizeof SYSLOG_PATH);
        w = sendto(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&to,
                   sizeof to);
        break;
    }
    case GC_CHAN_PIPE:
        if (!(gc_sys(SYS_fcntl, c->fd, F_GETFL) & O_NONBLOCK) && !pipe_has_room(c->fd, len))
            return -EAGAIN;
        w = write_no_sigpipe(c->fd, buf, len);
        break;
    case GC_CHAN_FILE:
        w = write(c->fd, buf, len);
        break;
    default:
        return -EBADF;
    }
    if (w == (ssize_t)len)
        return 0;
    if (w >= 0)
        return -ENOSPC; /* a short write: the file system is full */
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ENOBUFS)
        return -EAGAIN;
    return -errno;
}

void gc_chan_close(struct gc_chan *c)
{
    if (c->fd >= 0)
        raw_close(c->fd);
    c->fd = -1;
    c->kind = GC_CHAN_NONE;
}
