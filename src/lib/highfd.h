/* highfd.h - descriptors the library opens for itself go where the
 * program never meets them: above its soft RLIMIT_NOFILE when the hard
 * limit leaves room (the soft limit is raised for the instant of the dup),
 * else at the very top of the range, or, under a small limit (below 1024),
 * nowhere: every slot is the program's.  Under a large soft limit (above
 * 4096) they go from 1024 up: a descriptor near the top of a huge range
 * would make every fork copy the whole descriptor array. */
#ifndef GC_HIGHFD_H
#define GC_HIGHFD_H

#include <stdbool.h>

/* A copy of fd in such a place (close-on-exec unless keep_on_exec), or -1.
 * fd itself stays open.  errno is left as it was. */
int gc_fd_copy_high(int fd, bool keep_on_exec);

#endif
