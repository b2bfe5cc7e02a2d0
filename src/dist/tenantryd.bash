# bash completion for tenantryd(8): its options and their values.
_tenantryd()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	--config | --port-file | --jwt-secret-file | --jwt-public-key | --jwt-private-key | --master-key-file | \
	--smtp-auth-file | --smtp-ca-file)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--mail-templates) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--log-level) COMPREPLY=($(compgen -W "error warn info debug" -- "$cur")); return ;;
	--log-format) COMPREPLY=($(compgen -W "logfmt json" -- "$cur")); return ;;
	--db | --db-direct | --listen | --jwt-issuer | --jwt-audience | --token-ttl | --db-pool | --threads | \
	--max-body | --max-connections | --max-per-ip | --timeout | --request-timeout | \
	--max-streams | --keepalive | --job-intervals | --job-poll | --job-lease | \
	--smtp-url | --smtp-from | --smtp-timeout | --mail-link-base | --mail-poll | --mail-retry-base | \
	--webhook-workers | --webhook-timeout | --webhook-lease | --webhook-retry-base | --webhook-give-up | \
	--webhook-disable-after) return ;;
	--jobs | --db-unnamed-statements | --smtp-allow-plain-loopback | --webhook-allow-loopback)
		COMPREPLY=($(compgen -W "0 1" -- "$cur")); return ;;
	esac
	COMPREPLY=($(compgen -W "--config --db --listen --port-file --jwt-secret-file
		--jwt-public-key --jwt-private-key --jwt-issuer --jwt-audience --token-ttl
		--master-key-file --db-pool --db-unnamed-statements --db-direct --threads --max-body --max-connections --max-per-ip
		--timeout --request-timeout --max-streams --keepalive --log-level --log-format
		--jobs --job-intervals --job-poll --job-lease --smtp-url --smtp-from --smtp-auth-file
		--smtp-ca-file --smtp-allow-plain-loopback --smtp-timeout --mail-link-base
		--mail-templates --mail-poll --mail-retry-base --webhook-workers --webhook-timeout
		--webhook-lease --webhook-retry-base --webhook-give-up --webhook-disable-after
		--webhook-allow-loopback --help --version" -- "$cur"))
}
complete -F _tenantryd tenantryd
