/* clipboard.h - copying text to the terminal's clipboard with OSC 52
 * (ESC ] 52 ; c ; base64 BEL), which terminals honour over SSH as well,
 * and which tmux takes into its paste buffer (set-clipboard on) or passes
 * on to the terminal outside (wrapped in its DCS passthrough).
 *
 * Pure: it only builds the sequences; the console writes them straight to
 * the terminal (console_copy). */
#ifndef TENANTRY_TUI_CLIPBOARD_H
#define TENANTRY_TUI_CLIPBOARD_H

#include <stdbool.h>
#include <stddef.h>

/* Most text one copy takes (terminals and tmux refuse longer ones). */
#define CLIPBOARD_MAX 4096

/* The base64 (RFC 4648, padded) of the n bytes of src into dst; returns
 * its length, or 0 when it does not fit in size bytes (NUL included). */
size_t clipboard_base64(char *dst, size_t size, const unsigned char *src, size_t n);

/* The OSC 52 sequence that sets the clipboard to text into dst: plain
 * ("ESC ] 52 ; c ; ... BEL"), or, when tmux, the same sequence wrapped in
 * tmux's passthrough ("ESC P tmux ; ESC ESC ] 52 ; ... BEL ESC \") for the
 * terminal outside tmux. Returns its length, or 0 when text is empty,
 * longer than CLIPBOARD_MAX or the sequence does not fit. */
size_t clipboard_osc52(char *dst, size_t size, const char *text, bool tmux);

#endif
