/* conffile.h - what the keymap and theme files share: reading a file,
 * splitting lines into words, reporting bad lines as "file:line: message"
 * and finding a named file in the user's, the environment's and the
 * installed directory. */
#ifndef TENANTRY_CONFFILE_H
#define TENANTRY_CONFFILE_H

#include <stddef.h>

#define CONF_LINE_MAX 1024 /* longest line, newline excluded */
#define CONF_FILE_MAX (1 << 20)

typedef void (*conf_report_fn)(void *ctx, const char *message);

/* Where a complaint comes from, and how many there were. */
struct conf_reader {
	const char *name;
	int line;
	int errors;
	conf_report_fn report;
	void *ctx;
};

/* Counts an error and reports "name:line: message". */
void
conf_complain(struct conf_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Splits line in place at blanks; returns the number of words (at most max
 * are stored, more are counted). */
int conf_split(char *line, char **word, int max);

/* Calls fn for every line of text (CR LF accepted); overlong lines are
 * reported and skipped. Returns the number of bad lines. */
typedef void (*conf_line_fn)(void *obj, struct conf_reader *r, char *line);
int conf_load_string(const char *name, const char *text, conf_line_fn fn, void *obj,
		     conf_report_fn report, void *ctx);

/* The same for a file; -1 (reported as "path: reason") when unreadable or
 * larger than CONF_FILE_MAX. */
int conf_load_file(const char *path, conf_line_fn fn, void *obj, conf_report_fn report, void *ctx);

/* $XDG_CONFIG_HOME/tenantry/<rest>, else $HOME/.config/tenantry/<rest>. */
int conf_user_path(char *buf, size_t size, const char *rest);

/* Finds <name><ext>: a name with a '/' is a path; otherwise the user's
 * <sub> directory, then $<envdir>, then the installed TENANTRY_DATADIR/<sub>
 * (compiled in by make), then dir (relative: the source tree, for make run
 * and the tests). 0 when readable. */
int conf_find(const char *name, const char *sub, const char *ext, const char *envdir,
	      const char *dir, char *buf, size_t size);

#endif
