#!/usr/bin/env bash
# lint.sh - what make check holds the tree to before any suite runs:
#
#  - layers point down: src/core includes nothing of the other layers;
#    src/store only core and store; src/tui and src/server only
#    store/store.h of the store; src/cli none of a backend's insides and
#    no curses header (it takes the console through tui/tui.h and plain
#    text through tui/termtext.h);
#  - no source file (src/, tests/) over 700 lines;
#  - every source file formatted as .clang-format says (clang-format
#    --dry-run; `make format` rewrites them). Multi-line macros (the
#    X-macro tables, SQL texts) are kept as written between
#    clang-format off and on.
#
#   tests/lint.sh            from the top of the tree; exit 1 naming each
#                            file:line that breaks a rule
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0

bad() {
	echo "$1" >&2
	fail=1
}

# includes: file:line:"header" of every quoted include and every <curses>
while IFS=: read -r file line text; do
	hdr=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' <<<"$text")
	dir=${file#src/}
	dir=${dir%%/*}
	case "$dir:$hdr" in
	core:core/*) ;;
	core:*) bad "$file:$line: core includes $hdr: core depends on nothing above it" ;;
	store:core/* | store:store/*) ;;
	store:*) bad "$file:$line: the store includes $hdr from a layer above it" ;;
	tui:core/* | tui:store/store.h | tui:tui/* | tui:conf_embed.h) ;;
	server:core/* | server:store/store.h | server:server/*) ;;
	tui:* | server:*) bad "$file:$line: $dir includes $hdr: only store/store.h of the store, nothing of the other front ends" ;;
	cli:store/store_pg.h | cli:store/store_rest.h)
		bad "$file:$line: the command line includes $hdr: a backend's insides" ;;
	cli:core/* | cli:store/* | cli:cli/*) ;;
	cli:tui/tui.h | cli:tui/termtext.h | cli:tui/conffile.h) ;;
	cli:*) bad "$file:$line: the command line includes $hdr: of the console only tui/tui.h, tui/termtext.h and tui/conffile.h" ;;
	esac
done < <(grep -n '^#include "' src/*/*.c src/*/*.h)
while IFS=: read -r file line _; do
	bad "$file:$line: the command line includes a curses header"
done < <(grep -n '^#include <\(n\|panel\)\?curses' src/cli/*.c src/cli/*.h)

# length
while read -r n file; do
	[ "$file" = total ] && continue
	[ "$n" -gt 700 ] && bad "$file:$n: over 700 lines: split it by what its parts are about"
done < <(wc -l src/*/*.c src/*/*.h tests/*.c tests/*.h tests/*/*.c tests/*/*.h)

# formatting
if command -v clang-format >/dev/null; then
	for f in src/*/*.[ch] tests/*.[ch] tests/*/*.[ch]; do
		clang-format --dry-run --Werror "$f" >/dev/null 2>&1 ||
			bad "$f:1: not formatted as .clang-format says (make format)"
	done
else
	bad "clang-format is not installed (make deps installs it)"
fi

exit "$fail"
