/* audit_run.h - 'graceclose --audit -- CMD': run CMD (its environment
 * already holds the preload and the GRACECLOSE_* settings), wait for it
 * and for the descendants it leaves behind, then print the table of every
 * record the run wrote. */
#ifndef GC_AUDIT_RUN_H
#define GC_AUDIT_RUN_H

/* Where the records go: the user's --log FILE (kept; only what this run
 * appends is read), or NULL for a private file removed afterwards.
 * Sets GRACECLOSE_LOG.  Returns 0, or an exit status on failure. */
int gc_audit_prepare(const char *user_log);

/* Runs argv; returns its exit status as a shell would (128+N for a signal,
 * 126/127 when it cannot be run or found). */
int gc_audit_run(char **argv);

#endif
