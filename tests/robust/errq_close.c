/* errq_close - a connection with TX software timestamps on (so its error
 * queue is never empty and poll() reports POLLERR) whose peer sent a line
 * and never closes.  Measures the close() call: wall time and the CPU time
 * of the process (getrusage) while it ran.  A lingering close should sleep,
 * not spin.  Prints "wall_ms=W cpu_ms=C".
 * usage: errq_close PORT on|off */
#include "hx.h"

#include <linux/net_tstamp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static double cpu_ms(void)
{
    struct rusage r;
    if (getrusage(RUSAGE_SELF, &r) < 0)
        hx_die("getrusage");
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000.0 +
           (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1000.0;
}

int main(int argc, char **argv)
{
    hx_deadline(15);
    if (argc != 3)
        return HX_SETUP_FAILED;
    int fd = hx_connect(4, (int)hx_arg_long(argv[1], "port"));
    if (strcmp(argv[2], "on") == 0) {
        int v = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
        if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &v, sizeof v) < 0)
            hx_die("SO_TIMESTAMPING");
    }
    if (write(fd, "request\n", 8) != 8)
        hx_die("write");
    hx_sleep_ms(100); /* the peer's line is queued, and a timestamp too */
    double c0 = cpu_ms(), t0 = hx_now_ms();
    if (close(fd) != 0)
        perror("close");
    double t1 = hx_now_ms();
    hx_sleep_ms(1500); /* past the idle time of the test (1 s) */
    double c1 = cpu_ms();
    printf("wall_ms=%.0f cpu_ms=%.0f\n", t1 - t0, c1 - c0);
    return 0;
}
