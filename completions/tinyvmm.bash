# SPDX-License-Identifier: MIT
# bash completion for tinyvmm (installed by meson into bash-completion's
# completions directory; or source it from ~/.bashrc).
# tests/integration/docs.sh checks that it offers every long option of
# tinyvmm --help and tinyvmm compare --help, and drives it as bash would.
# Self-contained: it needs no bash-completion helpers.

_tinyvmm_opts='-k --kernel -i --initrd -p --cmdline -m --mem --hugepages
	-c --cpus --pin --no-pin -d --disk -n --net --dtb-out --host-info
	--bench --bench-only --iterations --warmup --json --tag
	--no-sve --sve= --no-ptrauth --ptrauth= --pmu= --nested --nested=
	--no-seccomp --no-its -v --verbose -h --help -V --version compare'
_tinyvmm_compare_opts='--svg --baseline --fail-above -h --help'
_tinyvmm_benchmarks='hypercall gic_trap mmio_user eoi virtual_ipi io_out
	io_in lpi vm_switch timer'

# bash splits words at '=' and ':' (COMP_WORDBREAKS), so "--sve=o" arrives
# as "--sve" "=" "o". Sets _tv_words to the words as typed, rejoined, up to
# and including the one under the cursor.
_tinyvmm_words() {
	local i w glue=0
	_tv_words=()
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ ${#_tv_words[@]} -gt 0 && ($glue == 1 || $w =~ ^[=:]+$) ]]; then
			_tv_words[-1]+=$w
		else
			_tv_words+=("$w")
		fi
		[[ $w =~ ^[=:]+$ ]] && glue=1 || glue=0
	done
}

# _tinyvmm_reply WORD CANDIDATE...: the candidates that start with WORD,
# cut to the part bash replaces (after WORD's last '=' or ':').
_tinyvmm_reply() {
	local word=$1 c
	local cut=${word%"${word##*[=:]}"}
	shift
	for c in "$@"; do
		[[ $c == "$word"* ]] && COMPREPLY+=("${c#"$cut"}")
	done
}

# _tinyvmm_files WORD [GLOB]: files (and directories) for WORD.
_tinyvmm_files() {
	local word=$1 f
	local -a found
	compopt -o filenames 2>/dev/null
	mapfile -t found < <(compgen -f -- "$word")
	if [[ -n ${2:-} ]]; then
		local -a keep=()
		for f in "${found[@]}"; do
			# shellcheck disable=SC2053 # $2 is a glob
			[[ -d $f || $f == $2 ]] && keep+=("$f")
		done
		found=("${keep[@]}")
	fi
	_tinyvmm_reply "$word" "${found[@]}"
}

# _tinyvmm_list WORD ITEM...: a comma-separated list of ITEMs.
_tinyvmm_list() {
	local word=$1 head=
	shift
	[[ $word == *,* ]] && head=${word%,*},
	_tinyvmm_reply "$word" "${@/#/$head}"
}

# _tinyvmm_value OPT WORD: completes WORD as OPT's argument; returns 1 when
# OPT takes none.
_tinyvmm_value() {
	local opt=$1 word=$2
	case $opt in
	-k | --kernel | -i | --initrd | --dtb-out)
		_tinyvmm_files "$word" ;;
	--json | --svg)
		_tinyvmm_files "$word" "*.${opt#--}" ;;
	-d | --disk)
		if [[ $word == *,* ]]; then
			_tinyvmm_list "$word" ro cache=none cache=writeback \
				io=auto io=uring io=sync lock=on lock=off
		else
			_tinyvmm_reply "$word" vhost-user=
			_tinyvmm_files "$word"
		fi ;;
	-n | --net)
		if [[ $word == *,* ]]; then
			_tinyvmm_list "$word" vhost=on vhost=off mac= queue-size= \
				busy-poll=
		else
			_tinyvmm_reply "$word" tap=
		fi ;;
	--hugepages)
		_tinyvmm_reply "$word" thp off hugetlbfs hugetlbfs:2M hugetlbfs:1G ;;
	--bench-only)
		# shellcheck disable=SC2086 # a word list
		_tinyvmm_list "$word" $_tinyvmm_benchmarks ;;
	--sve | --ptrauth | --pmu)
		_tinyvmm_reply "$word" on off ;;
	--nested)
		_tinyvmm_reply "$word" vhe nvhe ;;
	-p | --cmdline | -m | --mem | -c | --cpus | --iterations | --warmup | \
		--tag | --baseline | --fail-above)
		;; # free text or a number: nothing to offer
	*)
		return 1 ;;
	esac
	return 0
}

# No space after a reply that asks for more: "--sve=", "tap=", "a.img,".
_tinyvmm_nospace() {
	local w
	for w in "${COMPREPLY[@]}"; do
		[[ $w == *[=,] ]] && compopt -o nospace 2>/dev/null
	done
	return 0
}

_tinyvmm() {
	local _tv_words cur prev='' compare=0
	COMPREPLY=()
	_tinyvmm_words
	cur=${_tv_words[-1]}
	[[ ${#_tv_words[@]} -gt 1 ]] && prev=${_tv_words[-2]}
	[[ ${_tv_words[1]:-} == compare && ${#_tv_words[@]} -gt 2 ]] && compare=1

	# --opt=value: the value alone is what bash replaces ('=' breaks words).
	if [[ $cur == --*=* ]]; then
		_tinyvmm_value "${cur%%=*}" "${cur#*=}"
		_tinyvmm_nospace
		return 0
	fi
	# The word after an option that takes one (--nested's value is
	# optional: only --nested=VALUE gives one).
	if [[ -n $prev && $prev != *=* && $prev != --nested ]] &&
		_tinyvmm_value "$prev" "$cur"; then
		_tinyvmm_nospace
		return 0
	fi

	if [[ $cur == -* ]]; then
		if ((compare)); then
			# shellcheck disable=SC2086 # a word list
			_tinyvmm_reply "$cur" $_tinyvmm_compare_opts
		else
			# shellcheck disable=SC2086 # a word list
			_tinyvmm_reply "$cur" $_tinyvmm_opts
		fi
		_tinyvmm_nospace
	elif ((compare)); then
		_tinyvmm_files "$cur" '*.json'
	elif [[ ${#_tv_words[@]} -eq 2 ]]; then
		_tinyvmm_reply "$cur" compare
	fi
	return 0
}
complete -F _tinyvmm tinyvmm
