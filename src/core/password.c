/* password.c - the password policy (password.h): length, UTF-8 and a
 * built-in list of the passwords people choose most, matched after the
 * decorations that do not make them any harder to guess. */
#include "core/password.h"

#include <ctype.h>
#include <string.h>

#include "core/validate.h"

/* Lower case, letters as typed: each is also matched with trailing
 * digits and punctuation, leet digits (p4ssw0rd) and repetitions
 * (qwertyqwerty) taken off, so "Password2024!" is "password". */
static const char *const common[] = {
	"123qwe",       "1q2w3e",     "1q2w3e4r",    "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx",
	"1qaz2wsx3edc", "abc",        "abcdef",      "access",     "admin",        "administrator",
	"adobe",        "angel",      "apple",       "arsenal",    "asdf",         "asdfgh",
	"asdfghjkl",    "asshole",    "autumn",      "baby",       "babygirl",     "bailey",
	"barcelona",    "baseball",   "basketball",  "batman",     "biteme",       "blessed",
	"buster",       "business",   "butterfly",   "changeme",   "charlie",      "chelsea",
	"cheese",       "chocolate",  "christ",      "company",    "computer",     "cookie",
	"corvette",     "cowboys",    "daniel",      "database",   "default",      "december",
	"dragon",       "eagles",     "family",      "ferrari",    "football",     "forever",
	"fortnite",     "freedom",    "friday",      "friends",    "fuckyou",      "ginger",
	"goodluck",     "google",     "guest",       "hello",      "helloworld",   "heaven",
	"hockey",       "hunter",     "iloveyou",    "internet",   "ironman",      "january",
	"jennifer",     "jesus",      "jessica",     "jordan",     "killer",       "lakers",
	"letmein",      "linux",      "liverpool",   "login",      "love",         "lovely",
	"loveme",       "manchester", "master",      "matrix",     "maverick",     "mercedes",
	"michael",      "microsoft",  "minecraft",   "monday",     "money",        "monkey",
	"mustang",      "myspace",    "mysql",       "naruto",     "nintendo",     "office",
	"oracle",       "p@ssword",   "p@ssw0rd",    "pass",       "passphrase",   "passwd",
	"password",     "pepper",     "playstation", "pokemon",    "postgres",     "princess",
	"private",      "qazwsx",     "qwer",        "qwerty",     "qwertyuiop",   "ranger",
	"robert",       "root",       "samsung",     "secret",     "secure",       "security",
	"shadow",       "soccer",     "spiderman",   "spring",     "starwars",     "steelers",
	"summer",       "sunday",     "sunshine",    "superman",   "sweetheart",   "tenantry",
	"test",         "tester",     "testing",     "thomas",     "toor",         "trustno",
	"trustno1",     "ubuntu",     "user",        "welcome",    "whatever",     "winter",
	"xbox",         "yankees",    "zaq12wsx",    "zelda",      "zxcv",         "zxcvbnm",
};

/* Keyboard and counting runs: any part of one is common. */
static const char *const runs[] = {
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
	"zyxwvutsrqponmlkjihgfedcbazyxwvutsrqponmlkjihgfedcba",
	"qwertyuiopasdfghjklzxcvbnm",
	"mnbvcxzlkjhgfdsapoiuytrewq",
	"01234567890123456789012345678901234567890",
	"98765432109876543210987654321098765432109",
	"qazwsxedcrfvtgbyhnujmikolp",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
};

size_t
password_common_count(void)
{
	return sizeof common / sizeof common[0];
}

/* The shortest prefix s is a repetition of (s itself when none). */
static void
unrepeat(char *s)
{
	size_t n = strlen(s);

	for (size_t k = 1; k < n; k++) {
		size_t i;

		if (n % k)
			continue;
		for (i = k; i < n && s[i] == s[i - k]; i++)
			;
		if (i == n) {
			s[k] = '\0';
			return;
		}
	}
}

static int
listed(const char *s)
{
	if (!*s)
		return 0;
	for (size_t i = 0; i < password_common_count(); i++)
		if (strcmp(s, common[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
		if (strstr(runs[i], s))
			return 1;
	return 0;
}

/* The candidate as typed (lower case), and again without repetition. */
static int
listed_forms(char *s)
{
	if (listed(s))
		return 1;
	unrepeat(s);
	return listed(s);
}

static char
unleet(char c)
{
	static const char from[] = "@4310$57!", to[] = "aaeiossti";
	const char *p = strchr(from, c);

	return c && p ? to[p - from] : c;
}

int
password_is_common(const char *pw)
{
	char s[PASSWORD_MAX_BYTES + 1], core[PASSWORD_MAX_BYTES + 1];
	size_t n = 0, m;

	if (!pw)
		return 1;
	for (; pw[n] && n < PASSWORD_MAX_BYTES; n++)
		s[n] = (char)tolower((unsigned char)pw[n]);
	s[n] = '\0';
	memcpy(core, s, n + 1);
	if (listed_forms(s))
		return 1;
	/* Decorations off: trailing digits and punctuation, then leet. */
	for (m = n; m > 0
		    && (isdigit((unsigned char)core[m - 1]) || ispunct((unsigned char)core[m - 1])
			|| core[m - 1] == ' ');
	     m--)
		;
	if (m == 0)
		return 0; /* digits and punctuation only: the runs matched above */
	core[m] = '\0';
	memcpy(s, core, m + 1);
	if (listed_forms(s))
		return 1;
	for (size_t i = 0; i < m; i++)
		core[i] = unleet(core[i]);
	return listed_forms(core);
}

/* Characters (code points) of valid UTF-8 s. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
password_check(const char *pw, const char *field, struct err *e)
{
	if (!pw || !*pw)
		return err_field(e, field, "a password is required");
	if (strlen(pw) > PASSWORD_MAX_BYTES)
		return err_field(e, field, "%s longer than %d bytes", field, PASSWORD_MAX_BYTES);
	if (validate_utf8(pw, field, e) < 0)
		return -1;
	if (utf8_chars(pw) < PASSWORD_MIN_CHARS)
		return err_field(e, field, "%s shorter than %d characters", field,
				 PASSWORD_MIN_CHARS);
	if (password_is_common(pw))
		return err_field(e, field,
				 "%s is too common: choose one that is not on the lists "
				 "of passwords people use most",
				 field);
	return 0;
}
