/* cfg_client - the peer of cfg_server: connects to 127.0.0.1:PORT, sends a
 * greeting the server never reads, waits, then counts what arrives until
 * end of stream or an error, and prints "bytes=N end=eof|reset|error:E".
 *
 * usage: cfg_client PORT [WAIT_MS] [quiet]
 *   quiet: send no greeting (then a plain close ends with a clean FIN) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static char buf[65536];
    const char greeting[] = "HELO client greeting that stays unread\r\n";
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    long wait_ms = argc > 2 ? atol(argv[2]) : 100;
    unsigned long long total = 0;
    const char *end = "eof";
    int fd;

    if (argc < 2)
        return 90;
    alarm(20);
    a.sin_port = htons((uint16_t)atoi(argv[1]));
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("cfg_client: connect");
        return 90;
    }
    bool quiet = argc > 3 && strcmp(argv[3], "quiet") == 0;
    if (!quiet && send(fd, greeting, sizeof greeting - 1, MSG_NOSIGNAL) < 0) {
        perror("cfg_client: send");
        return 90;
    }
    struct timespec ts = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r > 0) {
            total += (unsigned long long)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            end = errno == ECONNRESET ? "reset" : "error";
        break;
    }
    printf("bytes=%llu end=%s\n", total, end);
    return 0;
}
