/* probe - a healthy client measuring how long each answer takes (issue 8:
 * a server's other clients must never freeze while it closes sockets).
 *
 * Sends REQUEST every INTERVAL ms for SECS seconds and waits (at most 5 s)
 * for EXPECT to appear in the answer.  Persistent connection, reconnecting
 * when the server ends it (counted as dropped); -n: a new connection per
 * request (read to end of stream); -g TEXT: wait for a greeting containing
 * TEXT after each connect.  REQUEST and TEXT take \r and \n escapes.
 * Prints "probes=N answered=N max_ms=X slow=N dropped=N" (slow: answers
 * that took more than 1,000 ms, or none).
 *
 * usage: probe [-n] [-g TEXT] [-i MS] [-d SECS] -q REQUEST -x EXPECT PORT */
#include "../helpers/hx.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void unescape(char *s)
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
}

/* Reads until TEXT is seen (or end / 5 s). 1: seen; 0: not; -1: stream ended first. */
static int await_text(int fd, const char *text, int to_eof)
{
    static char buf[8192];
    size_t len = 0;
    int seen = 0;
    double stop = hx_now_ms() + 5000;
    while (hx_now_ms() < stop) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        if (len >= sizeof buf - 1) { /* keep the tail */
            memmove(buf, buf + len / 2, len - len / 2);
            len -= len / 2;
        }
        ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (r <= 0)
            return seen ? 1 : -1;
        len += (size_t)r;
        buf[len] = '\0';
        if (!seen && strstr(buf, text))
            seen = 1;
        if (seen && !to_eof)
            return 1;
    }
    return seen;
}

int main(int argc, char **argv)
{
    int opt, fresh = 0;
    long interval = 50, secs = 4;
    char *req = NULL, *expect = NULL, *greet = NULL;
    while ((opt = getopt(argc, argv, "ng:i:d:q:x:")) != -1) {
        switch (opt) {
        case 'n': fresh = 1; break;
        case 'g': greet = optarg; break;
        case 'i': interval = hx_arg_long(optarg, "interval"); break;
        case 'd': secs = hx_arg_long(optarg, "secs"); break;
        case 'q': req = optarg; break;
        case 'x': expect = optarg; break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 1 != argc || !req || !expect) {
        fprintf(stderr, "usage: probe [-n] [-g TEXT] [-i MS] [-d SECS] -q REQUEST -x EXPECT PORT\n");
        return HX_SETUP_FAILED;
    }
    unescape(req);
    unescape(expect);
    if (greet)
        unescape(greet);
    int port = (int)hx_arg_long(argv[optind], "port");
    hx_deadline((unsigned)secs + 15);
    signal(SIGPIPE, SIG_IGN);
    long probes = 0, answered = 0, slow = 0, dropped = 0;
    double max_ms = 0, stop = hx_now_ms() + (double)secs * 1000;
    int fd = -1;
    while (hx_now_ms() < stop) {
        double t0 = hx_now_ms();
        if (fd < 0) {
            fd = hx_connect(4, port);
            if (greet && await_text(fd, greet, 0) != 1) {
                close(fd);
                fd = -1;
                dropped++;
                hx_sleep_ms(interval);
                continue;
            }
        }
        int err;
        probes++;
        hx_send_all(fd, req, strlen(req), &err);
        int got = err ? -1 : await_text(fd, expect, fresh);
        double ms = hx_now_ms() - t0;
        if (got == 1) {
            answered++;
            if (ms > max_ms)
                max_ms = ms;
            if (ms > 1000)
                slow++;
        } else {
            slow++;
            if (!fresh)
                dropped++;
        }
        if (fresh || got != 1) {
            close(fd);
            fd = -1;
        }
        hx_sleep_ms(interval);
    }
    printf("probes=%ld answered=%ld max_ms=%.1f slow=%ld dropped=%ld\n", probes, answered, max_ms,
           slow, dropped);
    return 0;
}
