/* storm - a SIGALRM every 200 us (setitimer) while the program sends
 * 1,000,000 bytes and closes; the close happens with our data still
 * unacknowledged, so a graceful close has something to wait for.
 *   restart PORT:    the handler is installed with SA_RESTART;
 *   norestart PORT:  without it (interrupted calls fail with EINTR).
 * The timer stops after the close; the handler only counts (not printed:
 * the count varies). */
#include "hx.h"
#include "nw.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t ticks;

static void tick(int sig)
{
    (void)sig;
    ticks++;
}

static void timer(long us)
{
    struct itimerval it = {{0, us}, {0, us}};

    if (setitimer(ITIMER_REAL, &it, NULL) < 0)
        hx_die("setitimer");
}

int main(int argc, char **argv)
{
    struct sigaction sa;

    if (argc != 3)
        return HX_SETUP_FAILED;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tick;
    if (strcmp(argv[1], "restart") == 0)
        sa.sa_flags = SA_RESTART;
    else if (strcmp(argv[1], "norestart") != 0)
        return HX_SETUP_FAILED;
    /* No hx_deadline: SIGALRM is the storm.  `timeout` bounds the run. */
    if (sigaction(SIGALRM, &sa, NULL) < 0)
        hx_die("sigaction");
    int fd = nw_connect_arg(4, argv[2]);
    timer(200);
    nw_send_bytes(fd, 1000000);
    nw_close("close", fd);
    timer(0);
    nw_report("storm_ran", ticks > 0);
    return 0;
}
