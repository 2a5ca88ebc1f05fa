/* lpeer - the peer of lclose (issue 8), run without the library.
 *
 * Listens on loopback port 0, prints "port=N", and serves COUNT connections
 * from lclose, each in its own thread, then exits.  Each connection starts
 * with a hello line from lclose saying its role:
 *   "A ID MODE DELAY HOLD\n"  a connection lclose will close; MODE is what this
 *       peer does meanwhile:
 *         idle    sends nothing; starts reading after DELAY ms
 *         unread  sends 1,000 bytes at once (lclose never reads them);
 *                 starts reading after DELAY ms
 *         quiet   sends "req\n" at once, then nothing; reads at once
 *         upload  sends 1 KiB every 10 ms until a send fails (at most 10 s);
 *                 starts reading after DELAY ms
 *       and reads to end of stream, then keeps its side open HOLD ms more
 *       (so a linger cannot end on this peer's FIN).  At the end of the
 *       stream it prints
 *         A id=ID mode=MODE got=N end=eof|reset|timeout|error:E
 *           eof_ms=T fail_ms=T end_ms=T
 *       (absolute CLOCK_MONOTONIC milliseconds, 0 when it did not happen;
 *       fail_ms: the first send that failed; got counts the hello's reply
 *       bytes, not the hello).
 *   "B\n"  markers: each later line "marker ino=INO ..." is stamped on
 *       arrival, and /proc/[pid]/fd is searched for socket:[INO], again
 *       every 20 ms for up to 500 ms until a holder is seen (a socket on its
 *       way to the helper by SCM_RIGHTS is in no process's table until the
 *       helper receives it); prints
 *         B marker_ms=T held=yes|no holders=PID,...
 *   "C\n"  sends 10,000 bytes of 'c' and reads to end; prints C end=...
 *
 * usage: lpeer [-t SECS] COUNT */
#include "../helpers/hx.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static long secs = 15;

static void line_out(const char *s)
{
    pthread_mutex_lock(&out_lock);
    fputs(s, stdout);
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
}

/* Reads one line (at most len-1 bytes), byte by byte. */
static int read_line(int fd, char *buf, size_t len)
{
    size_t n = 0;
    while (n + 1 < len) {
        ssize_t r = read(fd, buf + n, 1);
        if (r <= 0)
            return -1;
        if (buf[n] == '\n')
            break;
        n++;
    }
    buf[n] = '\0';
    return (int)n;
}

static const char *end_name(ssize_t r, int e)
{
    static __thread char b[48];
    if (r == 0)
        return "eof";
    if (e == ECONNRESET)
        return "reset";
    snprintf(b, sizeof b, "error:%s", hx_errname(e));
    return b;
}

/* PIDs holding socket:[ino], as "pid,pid" (or ""). */
static void holders(unsigned long ino, char *out, size_t len)
{
    char want[64], path[600], link[64];
    snprintf(want, sizeof want, "socket:[%lu]", ino);
    out[0] = '\0';
    DIR *proc = opendir("/proc");
    if (!proc)
        return;
    struct dirent *p;
    while ((p = readdir(proc))) {
        if (p->d_name[0] < '0' || p->d_name[0] > '9')
            continue;
        char dpath[300];
        snprintf(dpath, sizeof dpath, "/proc/%s/fd", p->d_name);
        DIR *fds = opendir(dpath);
        if (!fds)
            continue;
        struct dirent *f;
        while ((f = readdir(fds))) {
            if (f->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", dpath, f->d_name);
            ssize_t n = readlink(path, link, sizeof link - 1);
            if (n <= 0)
                continue;
            link[n] = '\0';
            if (strcmp(link, want) == 0) {
                size_t l = strlen(out), k = strlen(p->d_name);
                if (l + k + 2 < len) {
                    if (l)
                        out[l++] = ',';
                    memcpy(out + l, p->d_name, k + 1);
                }
                break;
            }
        }
        closedir(fds);
    }
    closedir(proc);
}

static void role_a(int fd, const char *hello)
{
    char mode[16] = "", line[320];
    long id = 0, delay = 0, hold = 0;
    static char buf[65536], chunk[1024];
    unsigned long long got = 0;
    double eof_ms = 0, fail_ms = 0, start = hx_now_ms();
    const char *end = "timeout";
    int sending = 0, reading, open_in = 1;

    if (sscanf(hello, "A %ld %15s %ld %ld", &id, mode, &delay, &hold) != 4) {
        line_out("A bad hello\n");
        return;
    }
    memset(chunk, 'p', sizeof chunk);
    if (strcmp(mode, "unread") == 0) {
        memset(buf, 'u', 1000);
        (void)!send(fd, buf, 1000, MSG_NOSIGNAL);
    } else if (strcmp(mode, "quiet") == 0) {
        (void)!send(fd, "req\n", 4, MSG_NOSIGNAL);
    } else if (strcmp(mode, "upload") == 0) {
        sending = 1;
    }
    double stop = start + (double)secs * 1000, next_send = start;
    double read_at = start + (double)delay;
    while (hx_now_ms() < stop && (open_in || sending)) {
        double now = hx_now_ms();
        reading = now >= read_at;
        struct pollfd p = {fd, (short)((reading && open_in) ? POLLIN : 0), 0};
        poll(&p, 1, 5);
        if (reading && open_in && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r > 0) {
                got += (unsigned long long)r;
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                end = end_name(r, errno);
                if (r == 0)
                    eof_ms = hx_now_ms();
                open_in = 0;
            }
        }
        if (sending && hx_now_ms() >= next_send) {
            if (send(fd, chunk, sizeof chunk, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
                errno != EAGAIN && errno != EINTR) {
                fail_ms = hx_now_ms();
                sending = 0;
            }
            next_send += 10;
            if (hx_now_ms() - start > 10000)
                sending = 0;
        }
    }
    double end_ms = hx_now_ms();
    snprintf(line, sizeof line,
             "A id=%ld mode=%s got=%llu end=%s eof_ms=%.1f fail_ms=%.1f end_ms=%.1f\n", id,
             mode, got, end, eof_ms, fail_ms, end_ms);
    line_out(line);
    if (eof_ms > 0 && hold > 0) /* keeps our side open: the linger cannot end on our FIN */
        hx_sleep_ms(hold < 5000 ? hold : 5000);
}

static void role_b(int fd)
{
    char l[256], out[512], who[256];
    for (int i = 0; i < 16; i++) {
        if (read_line(fd, l, sizeof l) < 0)
            return;
        double at = hx_now_ms();
        unsigned long ino = 0;
        char *p = strstr(l, "ino=");
        if (p)
            ino = strtoul(p + 4, NULL, 10);
        holders(ino, who, sizeof who);
        for (int k = 0; k < 25 && !who[0]; k++) {
            hx_sleep_ms(20);
            holders(ino, who, sizeof who);
        }
        snprintf(out, sizeof out, "B marker_ms=%.1f held=%s holders=%s\n", at,
                 who[0] ? "yes" : "no", who);
        line_out(out);
    }
}

static void role_c(int fd)
{
    static char buf[10000];
    char out[128];
    int err;
    memset(buf, 'c', sizeof buf);
    size_t n = hx_send_all(fd, buf, sizeof buf, &err);
    ssize_t r;
    char tmp[4096];
    while ((r = read(fd, tmp, sizeof tmp)) > 0)
        ;
    snprintf(out, sizeof out, "C sent=%zu end=%s\n", n, end_name(r, errno));
    line_out(out);
}

static void *conn(void *arg)
{
    int fd = (int)(long)arg;
    char hello[128];
    if (read_line(fd, hello, sizeof hello) < 0) {
        line_out("? no hello\n");
    } else if (hello[0] == 'A') {
        role_a(fd, hello);
    } else if (hello[0] == 'B') {
        role_b(fd);
    } else if (hello[0] == 'C') {
        role_c(fd);
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    int opt, port;
    while ((opt = getopt(argc, argv, "t:")) != -1) {
        if (opt == 't')
            secs = hx_arg_long(optarg, "secs");
        else
            return HX_SETUP_FAILED;
    }
    if (optind + 1 != argc)
        return HX_SETUP_FAILED;
    long count = hx_arg_long(argv[optind], "count");
    if (count < 1 || count > 64)
        return HX_SETUP_FAILED;
    hx_deadline((unsigned)secs + 10);
    signal(SIGPIPE, SIG_IGN);
    int lfd = hx_listen(4, &port);
    hx_announce_port(port);
    pthread_t th[64];
    for (long i = 0; i < count; i++) {
        int fd = hx_accept(lfd);
        pthread_create(&th[i], NULL, conn, (void *)(long)fd);
    }
    for (long i = 0; i < count; i++)
        pthread_join(th[i], NULL);
    line_out("peer done\n");
    return 0;
}
