/* cmd_login.c - remote mode's credentials: `tenantry --url URL login EMAIL`
 * signs in to tenantryd and keeps the token under
 * $XDG_STATE_HOME/tenantry/ (default ~/.local/state/tenantry/), one file
 * per server URL, mode 0600; `logout` removes it. Every other command run
 * with --url finds its token there unless --token-file or TENANTRY_TOKEN
 * names one. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/json.h"
#include "store/remote.h"
#include "tui/tui.h"

#define TOKEN_MAX 8192

static char *loaded_token;          /* the token commands use, for the process */
static char saved_email[EMAIL_LEN]; /* of the token `login` saved, even expired */
static bool from_saved;             /* the token is the one `login` saved */
static struct cli *console_cli;     /* the console's, to save a new token */

/* $XDG_STATE_HOME/tenantry, or ~/.local/state/tenantry. */
static int
state_dir(char *out, size_t size)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(out, size, "%s/tenantry", xdg);
	else if (home && *home)
		n = snprintf(out, size, "%s/.local/state/tenantry", home);
	else
		return -1;
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* The URL without trailing slashes: http://h:1/ and http://h:1 are one
 * server. */
static void
url_key(char *out, size_t size, const char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	snprintf(out, size, "%.*s", (int)n, url);
}

/* The token file of url: its readable form plus a hash of the exact URL,
 * so two URLs that read alike never share a file. */
static int
token_path(char *out, size_t size, const char *url)
{
	char dir[PATH_MAX], key[512], name[128];
	uint32_t h = 2166136261u;
	size_t i, n = 0;

	if (state_dir(dir, sizeof dir) < 0)
		return -1;
	url_key(key, sizeof key, url);
	for (i = 0; key[i]; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	for (i = 0; key[i] && n < 80; i++) {
		char ch = key[i];

		name[n++] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
			     || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
				? ch
				: '_';
	}
	name[n] = '\0';
	n = (size_t)snprintf(out, size, "%s/token-%s-%08x.json", dir, name, (unsigned)h);
	return n < size ? 0 : -1;
}

/* mkdir -p, owner only for what it creates. */
static int
make_dirs(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Writes the file through a temporary one created 0600, then renames:
 * the token is never readable by others, not even for a moment. */
static int
write_private(const char *path, const char *text)
{
	char tmp[PATH_MAX + 32];
	size_t len = strlen(text);
	int fd, rc = 0;

	snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		rc = -1;
	if (close(fd) < 0 || rc < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
save_token(struct cli *c, const char *path, const struct remote_login *l)
{
	char dir[PATH_MAX], key[512];
	json_t *j;
	char *text;
	int rc;

	url_key(key, sizeof key, c->url);
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "url", key, "email", l->email, "kind",
		      l->kind, "role", l->role, "expires_at", time_to_json(l->expires_at), "token",
		      l->token);
	text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	if (!text)
		return err_set(&c->err, ERR_INTERNAL, "out of memory");
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	rc = make_dirs(dir) < 0 ? -1 : write_private(path, text);
	memset(text, 0, strlen(text));
	free(text);
	if (rc < 0)
		return err_set(&c->err, ERR_INTERNAL, "cannot save the token in %s: %s", path,
			       strerror(errno));
	return 0;
}

/* ---- login and logout ----------------------------------------------------- */

static void
print_login(struct cli *c, const struct remote_login *l, const char *path)
{
	char until[32];

	if (c->json) {
		json_print(json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "url", c->url, "email",
				     l->email, "kind", l->kind, "role", l->role, "expires_at",
				     time_to_json(l->expires_at), "token_file", path));
		return;
	}
	printf("signed in to %s as %s (%s%s%s), token valid until %s\n", c->url, cli_safe(l->email),
	       l->kind, *l->role ? " " : "", cli_safe(l->role), fmt_time(until, l->expires_at));
	printf("token saved in %s\n", path);
}

int
cmd_login(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "password-file", 1 }, { "totp", 1 }, { "tenant", 1 } };
	struct remote_login l;
	char pw[256], path[PATH_MAX];
	int n, rc;

	if (argc && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		puts("usage: tenantry --url URL login EMAIL [--password-file F] [--totp CODE]\n"
		     "                                      [--tenant TENANT]\n"
		     "Signs in to tenantryd and keeps the token for URL under\n"
		     "$XDG_STATE_HOME/tenantry/ (mode 0600). Without --password-file the\n"
		     "password is read from the terminal without echo.");
		return 0;
	}
	n = opt_parse("login ", argc, argv, o, NOPTS(o));
	if (n < 0)
		return EXIT_USAGE;
	if (n != 1)
		return cli_usage("login ", "needs one EMAIL");
	if (!c->url || !*c->url)
		return cli_usage("login ", "signs in to a server: give --url URL");
	if (token_path(path, sizeof path, c->url) < 0) {
		fputs("tenantry: no place for the token: set HOME or XDG_STATE_HOME\n", stderr);
		return EXIT_USAGE;
	}
	if (cli_read_password(opt_get(o, NOPTS(o), "password-file"), "Password: ", pw, sizeof pw)
	    < 0)
		return 66;
	rc = remote_login(&l, c->url, argv[0], pw, opt_get(o, NOPTS(o), "totp"),
			  opt_get(o, NOPTS(o), "tenant"), &c->err);
	memset(pw, 0, sizeof pw);
	if (rc < 0)
		return cli_fail(c);
	if (save_token(c, path, &l) < 0) {
		remote_login_clear(&l);
		return cli_fail(c);
	}
	print_login(c, &l, path);
	remote_login_clear(&l);
	return 0;
}

int
cmd_logout(struct cli *c, int argc, char **argv)
{
	char path[PATH_MAX];

	if (argc && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		puts("usage: tenantry --url URL logout\n"
		     "Forgets the token saved for URL by `login`.");
		return 0;
	}
	if (argc)
		return cli_usage("logout ", "takes no arguments");
	if (!c->url || !*c->url)
		return cli_usage("logout ", "give --url URL");
	if (token_path(path, sizeof path, c->url) < 0)
		return cli_usage("logout ", "no place for tokens: set HOME or XDG_STATE_HOME");
	if (unlink(path) < 0 && errno != ENOENT) {
		fprintf(stderr, "tenantry: cannot remove %s: %s\n", path, strerror(errno));
		return 73;
	}
	printf("signed out of %s\n", c->url);
	return 0;
}

/* ---- the token of the other commands --------------------------------------------- */

/* Tokens loaded before the current one: the console may still hold them
 * (`:profile` loads another); wiped and freed at exit. */
static char *tokens_before[16];
static int ntokens_before;

static void
tokens_free(void)
{
	while (ntokens_before > 0) {
		char *t = tokens_before[--ntokens_before];

		explicit_bzero(t, strlen(t));
		free(t);
	}
}

/* Makes t the token commands use, keeping the one before. */
static void
token_replace(char *t)
{
	if (loaded_token && ntokens_before < 16) {
		if (ntokens_before == 0)
			atexit(tokens_free);
		tokens_before[ntokens_before++] = loaded_token;
	}
	loaded_token = t;
}

/* The first line of a file, for --token-file. */
static int
read_token_file(struct cli *c, const char *path)
{
	char buf[TOKEN_MAX];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return err_set(&c->err, ERR_BAD_REQUEST, "--token-file: cannot read %s: %s", path,
			       strerror(errno));
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!*buf)
		return err_set(&c->err, ERR_BAD_REQUEST, "--token-file: %s is empty", path);
	token_replace(strdup(buf));
	memset(buf, 0, sizeof buf);
	return loaded_token ? 0 : err_set(&c->err, ERR_INTERNAL, "out of memory");
}

static usec_t
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (usec_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* The saved token of c->url; none saved is not an error (the server then
 * says what it wants). A file others may read is refused, like ssh does. */
static int
read_saved_token(struct cli *c)
{
	char path[PATH_MAX], buf[TOKEN_MAX + 1024];
	struct stat sb;
	json_t *j;
	const char *token;
	usec_t expires = 0;
	bool valid;
	ssize_t n;
	int fd;

	if (token_path(path, sizeof path, c->url) < 0
	    || (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &sb) < 0 || (sb.st_mode & 077) || sb.st_uid != getuid()) {
		close(fd);
		return err_set(&c->err, ERR_FORBIDDEN,
			       "%s is readable by others or not "
			       "yours; remove it and log in again",
			       path);
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	j = json_loads(buf, 0, NULL);
	memset(buf, 0, sizeof buf);
	token = json_string_value(json_object_get(j, "token"));
	time_from_json(&expires, json_object_get(j, "expires_at"), "expires_at", NULL);
	if (json_is_string(json_object_get(j, "email")))
		snprintf(saved_email, sizeof saved_email, "%s",
			 json_string_value(json_object_get(j, "email")));
	from_saved = true;
	valid = token && *token;
	if (valid && (!expires || expires > now_us()))
		token_replace(strdup(token));
	json_decref(j); /* token is gone from here on */
	if (!valid)
		return err_set(&c->err, ERR_BAD_REQUEST,
			       "%s is not a token file; "
			       "remove it and log in again",
			       path);
	if (!loaded_token)
		return err_set(&c->err, ERR_UNAUTHORIZED,
			       "the saved token for %s has "
			       "expired; log in again: tenantry --url %s login EMAIL",
			       c->url, c->url);
	return 0;
}

int
cli_remote_token(struct cli *c)
{
	const char *env = getenv("TENANTRY_TOKEN");

	if (!c->url || !*c->url || c->token)
		return 0;
	if (c->token_file) {
		if (read_token_file(c, c->token_file) < 0)
			return -1;
	} else if (env && *env) {
		c->token = env;
		return 0;
	} else if (read_saved_token(c) < 0) {
		return -1;
	}
	c->token = loaded_token;
	return 0;
}

/* ---- the console signing in again ---------------------------------------------- */

/* The "email" claim of a JWT, without checking it (only to prefill the
 * console's sign-in); "" when it has none. */
static void
token_email(char *out, size_t size, const char *token)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = token ? strchr(token, '.') : NULL;
	char raw[4096];
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;
	json_t *j;

	out[0] = '\0';
	if (!p)
		return;
	for (p++; *p && *p != '.' && n + 1 < sizeof raw; p++) {
		const char *at = strchr(abc, *p);

		if (!at || !*p)
			return;
		acc = (acc << 6) | (unsigned)(at - abc);
		if ((bits += 6) >= 8) {
			bits -= 8;
			raw[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	raw[n] = '\0';
	j = json_loads(raw, 0, NULL);
	if (json_is_string(json_object_get(j, "email")))
		snprintf(out, size, "%s", json_string_value(json_object_get(j, "email")));
	json_decref(j);
}

static int
console_sign_in(const char *url, const char *email, const char *password, const char *totp,
		char **token, struct err *e)
{
	struct remote_login l;
	char path[PATH_MAX];

	*token = NULL;
	if (remote_login(&l, url, email, password, totp, NULL, e) < 0) {
		if (strstr(e->message, "second factor"))
			snprintf(e->field, sizeof e->field, "code");
		return -1;
	}
	/* the next run finds the new token where `login` keeps it */
	if (from_saved && console_cli && token_path(path, sizeof path, url) == 0)
		save_token(console_cli, path, &l);
	*token = strdup(l.token);
	remote_login_clear(&l);
	return *token ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
}

void
cli_console_sign_in(struct cli *c, struct console_options *o)
{
	static char account[EMAIL_LEN];

	if (!c->url || !*c->url)
		return;
	console_cli = c;
	o->sign_in = console_sign_in;
	token_email(account, sizeof account, c->token);
	if (!account[0])
		snprintf(account, sizeof account, "%s", saved_email);
	o->account = account;
}
