/* cfg_server - one program serving two ports, for the config-rule tests.
 *
 * Listens on 127.0.0.1 port 0 twice.  With -t TEMPLATE -o OUT it writes OUT
 * from TEMPLATE with @PORT1@ / @PORT2@ replaced by the two ports, then execs
 * itself (keeping the listeners) so that graceclose, which reads its config
 * file when the program starts, reads the file that names those ports.
 * Prints "ports=P1,P2", then accepts CONNS connections (on either port),
 * writes BYTES to each without reading anything (the client's greeting
 * stays unread, so a plain close() resets), closes it and prints
 * "served port=P close=RET".
 *
 * usage: cfg_server [-t TEMPLATE -o OUT] [-n BYTES] [-c CONNS] [-d SECS] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FDS_ENV "GC_CFG_SERVER_FDS"

static void die(const char *what)
{
    fprintf(stderr, "cfg_server: %s: %s\n", what, strerror(errno));
    exit(90);
}

static int listen_any(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0); /* no CLOEXEC: kept across the re-exec */

    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("listen");
    *port = ntohs(a.sin_port);
    return fd;
}

static int port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;

    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("getsockname");
    return ntohs(a.sin_port);
}

/* Copies TEMPLATE to OUT with the ports filled in. */
static void write_config(const char *tpl, const char *out, int p1, int p2)
{
    static char text[65536], tmp[4200];
    FILE *in = fopen(tpl, "r"), *f;
    size_t n;

    if (!in)
        die(tpl);
    n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = '\0';
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    f = fopen(tmp, "w");
    if (!f)
        die(tmp);
    /* By length, not as a string: a test may put NUL bytes in the file. */
    for (size_t i = 0; i < n;) {
        if (n - i >= 7 && (memcmp(text + i, "@PORT1@", 7) == 0 ||
                           memcmp(text + i, "@PORT2@", 7) == 0)) {
            fprintf(f, "%d", text[i + 5] == '1' ? p1 : p2);
            i += 7;
        } else {
            fputc(text[i++], f);
        }
    }
    if (fclose(f) != 0 || rename(tmp, out) != 0)
        die(out);
}

static void serve(int l1, int l2, long bytes, long conns)
{
    static char buf[65536];
    struct pollfd pfd[2] = {{.fd = l1, .events = POLLIN}, {.fd = l2, .events = POLLIN}};

    memset(buf, 'x', sizeof buf);
    for (long done = 0; done < conns;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        for (int i = 0; i < 2 && done < conns; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            int c = accept(pfd[i].fd, NULL, NULL);
            if (c < 0)
                die("accept");
            for (long left = bytes; left > 0;) {
                ssize_t w = send(c, buf, left < (long)sizeof buf ? (size_t)left : sizeof buf,
                                 MSG_NOSIGNAL);
                if (w < 0) {
                    if (errno == EINTR)
                        continue;
                    break; /* the client went away: still close and report */
                }
                left -= w;
            }
            int rc = close(c);
            printf("served port=%d close=%d\n", port_of(pfd[i].fd), rc);
            fflush(stdout);
            done++;
        }
    }
}

int main(int argc, char **argv)
{
    const char *tpl = NULL, *out = NULL, *fds = getenv(FDS_ENV);
    long bytes = 1000000, conns = 2, secs = 20;
    int opt, l1, l2, p1, p2;

    while ((opt = getopt(argc, argv, "t:o:n:c:d:")) != -1) {
        switch (opt) {
        case 't': tpl = optarg; break;
        case 'o': out = optarg; break;
        case 'n': bytes = atol(optarg); break;
        case 'c': conns = atol(optarg); break;
        case 'd': secs = atol(optarg); break;
        default: return 90;
        }
    }
    alarm((unsigned)secs);

    if (fds) { /* after the re-exec: the listeners are inherited */
        if (sscanf(fds, "%d,%d", &l1, &l2) != 2)
            return 90;
        unsetenv(FDS_ENV);
    } else {
        l1 = listen_any(&p1);
        l2 = listen_any(&p2);
        if (tpl && out) {
            char val[32];
            write_config(tpl, out, p1, p2);
            snprintf(val, sizeof val, "%d,%d", l1, l2);
            setenv(FDS_ENV, val, 1);
            execv("/proc/self/exe", argv);
            die("re-exec");
        }
    }
    printf("ports=%d,%d\n", port_of(l1), port_of(l2));
    fflush(stdout);
    serve(l1, l2, bytes, conns);
    return 0;
}
