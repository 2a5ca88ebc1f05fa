/* upload_client - sends a whole upload first, reads the reply only after.
 *
 * Behaves like a simple HTTP client: writes the request header and BYTES of
 * body with blocking writes, never reading meanwhile.  A failed write ends the
 * request (the reply is never read: that is what users see).  Prints
 *     sent=N of=BYTES send=ok|ENAME
 *     reply_bytes=N end=eof|reset|timeout|error:ENAME reply="..."   (when sent)
 *
 * usage: upload_client [-6] [-b BYTES] [-p MS] [-s AT:MS] PORT
 *   -p MS     pause MS milliseconds after every 64 KiB of body (a slower
 *             uploader: the server's drain must keep going while data flows)
 *   -s AT:MS  stall once for MS milliseconds after AT bytes of body (an
 *             uploader held up mid-stream, as by retransmission timeouts on
 *             a loaded host or a lossy path) */
#include "hx.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPLY_MAX 8192

int main(int argc, char **argv)
{
    int family = 4, opt, err;
    long bytes = 8L * 1024 * 1024, pause_ms = 0, stall_at = -1, stall_ms = 0;
    char head[256], reply[REPLY_MAX];
    size_t got = 0;

    while ((opt = getopt(argc, argv, "6b:p:s:")) != -1) {
        char *colon;
        switch (opt) {
        case '6': family = 6; break;
        case 'b': bytes = hx_arg_long(optarg, "bytes"); break;
        case 'p': pause_ms = hx_arg_long(optarg, "pause"); break;
        case 's':
            colon = strchr(optarg, ':');
            if (!colon)
                return HX_SETUP_FAILED;
            *colon = '\0';
            stall_at = hx_arg_long(optarg, "stall at");
            stall_ms = hx_arg_long(colon + 1, "stall ms");
            break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: upload_client [-6] [-b BYTES] [-p MS] [-s AT:MS] PORT\n");
        return HX_SETUP_FAILED;
    }
    hx_deadline(30);
    int fd = hx_connect(family, (int)hx_arg_long(argv[optind], "port"));
    int hl = snprintf(head, sizeof head,
                      "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: %ld\r\n\r\n",
                      bytes);
    char *body = malloc((size_t)bytes);
    if (!body)
        hx_die("malloc");
    memset(body, 'u', (size_t)bytes);

    size_t sent = hx_send_all(fd, head, (size_t)hl, &err);
    if (err)
        sent = 0;
    else
        for (sent = 0; sent < (size_t)bytes && !err;) {
            size_t step = pause_ms ? 65536 : (size_t)bytes;
            if (step > (size_t)bytes - sent)
                step = (size_t)bytes - sent;
            if (stall_at >= 0 && sent < (size_t)stall_at && sent + step > (size_t)stall_at)
                step = (size_t)stall_at - sent;
            sent += hx_send_all(fd, body + sent, step, &err);
            if (pause_ms)
                hx_sleep_ms(pause_ms);
            if (stall_at >= 0 && sent == (size_t)stall_at && !err) {
                hx_sleep_ms(stall_ms);
                stall_at = -1;
            }
        }
    printf("sent=%zu of=%ld send=%s\n", sent, bytes, err ? hx_errname(err) : "ok");
    fflush(stdout);
    if (err)
        return 1;

    const char *end = "timeout";
    double stop = hx_now_ms() + 15000;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        double left = stop - hx_now_ms();
        if (left <= 0)
            break;
        if (poll(&p, 1, (int)left + 1) <= 0)
            continue;
        ssize_t n = read(fd, reply + got, sizeof reply - got);
        if (n > 0) {
            got += (size_t)n;
            if (got == sizeof reply)
                break;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        end = n == 0 ? "eof" : errno == ECONNRESET ? "reset" : "error";
        break;
    }
    printf("reply_bytes=%zu end=%s ", got, end);
    hx_print_escaped("reply", reply, got);
    printf("\n");
    return 0;
}
