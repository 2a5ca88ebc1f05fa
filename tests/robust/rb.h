/* rb.h - pieces shared by the robustness helpers (tests/robust), on top of
 * the core helpers' hx.h. */
#ifndef GC_TEST_RB_H
#define GC_TEST_RB_H

#include <stddef.h>

/* A connected loopback TCP pair inside this process: *c connected to the
 * listener, *s the accepted end.  The listener is closed again. */
void rb_pair(int *c, int *s);

/* Reads from 'fd' until 'want' bytes, end of stream, an error or 'ms'
 * milliseconds; returns the bytes read and stores the end in *end
 * ("full", "eof", "reset", "timeout", "error:ENAME"). */
size_t rb_read_for(int fd, char *buf, size_t want, long ms, const char **end);

/* Installs fn as the SA_ONSTACK handler of sig on an alternate stack of
 * 'size' bytes (rounded up to whole pages) with a PROT_NONE guard page
 * below it, so a handler that needs more is SIGSEGV; returns the size. */
size_t rb_guarded_altstack(size_t size, int sig, void (*fn)(int));

#endif
