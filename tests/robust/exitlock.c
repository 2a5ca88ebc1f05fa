/* exitlock - main() returns while another thread waits in fgets(stdin),
 * holding stdin's lock, and a connected socket with unread input is open.
 * glibc's own exit flush takes no stream locks, so the process ends at once
 * with main's status; a hang is turned into SIGALRM by the deadline.
 * Prints "main returns" (buffered: it must still reach stdout).
 * usage: exitlock   (stdin: a pipe that stays open) */
#include "hx.h"
#include "rb.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *reader(void *arg)
{
    char line[64];
    (void)arg;
    if (fgets(line, sizeof line, stdin))
        printf("reader got a line\n");
    return NULL;
}

int main(void)
{
    int c, s;
    pthread_t t;

    hx_deadline(5);
    rb_pair(&c, &s);
    if (write(s, "unread", 6) != 6)
        hx_die("write");
    if (pthread_create(&t, NULL, reader, NULL) != 0)
        hx_die("pthread_create");
    hx_sleep_ms(100); /* the reader is inside fgets now */
    printf("main returns\n");
    return 0;
}
