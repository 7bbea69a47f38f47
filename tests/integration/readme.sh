#!/usr/bin/env bash
# usage: readme.sh
# README.md is the front door and docs/*.md the reference behind it:
# README's "The two commands" block gives exactly lab/compare and
# tests/run (.ci/run and the project's rules rely on it), every relative
# link of README and docs/*.md leads to a file and heading that exist
# (tests/integration/md-links), and README links every docs/*.md. The
# link checker is also shown broken links and must object.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tap.sh
. "$here/tap.sh"
cd "$src" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The first fenced block after "## The two commands": its commands.
commands=$(awk '/^## The two commands$/ { sec = 1; next }
	sec && /^## / { exit }
	sec && /^```/ { if (code) exit; code = 1; next }
	code { print $1 }' README.md)
[ "$commands" = $'lab/compare\ntests/run' ] && [ -x lab/compare ] && [ -x tests/run ]
tap_check $? "README's two commands are lab/compare and tests/run, both there" \
	"the block under '## The two commands' runs: $(tr '\n' ' ' <<<"$commands")"

out=$("$here/md-links" README.md docs/*.md 2>&1)
tap_check $? 'every relative link of README.md and docs/*.md resolves (file and heading)' "$out"

missing=
for doc in docs/*.md; do
	grep -Fq "]($doc" README.md || missing+=" $doc"
done
tap_check "$([ -z "$missing" ]; echo $?)" 'README links every docs/*.md' "not linked:$missing"

# Broken copies: a link to a file that is not there, and to a heading
# that is not.
mkdir "$tmp/docs" && cp docs/lab.md "$tmp/docs/"
printf '%s\n' '[x](docs/nope.md) [y](docs/lab.md#no-such-heading)' \
	'[z](docs/lab.md#ab-measuring-a-kvm-change)' '```' '[in code](docs/nope.md)' '```' >"$tmp/README.md"
out=$("$here/md-links" "$tmp/README.md" 2>&1)
[ "$(wc -l <<<"$out")" -eq 2 ] && grep -q 'docs/nope.md: no such file' <<<"$out" &&
	grep -q 'no heading #no-such-heading' <<<"$out"
tap_check $? 'md-links catches a missing file and a missing heading, and nothing else' "got: $out"
tap_done
