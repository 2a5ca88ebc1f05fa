/* mode.h - pass-through: the library makes no syscall of its own.
 *
 * A seccomp filter may kill the program at the first syscall it never made
 * (getsockopt, ioctl, ppoll), or refuse it so that every linger runs to its
 * timeout: once a filter is in force (inherited, or installed through
 * prctl / seccomp), every close is the plain close. */
#ifndef GC_MODE_H
#define GC_MODE_H

#include <stdbool.h>

bool gc_passthrough(void);
void gc_set_passthrough(void);

/* At load: a filter inherited from the parent ("Seccomp:" in status). */
void gc_mode_read_status(void);

#endif
