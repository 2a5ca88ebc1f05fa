/* readerthread - close() while another thread is blocked in recv() on the
 * same descriptor.
 *
 * A thread blocks in recv(fd) (SO_RCVTIMEO 3 s bounds it); once it is in
 * the system call (/proc/self/task/TID/syscall, bounded), the main thread
 * sends a 100,000-byte reply and closes fd.  Without the library the
 * blocked recv still holds the socket, so the close sends no FIN: the peer
 * sees no end of stream, sends "hello", and the reader gets those 5 bytes.
 * The library must not shut the write side or drain the input of a socket
 * a thread still reads from.
 * usage: readerthread PORT */
#include "hx.h"
#include "nw.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static int conn;
static volatile pid_t reader_tid;
static long reader_ret;
static int reader_errno;

static void *reader(void *arg)
{
    char buf[64];

    (void)arg;
    reader_tid = (pid_t)syscall(SYS_gettid);
    errno = NW_ERRNO_MARK;
    reader_ret = recv(conn, buf, sizeof buf, 0);
    reader_errno = errno;
    return NULL;
}

/* True once the thread is blocked in recvfrom (at most 2 s). */
static int reader_blocked(void)
{
    char path[64], text[32];

    for (int i = 0; i < 200; i++) {
        if (reader_tid) {
            snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)reader_tid);
            int f = open(path, O_RDONLY | O_CLOEXEC);
            if (f >= 0) {
                ssize_t n = read(f, text, sizeof text - 1);
                close(f);
                if (n > 0) {
                    text[n] = 0;
                    if (atol(text) == SYS_recvfrom)
                        return 1;
                }
            }
        }
        hx_sleep_ms(10);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct timeval tv = {3, 0};
    pthread_t t;

    if (argc != 2)
        return HX_SETUP_FAILED;
    hx_deadline(15);
    conn = nw_connect_arg(4, argv[1]);
    if (setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        hx_die("SO_RCVTIMEO");
    if (pthread_create(&t, NULL, reader, NULL) != 0)
        hx_die("pthread_create");
    nw_mark();
    nw_report("reader_in_recv", reader_blocked());
    nw_send_bytes(conn, 100000);
    nw_close("close", conn);
    pthread_join(t, NULL);
    errno = reader_errno;
    nw_report("reader_got", reader_ret);
    return 0;
}
