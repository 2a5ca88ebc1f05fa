/* precheck.h - before running a program: can graceclose work in it?
 * One line on stderr for each reason it cannot: a static binary, a Go
 * binary, setuid/setgid or file capabilities (secure execution drops
 * LD_PRELOAD).  A script is judged by its interpreter. */
#ifndef GC_PRECHECK_H
#define GC_PRECHECK_H

/* Checks the program execvp(name) would run; returns the number of lines
 * printed (0: nothing against it, or it could not be looked at). */
int gc_precheck(const char *name);

#endif
