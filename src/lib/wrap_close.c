/* wrap_close.c - close(): a thin entry into the close pipeline. */
#include <unistd.h>

#include "closepath.h"
#include "gc.h"

GC_EXPORT int close(int fd)
{
    return gc_close(fd);
}
