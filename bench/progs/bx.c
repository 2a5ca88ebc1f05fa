/* bx.c - see bx.h. */
#include "bx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <time.h>
#include <unistd.h>

void bx_die(const char *what)
{
    fprintf(stderr, "bench program: %s: %s\n", what, strerror(errno));
    exit(90);
}

static void lo_addr(struct sockaddr_in *a, int port)
{
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sin_port = htons((unsigned short)port);
}

int bx_listen(int backlog, int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        bx_die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    lo_addr(&a, 0);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
        bx_die("bind");
    if (listen(fd, backlog) < 0)
        bx_die("listen");
    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        bx_die("getsockname");
    *port = ntohs(a.sin_port);
    return fd;
}

int bx_connect(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    lo_addr(&a, port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int bx_connect_nb(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    if (fd < 0)
        return -1;
    lo_addr(&a, port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int bx_local_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;

    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return -1;
    return ntohs(a.sin_port);
}

double bx_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

double bx_now_ms(void)
{
    return bx_now_us() / 1e3;
}

void bx_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

long bx_arg(const char *text, const char *name)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end) {
        fprintf(stderr, "bad %s: '%s'\n", name, text);
        exit(90);
    }
    return v;
}

void bx_nofile(long n)
{
    struct rlimit r;

    if (getrlimit(RLIMIT_NOFILE, &r) < 0)
        return;
    if ((long)r.rlim_cur >= n)
        return;
    r.rlim_cur = (rlim_t)n;
    if (r.rlim_max != RLIM_INFINITY && r.rlim_cur > r.rlim_max)
        r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
}

size_t bx_send_all(int fd, const void *buf, size_t len, int *err)
{
    size_t done = 0;

    *err = 0;
    while (done < len) {
        ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            break;
        }
        done += (size_t)n;
    }
    return done;
}

int bx_inq(int fd)
{
    int n = 0;

    if (ioctl(fd, SIOCINQ, &n) < 0)
        return -1;
    return n;
}

void bx_mark(const char *tag)
{
    char path[64];

    snprintf(path, sizeof path, "/gc-bench-mark-%s", tag);
    (void)access(path, F_OK);
}

size_t bx_http_reply(int is_post, char *out, size_t cap)
{
    size_t body = is_post ? BX_413_BODY : BX_GET_BODY;
    int h = snprintf(out, cap,
                     is_post ? "HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain\r\n"
                               "Content-Length: %zu\r\nConnection: close\r\n\r\n"
                             : "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                               "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     body);
    if (h < 0 || (size_t)h + body > cap)
        return 0;
    memset(out + h, is_post ? 'x' : 'g', body);
    return (size_t)h + body;
}

int bx_head_done(const char *buf, size_t n)
{
    return memmem(buf, n, "\r\n\r\n", 4) != NULL;
}

long bx_read_head(int fd, char *buf, size_t cap)
{
    size_t n = 0;

    while (n + 1 < cap) {
        ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return (long)n;
        n += (size_t)r;
        if (bx_head_done(buf, n))
            break;
    }
    buf[n] = 0;
    return (long)n;
}
