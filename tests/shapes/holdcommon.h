/* holdcommon.h - what the holder programs share: reading the receiver's
 * greeting, writing a tagged payload, waiting for a child. */
#ifndef GC_TEST_HOLDCOMMON_H
#define GC_TEST_HOLDCOMMON_H

#include <sys/types.h>

/* Waits (at most 2 s) for the greeting and reads it with recv(); prints
 * 'who greeting="..."' ("" when someone else drained it). */
void read_greeting(int fd, const char *who);

/* Writes TAG then N bytes of 'x'; prints 'who sent=N send=ok|ENAME'.
 * Returns 0 when everything went. */
int write_tagged(int fd, const char *who, const char *tag, long n);

/* waitpid() or die. */
void wait_child(pid_t pid);

/* Waits (at most 2 s) until the greeting has arrived, without reading it. */
void await_greeting(int fd);

#endif
