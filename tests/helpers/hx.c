/* hx.c - loopback sockets, clocks and reporting shared by the test helpers. */
#include "hx.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void hx_die(const char *what)
{
    fprintf(stderr, "helper setup failed: %s: %s\n", what, strerror(errno));
    exit(HX_SETUP_FAILED);
}

void hx_deadline(unsigned secs)
{
    alarm(secs);
}

/* Fills 'ss' with the loopback address of 'family' and 'port'. */
static socklen_t loopback(int family, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (family == 6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        a->sin6_port = htons((uint16_t)port);
        return sizeof *a;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sin_port = htons((uint16_t)port);
    return sizeof *a;
}

int hx_listen(int family, int *port)
{
    struct sockaddr_storage ss;
    socklen_t len = loopback(family, 0, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);

    if (fd < 0)
        hx_die("socket");
    if (bind(fd, (struct sockaddr *)&ss, len) < 0)
        hx_die("bind");
    /* A backlog larger than any test's burst of connects: with 16, a burst
     * of 300 outran the accepts and the overflow waited on SYN-ACK
     * retransmits (1, 3, 7 s...), 10 s on a quiet machine. */
    if (listen(fd, 1024) < 0)
        hx_die("listen");
    len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        hx_die("getsockname");
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

int hx_connect(int family, int port)
{
    struct sockaddr_storage ss;
    socklen_t len = loopback(family, port, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);

    if (fd < 0)
        hx_die("socket");
    if (connect(fd, (struct sockaddr *)&ss, len) < 0)
        hx_die("connect");
    return fd;
}

int hx_accept(int lfd)
{
    int fd = accept(lfd, NULL, NULL);

    if (fd < 0)
        hx_die("accept");
    return fd;
}

void hx_announce_port(int port)
{
    printf("port=%d\n", port);
    fflush(stdout);
}

double hx_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void hx_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

const char *hx_errname(int e)
{
    static char buf[24];
    const char *name;

    if (e == 0)
        return "0";
    name = strerrorname_np(e);
    if (name)
        return name;
    snprintf(buf, sizeof buf, "E%d", e);
    return buf;
}

size_t hx_send_all(int fd, const char *buf, size_t len, int *err)
{
    size_t done = 0;

    *err = 0;
    while (done < len) {
        ssize_t n = send(fd, buf + done, len - done, MSG_NOSIGNAL);
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

/* The program's own descriptors: the library's family region and its
 * lingering thread's wake-up eventfd are not the program's. */
int hx_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (!d)
        hx_die("opendir /proc/self/fd");
    while ((e = readdir(d))) {
        char path[300], link[64];
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
            continue;
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(path, link, sizeof link - 1);
        link[len > 0 ? len : 0] = '\0';
        int fd = atoi(e->d_name), domain = 0;
        socklen_t dlen = sizeof domain;
        if (strncmp(link, "/memfd:graceclose-owners", 24) == 0 ||
            strcmp(link, "anon_inode:[eventfd]") == 0)
            continue;
        /* the library's channel to its helper (a UNIX socket), its log (a
         * file): above the soft descriptor limit, where the program's own
         * never are, or in the top 8 slots when soft and hard limit are
         * one, or from 1024 up under a soft limit above 4096 (src/lib/highfd.c) */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
            rlim_t base = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 4096 ? 1024
                          : rl.rlim_max > rl.rlim_cur                        ? rl.rlim_cur
                          : rl.rlim_cur >= 1024                              ? rl.rlim_cur - 8
                                                                             : RLIM_INFINITY;
            bool tcp_or_udp = getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == 0 &&
                              domain != AF_UNIX;
            if ((rlim_t)fd >= base && !tcp_or_udp)
                continue;
        }
        (void)domain;
        (void)dlen;
        n++;
    }
    closedir(d);
    return n;
}

/* Lingers still in flight hold copies for a while (their timeout): the
 * count is taken once it is back to 'base', or after 'ms'. */
int hx_count_fds_settled(int base, int ms)
{
    int n = hx_count_fds();
    for (int waited = 0; n != base && waited < ms; waited += 10) {
        usleep(10000);
        n = hx_count_fds();
    }
    return n;
}

long hx_arg_long(const char *text, const char *name)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end) {
        fprintf(stderr, "bad %s: '%s'\n", name, text);
        exit(HX_SETUP_FAILED);
    }
    return v;
}

void hx_print_escaped(const char *name, const char *p, size_t n)
{
    printf("%s=\"", name);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 32 || c > 126)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    putchar('"');
}
