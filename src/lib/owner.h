/* owner.h - which process is this: the vfork-like child test. */
#ifndef GC_OWNER_H
#define GC_OWNER_H

#include <stdbool.h>

/* Cached at load and in every child the library sees made; compared with
 * getpid() to spot a vfork-like child, which shares our memory and must
 * neither act nor write. */
void gc_owner_set_pid(void);
bool gc_in_foreign_child(void);

#endif
