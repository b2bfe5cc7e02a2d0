/* config.h - tenantryd's configuration (config.c): the file, the
 * environment and the command line, in that order of precedence from
 * lowest to highest, and the reload on SIGHUP. */
#ifndef TENANTRY_CONFIG_H
#define TENANTRY_CONFIG_H

#include "server/server.h"

/* sysexits(3): a bad option; a bad configuration file or variable. */
#define CONFIG_EXIT_USAGE 64
#define CONFIG_EXIT_CONFIG 78

/* Fills cfg from the defaults, the configuration file (--config FILE, which
 * must exist, or SYSCONFDIR/tenantry/tenantryd.conf, which may not), the
 * TENANTRYD_* variables and argv (--help and --version are the caller's).
 * 0, or the exit status after printing "file:line: message" or the bad
 * option to stderr. The strings stay valid for the process's life. */
int config_load(struct server_config *cfg, int argc, char **argv);
/* The configuration file's path (read or not). */
const char *config_file(void);
/* Reads the file and the environment again (the command line still wins)
 * and applies what can change while running: log-level, log-format,
 * request-timeout, max-body; logs what changed and what needs a restart.
 * A bad line is logged and nothing changes. */
void config_reload(struct server_config *cfg);

#endif
