/* mtexit - main() returns 0 while a worker thread keeps writing to a
 * connection whose peer (another process) stays open.  The status must
 * stay 0: an exit-time shutdown would make the worker's next write raise
 * SIGPIPE (status 141).  usage: mtexit PORT */
#include "hx.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int conn;

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50000; i++) { /* 10 s at most */
        if (write(conn, "x", 1) < 0) {
            perror("writer");
            break;
        }
        usleep(200);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;

    hx_deadline(15);
    if (argc != 2)
        return HX_SETUP_FAILED;
    conn = hx_connect(4, (int)hx_arg_long(argv[1], "port"));
    if (pthread_create(&t, NULL, writer, NULL) != 0)
        hx_die("pthread_create");
    hx_sleep_ms(200);
    printf("main returns 0\n");
    fflush(stdout);
    return 0;
}
