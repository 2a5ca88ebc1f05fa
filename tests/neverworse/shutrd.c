/* shutrd - a server-ish program that refuses an upload and shuts its own
 * read side.  The peer uploads continuously; the program reads the first
 * 100 bytes, writes a 100-byte "413" reply, then shutdown(SHUT_RDWR) (or,
 * with "rd", shutdown(SHUT_RD)) and close.  Without the library the peer
 * gets the reply and, within milliseconds, a reset (its further upload is
 * refused); the library must not turn that into a linger that waits on a
 * peer nobody reads (a zero window until the timeout).  The program waits
 * 300 ms before it reads, so its receive buffer is full (zero window) by
 * then, as with a server that answers late.
 * usage: shutrd rdwr|rd PORT */
#include "hx.h"
#include "nw.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static const char reply[] = "HTTP/1.0 413 Payload Too Large\r\n"
                                "Content-Length: 0\r\n"
                                "Connection: close\r\n"
                                "X-Pad: 0123456789abcdefghi\r\n\r\n";
    char buf[100];
    size_t got = 0;
    int how, err;

    if (argc != 3)
        return HX_SETUP_FAILED;
    if (strcmp(argv[1], "rdwr") == 0)
        how = SHUT_RDWR;
    else if (strcmp(argv[1], "rd") == 0)
        how = SHUT_RD;
    else
        return HX_SETUP_FAILED;
    _Static_assert(sizeof reply - 1 == 100, "the reply is 100 bytes");
    hx_deadline(15);
    int fd = nw_connect_arg(4, argv[2]);
    hx_sleep_ms(300);
    while (got < sizeof buf) {
        ssize_t n = recv(fd, buf + got, sizeof buf - got, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        got += (size_t)n;
    }
    nw_mark();
    nw_report("read", (long)got);
    size_t sent = hx_send_all(fd, reply, sizeof reply - 1, &err);
    errno = err ? err : NW_ERRNO_MARK;
    nw_report("send", (long)sent);
    nw_mark();
    nw_report("shutdown", shutdown(fd, how));
    nw_close("close", fd);
    return 0;
}
