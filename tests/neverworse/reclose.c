/* reclose - close(X) re-entered from a signal handler on the same
 * descriptor, while the library is inside its close of X.
 *
 * How the handler gets in: this program is linked with -rdynamic and
 * defines getsockopt() itself (the real call goes through
 * syscall(SYS_getsockopt)), so the preloaded library's own getsockopt
 * calls land here.  While the main path's close(X) runs, the first
 * getsockopt on X with the chosen option raises SIGUSR1 right after the
 * real call returned:
 *   tcp_info PORT DETAIL:   at IPPROTO_TCP/TCP_INFO (the library's probe of
 *                           the last holder: it has already taken X out of
 *                           its table and the family's count, and goes on
 *                           to decide, and maybe hand X off, with the
 *                           probe of a socket that is gone by then);
 *   so_cookie PORT DETAIL:  at SOL_SOCKET/SO_COOKIE (its check of the
 *                           last holder's identity, just before the probe).
 * The handler closes X, connects a new socket to a listener of this
 * process (it gets the number X again), moves it to descriptor 100 with
 * dup2 and closes X once more, then returns into the library.
 *
 * What a program could see without the library: a close is one system
 * call, so the handler runs either before it (then the handler's close
 * returns 0 and the main one -1 EBADF, X having been freed again) or after
 * it (the main close 0, the handler's -1 EBADF).  Without the library no
 * getsockopt runs inside close, so the handler is raised right after close
 * returns: the second order.  With the library the handler runs inside the
 * close: it must look like the first order.  What is compared (stdout):
 *   - exactly one of the two closes returned 0 and the other -1 EBADF;
 *   - the new socket got the number X (so a library that acts on "X" after
 *     the handler would act on whatever X is then: here nothing, since X
 *     was freed; the number is moved away so that the main close cannot
 *     legitimately close the new connection);
 *   - the new connection at 100 is untouched: its other end sees neither
 *     data nor end of stream for 500 ms, then "ping"/"pong" both pass;
 *     the program leaves 6 more bytes from it unread and closes it: a
 *     plain close resets, so DETAIL also says how it ended (with the
 *     library: end of stream, unless the re-entered close has broken the
 *     library's hand-off);
 *   - the old connection's peer (nw_peer count) gets all 200,000 bytes and
 *     the end of stream.
 * DETAIL (a file) gets what differs by design: each close's own result,
 * whether the handler ran inside the close, and the getsockopt calls the
 * library made on the number X during the close (outside the handler; "!"
 * marks where the handler ran). */
#include "hx.h"
#include "nw.h"
#include "rb.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEEP_FD 100
#define SEEN_MAX 16

static volatile sig_atomic_t armed, in_close, in_handler, fired, fired_inside;
static int trig_level, trig_name, target, listen_port;
static int h_close, h_errno_v, new_is_x, h_dup;
static int nseen, seen_level[SEEN_MAX], seen_name[SEEN_MAX];

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    long r = syscall(SYS_getsockopt, fd, level, name, val, len);

    if (in_close && !in_handler && fd == target) {
        int e = errno;
        if (nseen < SEEN_MAX) {
            seen_level[nseen] = level;
            seen_name[nseen] = name;
            nseen++;
        }
        if (armed && level == trig_level && name == trig_name) {
            armed = 0;
            raise(SIGUSR1);
            if (nseen < SEEN_MAX)
                seen_level[nseen] = -1, nseen++;
        }
        errno = e;
    }
    return (int)r;
}

static void on_usr1(int sig)
{
    int e = errno;

    (void)sig;
    fired = 1;
    fired_inside = in_close;
    in_handler = 1;
    errno = NW_ERRNO_MARK;
    h_close = close(target);
    h_errno_v = errno;
    int s = hx_connect(4, listen_port);
    new_is_x = s == target;
    h_dup = dup2(s, KEEP_FD);
    close(s);
    in_handler = 0;
    errno = e;
}

static const char *optname(int level, int name)
{
    static char buf[32];

    if (level == -1)
        return "!";
    if (level == SOL_SOCKET && name == SO_COOKIE)
        return "SO_COOKIE";
    if (level == SOL_SOCKET && name == SO_PROTOCOL)
        return "SO_PROTOCOL";
    if (level == SOL_SOCKET && name == SO_ERROR)
        return "SO_ERROR";
    if (level == SOL_SOCKET && name == SO_LINGER)
        return "SO_LINGER";
    if (level == IPPROTO_TCP && name == TCP_INFO)
        return "TCP_INFO";
    snprintf(buf, sizeof buf, "%d/%d", level, name);
    return buf;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    char buf[16];
    const char *end;

    if (argc != 4)
        return HX_SETUP_FAILED;
    if (strcmp(argv[1], "tcp_info") == 0)
        trig_level = IPPROTO_TCP, trig_name = TCP_INFO;
    else if (strcmp(argv[1], "so_cookie") == 0)
        trig_level = SOL_SOCKET, trig_name = SO_COOKIE;
    else
        return HX_SETUP_FAILED;
    FILE *detail = fopen(argv[3], "w");
    if (!detail)
        hx_die("fopen detail");
    hx_deadline(15);
    int lfd = hx_listen(4, &listen_port);
    target = nw_connect_arg(4, argv[2]);
    nw_send_bytes(target, 200000);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) < 0)
        hx_die("sigaction");

    in_close = 1;
    armed = 1;
    nw_mark();
    int r = close(target);
    int e = errno;
    armed = 0;
    in_close = 0;
    if (!fired)
        raise(SIGUSR1); /* the handler after the close: see the top */

    nw_mark();
    nw_report("one_close_0_other_ebadf", (r == 0 && h_close == -1 && h_errno_v == EBADF) ||
                                            (h_close == 0 && r == -1 && e == EBADF));
    nw_report("new_number_was_x", new_is_x);
    nw_report("dup2_to_100", h_dup == KEEP_FD);

    int a = hx_accept(lfd);
    struct pollfd p = {a, POLLIN, 0};
    nw_report("new_peer_quiet_500ms", poll(&p, 1, 500) == 0);
    nw_mark();
    nw_report("new_send_ping", send(KEEP_FD, "ping", 4, MSG_NOSIGNAL));
    nw_report("new_peer_got", (long)rb_read_for(a, buf, 4, 1000, &end));
    nw_mark();
    nw_report("new_peer_send_pong", send(a, "pong" "unread", 10, MSG_NOSIGNAL));
    nw_report("new_got", (long)rb_read_for(KEEP_FD, buf, 4, 1000, &end));
    nw_close("close_new", KEEP_FD); /* "unread" is queued: at stake */
    size_t tail = rb_read_for(a, buf, sizeof buf, 2000, &end);
    close(a);

    fprintf(detail, "handler_inside_close=%d\n", (int)fired_inside);
    fprintf(detail, "main_close=%d errno=%s\n", r, hx_errname(r < 0 ? e : 0));
    fprintf(detail, "handler_close=%d errno=%s\n", h_close, hx_errname(h_close < 0 ? h_errno_v : 0));
    fprintf(detail, "getsockopt_on_x_during_close=");
    for (int i = 0; i < nseen; i++)
        fprintf(detail, "%s%s", i ? "," : "", optname(seen_level[i], seen_name[i]));
    fprintf(detail, "%s\n", nseen ? "" : "none");
    fprintf(detail, "new_conn_after_close bytes=%zu end=%s\n", tail, end);
    fclose(detail);
    return 0;
}
