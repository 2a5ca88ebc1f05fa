/* report.h - problems worth a person's attention (level warn): a bad
 * setting, a bad config line.
 *
 * Lines given before the log is set up (the config file and the
 * environment are read first) wait in a small static queue; gc_log_setup
 * writes them.  Config-file problems are bounded in every process: the
 * first GC_REPORT_CONFIG_SHOWN, then one line with the count and the
 * command that lists them all ('graceclose check').  Nothing is ever
 * written to fd 2 when it is a socket (an inetd-style service's client):
 * such lines go to syslog. */
#ifndef GC_REPORT_H
#define GC_REPORT_H

#define GC_REPORT_CONFIG_SHOWN 3

/* One line from the pieces (ending with NULL); long pieces are shortened. */
void gc_report(const char *first, ...) __attribute__((sentinel));

/* One problem of the config file ("file:line: reason"). */
void gc_report_config(const char *text);

/* Writes the queued lines; called by gc_log_setup. */
void gc_report_flush(void);

#endif
