/* stdio_flush.h - flushing the streams that write to tracked sockets. */
#ifndef GC_STDIO_FLUSH_H
#define GC_STDIO_FLUSH_H

/* stdout, stderr and fdopen'd streams whose descriptor is a tracked
 * socket; a stream locked by another thread is skipped, never waited for. */
void gc_flush_socket_streams(void);

#endif
