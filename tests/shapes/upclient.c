/* upclient - a client that sends its whole request before it reads the reply.
 *
 * Writes REQUEST (default: a POST header announcing BYTES of body) and then
 * BYTES of body ('u'), never reading meanwhile (-d: reads while it sends, the
 * way curl does).  A failed write ends the sending; whatever can still be read
 * is read afterwards (-w: only after MS milliseconds, then slowly, one 64 KiB
 * read per millisecond: a slow reader, so the server ends while part of its
 * reply is still queued on its side).  Then it reads the reply to end of
 * stream and prints
 *     sent=N send=ok|ENAME reply_bytes=N end=eof|reset|timeout|error:ENAME
 *     clen=N|none body=N status="first line of the reply"
 * clen is the reply's Content-Length and body what arrived after the header,
 * so "clen == body and end=eof" means the whole reply arrived.
 *
 * usage: upclient [-6] [-d] [-b BYTES] [-q REQUEST] [-t SECS] [-w MS] PORT
 *   REQUEST is sent as given, with \r and \n written as escapes. */
#include "../helpers/hx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_MAX 8192

static char head[HEAD_MAX + 1]; /* first bytes of the reply */
static size_t head_len;
static unsigned long long got;

/* Turns the two-character escapes \r and \n into the bytes. */
static size_t unescape(char *s)
{
    char *w = s;

    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && (r[1] == 'r' || r[1] == 'n')) {
            *w++ = r[1] == 'r' ? '\r' : '\n';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* Reads what is there; returns 1 on progress, 0 at end (sets *end). */
static int read_some(int fd, const char **end)
{
    static char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);

    if (n > 0) {
        size_t keep = HEAD_MAX - head_len;
        if (keep > (size_t)n)
            keep = (size_t)n;
        memcpy(head + head_len, buf, keep);
        head_len += keep;
        got += (unsigned long long)n;
        return 1;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (n == 0) {
        *end = "eof";
    } else if (errno == ECONNRESET) {
        *end = "reset";
    } else {
        static char e[40];
        snprintf(e, sizeof e, "error:%s", hx_errname(errno));
        *end = e;
    }
    return 0;
}

static void report_reply(const char *end)
{
    char *sep = strstr(head, "\r\n\r\n");
    long clen = -1;

    if (sep) {
        for (char *p = head; p && p < sep; p = strstr(p, "\r\n")) {
            p += (p[0] == '\r') ? 2 : 0;
            if (strncasecmp(p, "Content-Length:", 15) == 0)
                clen = strtol(p + 15, NULL, 10);
        }
    }
    printf(" reply_bytes=%llu end=%s", got, end);
    if (clen >= 0)
        printf(" clen=%ld", clen);
    else
        printf(" clen=none");
    printf(" body=%lld ", sep ? (long long)got - (long long)(sep + 4 - head) : -1LL);
    size_t line = strcspn(head, "\r\n");
    hx_print_escaped("status", head, line);
    printf("\n");
}

int main(int argc, char **argv)
{
    int family = 4, duplex = 0, opt, err = 0;
    long bytes = 8L * 1024 * 1024, secs = 15, slow_ms = -1;
    char *request = NULL;
    static char defreq[256];

    while ((opt = getopt(argc, argv, "6db:q:t:w:")) != -1) {
        switch (opt) {
        case '6': family = 6; break;
        case 'd': duplex = 1; break;
        case 'b': bytes = hx_arg_long(optarg, "bytes"); break;
        case 'q': request = optarg; break;
        case 't': secs = hx_arg_long(optarg, "deadline"); break;
        case 'w': slow_ms = hx_arg_long(optarg, "wait"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: upclient [-6] [-d] [-b BYTES] [-q REQUEST] [-t SECS] [-w MS] PORT\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline((unsigned)secs + 5);
    if (!request) {
        snprintf(defreq, sizeof defreq,
                 "POST /upload HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: %ld\\r\\n\\r\\n",
                 bytes);
        request = defreq;
    }
    size_t rlen = unescape(request);
    size_t total = rlen + (size_t)bytes;
    char *out = malloc(total ? total : 1);
    if (!out)
        hx_die("malloc");
    memcpy(out, request, rlen);
    memset(out + rlen, 'u', (size_t)bytes);

    int fd = hx_connect(family, (int)hx_arg_long(argv[optind], "port"));
    size_t sent = 0;
    const char *end = "timeout";
    int open_in = 1;
    double stop = hx_now_ms() + (double)secs * 1000.0;

    /* Sending: blocking writes, or (duplex) writes and reads as poll says. */
    if (!duplex) {
        sent = hx_send_all(fd, out, total, &err);
    } else {
        while (sent < total && !err && hx_now_ms() < stop) {
            struct pollfd p = {fd, POLLOUT | (open_in ? POLLIN : 0), 0};
            if (poll(&p, 1, 100) <= 0)
                continue;
            if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && open_in)
                open_in = read_some(fd, &end);
            if (p.revents & POLLOUT) {
                ssize_t n = send(fd, out + sent, total - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n > 0)
                    sent += (size_t)n;
                else if (n < 0 && errno != EAGAIN && errno != EINTR)
                    err = errno;
            }
        }
    }
    printf("sent=%zu send=%s", sent, err ? hx_errname(err) : sent == total ? "ok" : "timeout");
    fflush(stdout);

    /* Reading: to end of stream, an error or the deadline. */
    if (slow_ms >= 0)
        hx_sleep_ms(slow_ms);
    while (open_in && hx_now_ms() < stop) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) > 0)
            open_in = read_some(fd, &end);
        if (slow_ms >= 0)
            hx_sleep_ms(1);
    }
    report_reply(end);
    free(out);
    return 0;
}
