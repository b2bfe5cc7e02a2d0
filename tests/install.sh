#!/usr/bin/env bash
# install.sh - make install and make uninstall, as make check runs them:
#
#  - make install DESTDIR=$tmp/dest PREFIX=/usr puts every file where a
#    package would (binaries, manual pages, themes, keymaps, e-mail
#    templates, completions, the unit, the example configuration) and make uninstall with the same
#    variables leaves no file behind;
#  - an install under PREFIX=$tmp/prefix (no DESTDIR, so the compiled-in
#    data directory is where the files are) runs from another directory:
#    the console opens with --theme light --keymap emacs without "not
#    found", where a theme that is not installed is reported, and
#    tenantryd finds its e-mail templates;
#  - the unit passes systemd-analyze verify, when that is installed.
#
#   tests/install.sh            from anywhere; builds into its own directory
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/tenantry-install.XXXXXX)
sock=tenantry-install-$$
chmod 755 "$tmp"
cleanup() {
	for n in 1 2; do tmux -L "$sock-$n" kill-server 2>/dev/null || true; done
	"$here/tests/pg.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "install.sh: $*" >&2
	exit 1
}
mk() { make -s --no-print-directory -C "$here" -j2 BUILD="$tmp/build" "$@"; }

# 1. a staged install, as a package does it
mk install DESTDIR="$tmp/dest" PREFIX=/usr >/dev/null
for f in usr/bin/tenantry usr/bin/tenantryd usr/share/man/man1/tenantry.1 \
	usr/share/man/man8/tenantryd.8 usr/share/man/man5/tenantry-theme.5 \
	usr/share/man/man5/tenantry-keys.5 usr/share/tenantry/themes/light.theme \
	usr/share/tenantry/keymaps/emacs.keys usr/share/tenantry/mail/invitation.txt \
	usr/share/bash-completion/completions/tenantry \
	usr/share/bash-completion/completions/tenantryd usr/share/zsh/vendor-completions/_tenantry \
	usr/share/zsh/vendor-completions/_tenantryd usr/lib/systemd/system/tenantryd.service \
	etc/tenantry/tenantryd.conf.example; do
	[ -f "$tmp/dest/$f" ] || fail "make install did not write /$f"
done
grep -q '^ExecStart=/usr/bin/tenantryd$' "$tmp/dest/usr/lib/systemd/system/tenantryd.service" ||
	fail "the unit does not start /usr/bin/tenantryd"
grep -q '/etc/tenantry/' "$tmp/dest/etc/tenantry/tenantryd.conf.example" ||
	fail "the example configuration does not name /etc/tenantry"
if command -v systemd-analyze >/dev/null; then
	# verify looks for the binary the unit names: the staged one
	mkdir -p "$tmp/unit"
	sed "s|^ExecStart=/usr/bin/|ExecStart=$tmp/dest/usr/bin/|" \
		"$tmp/dest/usr/lib/systemd/system/tenantryd.service" >"$tmp/unit/tenantryd.service"
	out=$(systemd-analyze verify --man=no "$tmp/unit/tenantryd.service" 2>&1) ||
		fail "systemd-analyze verify: $out"
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
	out=$(systemd-analyze security --offline=yes "$tmp/unit/tenantryd.service" 2>&1 | tail -1)
	grep -Eq 'exposure level .*(PERFECT|SAFE|OK)' <<<"$out" ||
		fail "systemd-analyze security: $out"
fi
bash -n "$tmp/dest/usr/share/bash-completion/completions/tenantry" ||
	fail "the bash completion does not parse"
# the completion offers subcommands
words=$(bash -c 'source "$1"; COMP_WORDS=(tenantry tenants pu); COMP_CWORD=2;
	_tenantry; echo "${COMPREPLY[*]}"' _ "$tmp/dest/usr/share/bash-completion/completions/tenantry")
[ "$words" = purge-due ] || fail "bash completion of 'tenantry tenants pu': '$words'"
mk uninstall DESTDIR="$tmp/dest" PREFIX=/usr >/dev/null
left=$(find "$tmp/dest" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"

# 2. an install that runs: the data directory is found from elsewhere, by
# a console on a database of its own
mk install PREFIX="$tmp/prefix" >/dev/null
port=$(PG_FSYNC=off "$here/tests/pg.sh" start "$tmp/pg")
db="host=$tmp/pg/run port=$port user=postgres dbname=postgres"
"$tmp/prefix/bin/tenantry" --db "$db" migrate >/dev/null
cd /
"$tmp/prefix/bin/tenantry" -V | grep -q '^tenantry ' || fail "tenantry -V"
"$tmp/prefix/bin/tenantryd" --version | grep -q '^tenantryd ' || fail "tenantryd --version"
console() { # N THEME: console N (a tmux server of its own) on THEME; its screen
	local s=$sock-$1
	tmux -L "$s" -f /dev/null new-session -d -x 100 -y 30 \
		"cd / && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color HOME=$tmp \
		 XDG_CONFIG_HOME=$tmp/none TENANTRY_THEMES_DIR= TENANTRY_KEYMAPS_DIR= \
		 $tmp/prefix/bin/tenantry --db '$db' --as platform \
		 --theme $2 --keymap emacs; echo console exited \$?; sleep 60"
	for _ in $(seq 100); do
		screen=$(tmux -L "$s" capture-pane -p 2>/dev/null || true)
		grep -q tenantry <<<"$screen" && break
		sleep 0.1
	done
	sleep 0.5
	tmux -L "$s" capture-pane -p
	tmux -L "$s" kill-server 2>/dev/null || true
}
screen=$(console 1 nosuch-theme)
grep -q "theme 'nosuch-theme' not found" <<<"$screen" ||
	fail "a missing theme was not reported; the screen: $screen"
screen=$(console 2 light)
grep -q tenantry <<<"$screen" || fail "the installed console did not start: $screen"
! grep -q "not found" <<<"$screen" || fail "installed data not found: $screen"
# tenantryd finds the installed e-mail templates (and stops later, at the
# missing JWT secret: nothing listens)
head -c 32 /dev/urandom >"$tmp/master.key"
chmod 600 "$tmp/master.key"
out=$(env HOME="$tmp" XDG_CONFIG_HOME="$tmp/none" "$tmp/prefix/bin/tenantryd" --config /dev/null \
	--db dbname=none --smtp-url smtp://127.0.0.1:9 --smtp-allow-plain-loopback 1 \
	--smtp-from noreply@example.test --mail-link-base https://app.example.test \
	--master-key-file "$tmp/master.key" 2>&1) && fail "tenantryd started without a JWT secret"
grep -q "jwt-secret-file" <<<"$out" && ! grep -q "e-mail template" <<<"$out" ||
	fail "the installed tenantryd did not find its e-mail templates: $out"
cd "$here"
mk uninstall PREFIX="$tmp/prefix" >/dev/null
left=$(find "$tmp/prefix" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "install: make install, the installed console, make uninstall: ok"
