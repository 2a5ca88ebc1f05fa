/* cmd_config.h - the config-file subcommands of the graceclose command.
 * main() hands 'graceclose check ...' and 'graceclose explain ...' here,
 * argv[0] being the subcommand's name; each returns the exit status. */
#ifndef GC_CMD_CONFIG_H
#define GC_CMD_CONFIG_H

int gc_cmd_check(int argc, char **argv);
int gc_cmd_explain(int argc, char **argv);

#endif
