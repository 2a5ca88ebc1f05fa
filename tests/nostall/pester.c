/* pester - clients that misbehave, or just sit (issue 8).
 *
 * Opens COUNT connections to 127.0.0.1:PORT, one every EVERY ms; each sends
 * REQUEST (\r and \n escapes) and JUNK bytes of 'j' at once, then sits:
 * reads and discards what comes, never closes, and with -k sends one more
 * byte every KEEP ms (a peer still uploading).  After SECS it prints
 *   pester conns=N answered=N closed=N
 * (answered: got any byte back; closed: the server ended the connection).
 *
 * usage: pester [-c COUNT] [-e EVERY] [-q REQUEST] [-b JUNK] [-k KEEP] [-s SECS] PORT */
#include "../helpers/hx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 1000

int main(int argc, char **argv)
{
    long count = 1, every = 0, junk = 0, keep = 0, secs = 4;
    char *req = "";
    int opt;
    while ((opt = getopt(argc, argv, "c:e:q:b:k:s:")) != -1) {
        switch (opt) {
        case 'c': count = hx_arg_long(optarg, "count"); break;
        case 'e': every = hx_arg_long(optarg, "every"); break;
        case 'q': req = optarg; break;
        case 'b': junk = hx_arg_long(optarg, "junk"); break;
        case 'k': keep = hx_arg_long(optarg, "keep"); break;
        case 's': secs = hx_arg_long(optarg, "secs"); break;
        default: return HX_SETUP_FAILED;
        }
    }
    if (optind + 1 != argc || count < 1 || count > MAXC) {
        fprintf(stderr, "usage: pester [-c COUNT] [-e EVERY] [-q REQUEST] [-b JUNK] [-k KEEP] "
                        "[-s SECS] PORT\n");
        return HX_SETUP_FAILED;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)count + 16 && rl.rlim_max >= (rlim_t)count + 16) {
        rl.rlim_cur = (rlim_t)count + 16;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* escapes */
    char *w = req;
    for (char *r = req; *r; r++) {
        if (r[0] == '\\' && (r[1] == 'r' || r[1] == 'n')) {
            *w++ = r[1] == 'r' ? '\r' : '\n';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    int port = (int)hx_arg_long(argv[optind], "port");
    hx_deadline((unsigned)secs + 15);
    signal(SIGPIPE, SIG_IGN);
    size_t rl_len = strlen(req), total = rl_len + (size_t)junk;
    char *out = malloc(total + 1);
    if (!out)
        hx_die("malloc");
    memcpy(out, req, rl_len);
    memset(out + rl_len, 'j', (size_t)junk);
    static struct pollfd p[MAXC];
    static int answered[MAXC], open_[MAXC];
    static double next_keep[MAXC];
    long conns = 0;
    double start = hx_now_ms(), stop = start + (double)secs * 1000, next_open = start;
    while (hx_now_ms() < stop) {
        if (conns < count && hx_now_ms() >= next_open) {
            int fd = hx_connect(4, port), err;
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            size_t done = 0;
            for (int t = 0; t < 200 && done < total; t++) { /* at most ~1 s */
                ssize_t k = send(fd, out + done, total - done, MSG_NOSIGNAL);
                if (k > 0)
                    done += (size_t)k;
                else if (k < 0 && errno == EAGAIN)
                    hx_sleep_ms(5);
                else
                    break;
            }
            (void)err;
            p[conns].fd = fd;
            p[conns].events = POLLIN;
            open_[conns] = 1;
            next_keep[conns] = hx_now_ms() + (double)keep;
            conns++;
            next_open = hx_now_ms() + (double)every;
        }
        poll(p, (nfds_t)conns, 5);
        for (long i = 0; i < conns; i++) {
            if (!open_[i])
                continue;
            if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                char buf[4096];
                ssize_t k = recv(p[i].fd, buf, sizeof buf, MSG_DONTWAIT);
                if (k > 0) {
                    answered[i] = 1;
                } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
                    open_[i] = 0;
                    p[i].fd = -p[i].fd - 1; /* ignored by poll from now on */
                }
            }
            if (open_[i] && keep > 0 && hx_now_ms() >= next_keep[i]) {
                if (send(p[i].fd, "k", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN) {
                    open_[i] = 0;
                    p[i].fd = -p[i].fd - 1;
                }
                next_keep[i] = hx_now_ms() + (double)keep;
            }
        }
    }
    long n_answered = 0, closed = 0;
    for (long i = 0; i < conns; i++) {
        n_answered += answered[i];
        closed += !open_[i];
    }
    printf("pester conns=%ld answered=%ld closed=%ld\n", conns, n_answered, closed);
    return 0;
}
