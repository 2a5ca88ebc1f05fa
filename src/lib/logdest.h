/* logdest.h - the channels a log line can be written to: a file, fd 2, the
 * syslog socket.  Each open puts the descriptor at a high number with
 * close-on-exec, so it never takes a number the program expects, and in a
 * state where a write cannot block: files never do, a pipe or terminal on
 * fd 2 is reopened as a new open file description with O_NONBLOCK (the
 * program's own description keeps its flags), the syslog socket is sent to
 * with MSG_DONTWAIT.  Everything here is async-signal-safe. */
#ifndef GC_LOGDEST_H
#define GC_LOGDEST_H

#include <stddef.h>
#include <stdint.h>

enum gc_chan_kind {
    GC_CHAN_NONE = 0,
    GC_CHAN_FILE,   /* regular file (or device such as /dev/full), appended */
    GC_CHAN_PIPE,   /* pipe, FIFO or terminal: SIGPIPE kept away */
    GC_CHAN_SYSLOG, /* AF_UNIX datagram socket, sent to /dev/log */
};

struct gc_chan {
    int fd;
    enum gc_chan_kind kind;
    uint64_t dev, ino; /* of fd when opened: a program that closed our
                          descriptor and reused the number is noticed */
};

/* Each returns 0, or -errno with *c untouched. */
int gc_chan_open_file(struct gc_chan *c, const char *path);
/* fd 2; when fd 2 is a socket (an inetd service's client), the syslog socket. */
int gc_chan_open_stderr(struct gc_chan *c);
int gc_chan_open_syslog(struct gc_chan *c);

/* Is c->fd still the descriptor we opened? */
int gc_chan_valid(const struct gc_chan *c);

/* Writes len bytes in one call: 0 on success, -EAGAIN when the line was
 * dropped because the reader is behind, other -errno when the channel
 * failed. */
int gc_chan_write(const struct gc_chan *c, const char *buf, size_t len);

void gc_chan_close(struct gc_chan *c);

#endif
