/* journal.h - the command journal: every action taken in the console,
 * appended to $XDG_STATE_HOME/tenantry/journal (default
 * ~/.local/state/tenantry/journal; directory 0700, file 0600) as the
 * `tenantry` command line that does the same, shell-quoted, followed by a
 * comment with the time, the profile and the outcome:
 *
 *   tenantry -p prod tenants suspend acme  # 2026-12-07T19:04:11Z prod ok
 *
 * so that each line, pasted into a shell, does the same again. No curses
 * here. */
#ifndef TENANTRY_TUI_JOURNAL_H
#define TENANTRY_TUI_JOURNAL_H

#include <stddef.h>

/* Appends word to the malloc'd string *line (which may be NULL), after a
 * blank, quoted for a POSIX shell when it needs it ('it'\''s'). Aborts
 * when memory runs out. */
void journal_add_word(char **line, const char *word);
/* Appends text as it is (shell syntax the caller vouches for). */
void journal_add_raw(char **line, const char *text);

/* The journal's path into buf; -1 when neither XDG_STATE_HOME nor HOME
 * is set. */
int journal_path(char *buf, size_t size);

/* Appends one line per line of commands (several for one action: a bulk
 * invitation), each with "  # TIME PROFILE OUTCOME" (profile "-" when
 * none; outcome "ok" or "error: MESSAGE", control characters dropped),
 * creating the directory (0700) and the file (0600) when missing. A
 * commands of "" writes the comment alone (an action with no command line
 * equivalent). 0, or -1 with errno. */
int journal_append(const char *commands, const char *profile, const char *outcome);

/* The journal's last max_lines lines, newest last (malloc'd, the caller
 * frees), or NULL when there is no journal yet. */
char *journal_tail(int max_lines);

#endif
