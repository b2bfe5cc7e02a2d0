/* clipboard.c - OSC 52 sequences (see clipboard.h). */
#include <stdio.h>
#include <string.h>

#include "tui/clipboard.h"

size_t
clipboard_base64(char *dst, size_t size, const unsigned char *src, size_t n)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t need = (n + 2) / 3 * 4, o = 0;

	if (need + 1 > size)
		return 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)src[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)src[i + 1] << 8;
		if (i + 2 < n)
			v |= src[i + 2];
		dst[o++] = abc[(v >> 18) & 63];
		dst[o++] = abc[(v >> 12) & 63];
		dst[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		dst[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	dst[o] = '\0';
	return o;
}

size_t
clipboard_osc52(char *dst, size_t size, const char *text, bool tmux)
{
	char b64[CLIPBOARD_MAX / 3 * 4 + 8];
	size_t n = text ? strlen(text) : 0;
	int len;

	if (!n || n > CLIPBOARD_MAX
	    || !clipboard_base64(b64, sizeof b64, (const unsigned char *)text, n))
		return 0;
	if (tmux)
		len = snprintf(dst, size, "\033Ptmux;\033\033]52;c;%s\a\033\\", b64);
	else
		len = snprintf(dst, size, "\033]52;c;%s\a", b64);
	if (len < 0 || (size_t)len >= size) {
		if (size)
			dst[0] = '\0';
		return 0;
	}
	return (size_t)len;
}
