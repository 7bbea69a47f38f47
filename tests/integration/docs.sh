#!/usr/bin/env bash
# usage: docs.sh TINYVMM
# The manual page (docs/tinyvmm.1) and the bash completion
# (completions/tinyvmm.bash) against what tinyvmm itself prints: every long
# option of `tinyvmm --help` and `tinyvmm compare --help` is in both, each
# "-X, --long" pair of --help is one in both, and the page's version is
# tinyvmm's. An option added, renamed or given another short letter without
# the page and the completion fails here. The page renders with no warning
# from groff, man and mandoc (the last two when installed). Each checker is
# also shown a broken copy and must object.
set -u
tinyvmm=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tap.sh
. "$here/tap.sh"
page=$src/docs/tinyvmm.1
completion=$src/completions/tinyvmm.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# is COMMAND...: 0 when COMMAND succeeds, else 1 (tap_check's status).
is() { if "$@"; then echo 0; else echo 1; fi; }

help=$("$tinyvmm" --help)
compare_help=$("$tinyvmm" compare --help)

# option_column HELP: the option column of each option line of a --help
# text ("-k, --kernel FILE" of "  -k, --kernel FILE    guest kernel"), the
# lines indented 2 to 6 spaces (descriptions go on at 23).
option_column() {
	sed -nE 's/^ {2,6}(-[^ ].*)$/\1/p' <<<"$1" | sed -E 's/ {2,}.*//'
}
# long_options HELP: each long option once, "--sve=on|off" as --sve.
long_options() {
	option_column "$1" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
# pairs HELP: "X long ARG" for each "-X, --long ARG" (ARG empty if none).
pairs() {
	option_column "$1" |
		sed -nE 's/^-([A-Za-z]), --([a-z][a-z0-9-]*)( ([^ ]+))?.*/\1 \2 \4/p'
}
# man_text PAGE: the page's source with roff's escapes for -, fonts and
# spacing taken out, as a reader sees the words.
man_text() {
	sed -E 's/\\f[BIRP]//g; s/\\-/-/g; s/\\[|&]//g' "$1"
}

# missing_in_man PAGE HELP...: prints each long option and pair absent.
missing_in_man() {
	local page=$1 text opt x long arg
	shift
	text=$(man_text "$page")
	for h in "$@"; do
		for opt in $(long_options "$h"); do
			grep -Eq -- "(^|[^a-z0-9-])$opt([^a-z0-9-]|$)" <<<"$text" ||
				echo "$opt"
		done
	done
}
missing_pairs_in_man() {
	local page=$1 text x long arg
	shift
	text=$(man_text "$page")
	for h in "$@"; do
		while read -r x long arg; do
			grep -Eq -- "(^|[^a-z0-9-])-$x, --$long([^a-z0-9-]|$)" <<<"$text" ||
				echo "-$x, --$long"
		done < <(pairs "$h")
	done
}

# complete_line SCRIPT LINE: the replies SCRIPT's completion gives for LINE
# (cursor at its end), one a line, split into words as bash does (at
# blanks, and around '=' and ':', which are in COMP_WORDBREAKS).
complete_line() {
	bash -c '
		. "$1" || exit 1
		line=$2
		read -ra COMP_WORDS <<<"$(sed -E "s/[=:]+/ & /g" <<<"$line")"
		[[ $line == *" " || $line == *[=:] ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		compopt() { :; } # only valid inside a real completion
		_tinyvmm tinyvmm "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$1" "$2"
}
# missing_in_completion SCRIPT: tinyvmm's and compare's long options that
# "tinyvmm --" / "tinyvmm compare --" do not offer (as --opt or --opt=),
# and short options that "tinyvmm -" does not.
missing_in_completion() {
	local script=$1 offered opt x long arg
	offered=$(complete_line "$script" 'tinyvmm -')
	for opt in $(long_options "$help"); do
		grep -Eqx -- "$opt=?" <<<"$offered" || echo "$opt"
	done
	while read -r x long arg; do
		grep -qx -- "-$x" <<<"$offered" || echo "-$x"
	done < <(pairs "$help")
	offered=$(complete_line "$script" 'tinyvmm compare -')
	for opt in $(long_options "$compare_help"); do
		grep -Eqx -- "$opt=?" <<<"$offered" || echo "compare $opt"
	done
}
# missing_pairs_in_completion SCRIPT: each "-X, --long ARG" of --help whose
# argument SCRIPT does not complete as one option ("-X | --long" in the
# case that handles option arguments).
missing_pairs_in_completion() {
	local x long arg
	while read -r x long arg; do
		[ -n "$arg" ] || continue
		grep -Eq -- "(^|[[:space:]|])-$x \| --$long([[:space:]|)]|$)" "$1" ||
			echo "-$x, --$long"
	done < <(pairs "$help")
}

# A tinyvmm from before kvmtool's short options (-c was the command line):
# the page and the completion already have the new ones, so a pair check
# is a TODO until that change is merged, not a failure.
pairs_todo=
grep -Eq -- '^ +-c, --cmdline' <<<"$help" &&
	pairs_todo=" # TODO this tinyvmm has -c for --cmdline; the page and completion have kvmtool's short options (branch i18-cli)"
# tap_check_todo STATUS DESC DIAG...: tap_check, a TODO when pairs_todo.
tap_check_todo() {
	if [ -n "$pairs_todo" ]; then
		tap_n=$((tap_n + 1))
		if [ "$1" -eq 0 ]; then
			echo "ok $tap_n - $2"
		else
			echo "not ok $tap_n - $2$pairs_todo"
		fi
	else
		tap_check "$@"
	fi
}

n_long=$(long_options "$help" | wc -l)
n_compare=$(long_options "$compare_help" | wc -l)
tap_check $((n_long < 20 || n_compare < 4)) "--help lists options to check ($n_long; compare: $n_compare)" \
	"the option lines of --help were not found: fix option_column"

out=$(missing_in_man "$page" "$help" "$compare_help")
tap_check $((${#out} > 0)) "the man page names every long option of --help and compare --help" \
	"missing from docs/tinyvmm.1:" "$out"
out=$(missing_pairs_in_man "$page" "$help" "$compare_help")
tap_check_todo $((${#out} > 0)) "the man page pairs each short option with its long one as --help does" \
	"not in docs/tinyvmm.1:" "$out"
out=$(missing_in_completion "$completion")
tap_check $((${#out} > 0)) "the completion offers every option of --help and compare --help" \
	"not offered by completions/tinyvmm.bash:" "$out"
out=$(missing_pairs_in_completion "$completion")
tap_check_todo $((${#out} > 0)) "the completion treats each short option as its long one" \
	"no case label '-X | --long' in completions/tinyvmm.bash:" "$out"

version=$("$tinyvmm" --version | awk '{ print $2 }')
th=$(sed -nE 's/^\.TH .*"tinyvmm ([^"]*)".*/\1/p' "$page")
tap_check "$(is [ "$th" = "$version" ])" "the man page's version is tinyvmm's ($version)" \
	".TH says '$th'"

# What the completion does, driven as bash drives it.
mkdir "$tmp/cwd" && touch "$tmp/cwd/Image" "$tmp/cwd/a.json" "$tmp/cwd/b.img"
expect_completion() { # LINE WANT DESCRIPTION
	local got
	got=$(cd "$tmp/cwd" && complete_line "$completion" "$1" | sort | tr '\n' ' ')
	tap_check "$(is [ "$got" = "$2" ])" "completion: $3" \
		"'$1' gave '$got', wanted '$2'"
}
expect_completion 'tinyvmm --kernel ' 'Image a.json b.img ' 'a file after --kernel'
expect_completion 'tinyvmm --json ' 'a.json ' '*.json after --json'
expect_completion 'tinyvmm --kernel=I' 'Image ' '--kernel=FILE'
expect_completion 'tinyvmm --sve=' 'off on ' '--sve= takes on or off'
expect_completion 'tinyvmm --bench-only hypercall,gi' 'hypercall,gic_trap ' '--bench-only completes a comma list'
expect_completion 'tinyvmm --disk b.img,cache=' 'none writeback ' "--disk's suboptions"
expect_completion 'tinyvmm --net tap=t0,vhost=' 'off on ' "--net's suboptions"
expect_completion 'tinyvmm --hugepages hugetlbfs:' '1G 2M ' '--hugepages hugetlbfs:SIZE'
expect_completion 'tinyvmm compare ' 'a.json ' "compare's inputs are *.json"
expect_completion 'tinyvmm compare --f' '--fail-above ' "compare's options"

# Rendering: no warning from groff (all warnings on), man, mandoc.
out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
tap_check "$(is [ -z "$out" ])" "groff -ww renders the man page without a warning" "$out"
if command -v man >/dev/null; then
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	tap_check "$(is [ -z "$out" ])" "man -l renders the man page without a warning" "$out"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - # SKIP no man (lab/install-deps installs man-db)"
fi
if command -v mandoc >/dev/null; then
	out=$(mandoc -Tlint -Wstyle "$page" 2>&1)
	tap_check $? "mandoc -Tlint finds nothing in the man page" "$out"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - # SKIP no mandoc (lab/install-deps installs it)"
fi

# Broken copies: each checker must object.
cp "$page" "$tmp/page.1"
sed -i 's/^\.BI \\-\\-iterations " n"$/.BI \\-\\-iteration " n"/' "$tmp/page.1"
out=$(missing_in_man "$tmp/page.1" "$help")
tap_check "$(is [ "$out" = --iterations ])" \
	"a man page without --iterations is caught" "got: '$out'"
sed 's/\\fB\\-m\\fR, \\fB\\-\\-mem\\fR/\\fB\\-M\\fR, \\fB\\-\\-mem\\fR/' "$page" >"$tmp/page.1"
out=$(missing_pairs_in_man "$tmp/page.1" "$help")
tap_check "$(is grep -qx -- '-m, --mem' <<<"$out")" \
	"a man page with another short letter for --mem is caught" "got: '$out'"
sed '/^_tinyvmm_opts=/,/'"'"'$/s/ --iterations / /' "$completion" >"$tmp/completion.bash"
out=$(missing_in_completion "$tmp/completion.bash")
tap_check "$(is [ "$out" = --iterations ])" \
	"a completion without --iterations is caught" "got: '$out'"
sed 's/-m | --mem/-M | --mem/' "$completion" >"$tmp/completion.bash"
out=$(missing_pairs_in_completion "$tmp/completion.bash")
tap_check "$(is grep -qx -- '-m, --mem' <<<"$out")" \
	"a completion with another short letter for --mem is caught" "got: '$out'"
printf '.SH BROKEN\n.NOSUCHMACRO text\n' >>"$tmp/page.1"
out=$(groff -man -Tutf8 -ww -z "$tmp/page.1" 2>&1)
tap_check "$(is [ -n "$out" ])" "groff -ww warns about a broken page" "no warning"
tap_done
