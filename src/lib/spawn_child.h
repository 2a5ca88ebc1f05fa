/* spawn_child.h - what a fork-like child the library sees made must do. */
#ifndef GC_SPAWN_CHILD_H
#define GC_SPAWN_CHILD_H

/* In the child: it is a process of its own now (pid cache), and the
 * lingers in flight, with their copies, belong to the parent. */
void gc_spawn_child_setup(void);

#endif
