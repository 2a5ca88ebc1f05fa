/* progcheck.h - which processes a program name in the config file will
 * match, for 'graceclose check' and 'graceclose explain'.
 *
 * The library matches a name against the process name (ps,
 * /proc/PID/comm), argv[0]'s base name and the real executable's base
 * name.  A name found nowhere in PATH (and the sbin directories) is
 * probably a typo; a name that is a link to another executable (Debian's
 * redis-server -> redis-check-rdb) matches processes started by either
 * name. */
#ifndef GC_PROGCHECK_H
#define GC_PROGCHECK_H

#include <stdio.h>

#include "config.h"

/* One note or warning line for each program name of the file worth one;
 * none of them counts as a problem. */
void gc_prog_notes(const struct gc_config *cfg, FILE *out);

/* For explain: the names a process started as 'name' goes by, as the
 * library gathers them ("name/target" when name is a link), into out
 * (GC_NAME_MAX * 2 bytes); prints one line saying so. */
void gc_prog_names(const char *name, char *out, size_t cap, FILE *say);

#endif
