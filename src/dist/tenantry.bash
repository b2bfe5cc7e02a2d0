# bash completion for tenantry(1): commands, their subcommands, options.
_tenantry()
{
	local cur prev words cword
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local globals="--db --url --profile --token-file --master-key-file --as --json --read-only
		--no-color --theme --keymap --tenant --no-mouse --help --version"
	local commands="migrate demo tenants tiers users invite quota usage settings
		features apikey audit alerts metrics jobs export operator staff view-as doctor login logout"
	case $prev in
	--db | --url) return ;;
	--token-file | --master-key-file | --password-file | --output)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-p | --profile)
		COMPREPLY=($(compgen -W "$(sed -n 's/^[[:space:]]*profile[[:space:]]\+\([^[:space:]]*\).*/\1/p' \
			"${XDG_CONFIG_HOME:-$HOME/.config}/tenantry/profiles" 2>/dev/null)" -- "$cur"))
		return ;;
	--as) COMPREPLY=($(compgen -W "platform support oncall tenant:" -- "$cur")); return ;;
	--theme) COMPREPLY=($(compgen -W "default light high-contrast mono" -- "$cur")); return ;;
	--keymap) COMPREPLY=($(compgen -W "default emacs" -- "$cur")); return ;;
	--tier) COMPREPLY=($(compgen -W "free basic professional business enterprise" -- "$cur")); return ;;
	--role) COMPREPLY=($(compgen -W "admin manager member viewer platform_admin support oncall" -- "$cur")); return ;;
	--sort) COMPREPLY=($(compgen -W "name tier status health usage created" -- "$cur")); return ;;
	esac
	# the command and its subcommand: the first words that are not options
	local i cmd= sub=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--db | --url | -p | --profile | --token-file | --master-key-file | --as | --theme | --keymap | --tenant) ((i++)) ;;
		-*) ;;
		*) if [ -z "$cmd" ]; then cmd=${words[i]}; elif [ -z "$sub" ]; then sub=${words[i]}; fi ;;
		esac
	done
	if [[ $cur == -* ]]; then
		local opts=
		case $cmd in
		tenants) opts="--filter --tier --status --sort --desc --limit --after --all --name
			--admin-email --admin-name --slug --domain --trial --billing-email
			--billing-status --phone --timezone --locale --force" ;;
		users) opts="--role --inactive" ;;
		invite) opts="--name --password-file" ;;
		settings) opts="--reveal --type" ;;
		apikey) opts="--name --scopes --expires" ;;
		usage) opts="--days" ;;
		audit) opts="--after --limit --action --actor --since" ;;
		alerts) opts="--all" ;;
		view-as) opts="--role --member --reason --minutes" ;;
		export) opts="--output" ;;
		demo) opts="--tenants --seed --live" ;;
		operator) opts="--password-file" ;;
		staff) opts="--role --password-file" ;;
		doctor) opts="--citus" ;;
		login) opts="--password-file --totp --tenant" ;;
		account) opts="--mail --password-file" ;;
		esac
		COMPREPLY=($(compgen -W "$globals $opts" -- "$cur"))
		return
	fi
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	fi
	[ -n "$sub" ] && return
	local subs=
	case $cmd in
	tenants) subs="list show create update suspend resume delete restore tier health
		health-refresh purge-due certificate" ;;
	tiers) subs="list" ;;
	users) subs="list role activate deactivate remove" ;;
	invite) subs="list resend revoke accept" ;;
	quota) subs="list set check" ;;
	usage) subs="daily add" ;;
	settings) subs="list get set delete" ;;
	features) subs="list set" ;;
	apikey) subs="list create revoke" ;;
	audit) subs="list tail verify" ;;
	alerts) subs="list ack" ;;
	view-as) subs="list start end" ;;
	staff) subs="add" ;;
	jobs) subs="list run" ;;
	esac
	COMPREPLY=($(compgen -W "$subs" -- "$cur"))
}
complete -F _tenantry tenantry
