/* owner.h - which process is this: the vfork-like child test. */
#ifndef GC_OWNER_H
#define GC_OWNER_H

#include <stdbool.h>

/* Cached at load and in every child the library sees made; compared with
 * getpid() to spot a vfork-like child, which shares our memory and must
 * neither act nor write. */
void gc_owner_set_pid(void);
bool gc_in_foreign_child(void);

/* This process's pid, asked of the kernel once per process. */
int gc_owner_pid(void);

/* In a fork child the library saw made (atfork, _Fork, clone). */
void gc_owner_forked(void);

/* Forks between the process that loaded us and this one: a value kept in
 * memory this process inherited says "mine" only when it matches. */
unsigned gc_owner_generation(void);

/* A child that shares our memory is about to be made (vfork, CLONE_VM);
 * parent_waits: CLONE_VFORK, the parent sleeps until the child is gone. */
void gc_owner_vfork_begins(bool parent_waits);

/* The program made a thread, or a process that shares our descriptor
 * table (pthread_create, clone with CLONE_FILES): from now on a linger
 * first looks for a thread blocked reading the socket.  A fork child starts
 * with one thread again. */
void gc_owner_threads_begin(void);
bool gc_owner_has_threads(void);

/* Could a descriptor the library cannot see (an io_uring instance, made by
 * raw system calls) outlive this process?  Not one it made itself, unless
 * a copy went elsewhere: a descriptor inherited over exec that may be one
 * (an anonymous inode), a child made since (fork, clone, spawn: it copies
 * or shares the table), descriptors sent with SCM_RIGHTS.  Each of those
 * calls gc_owner_table_shared(); a fork child starts with it set. */
void gc_owner_table_shared(void);
bool gc_owner_table_private(void);

#endif
