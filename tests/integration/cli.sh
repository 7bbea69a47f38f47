#!/usr/bin/env bash
# usage: cli.sh TINYVMM
# The command line on the build host, where /dev/kvm may be missing: help,
# version, option errors (one line, exit 2) and a clear /dev/kvm error.
set -u
tinyvmm=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tap.sh
. "$here/tap.sh"

# run WANT_STATUS WANT_LINES REGEX DESCRIPTION -- ARGS...
run() {
	local want=$1 lines=$2 re=$3 desc=$4 out rc ok=0
	shift 5
	# run_via: a command to start tinyvmm through (e.g. under a ulimit).
	out=$(${run_via:-} "$tinyvmm" "$@" 2>&1)
	rc=$?
	[ "$rc" -eq "$want" ] || ok=1
	grep -Eq -- "$re" <<<"$out" || ok=1
	[ "$lines" = any ] || [ "$(grep -c . <<<"$out")" -eq "$lines" ] || ok=1
	tap_check $ok "$desc" "exit $rc (wanted $want), output:" "$out"
}

run 0 any '^usage: tinyvmm' '--help prints usage' -- --help
run 0 1 '^tinyvmm [0-9]+\.[0-9]+' '--version prints the version' -- --version
run 0 any '^kvm mode:' '--host-info works without a guest' -- --host-info
run 2 1 '--mem 0' '--mem 0 is refused' -- --kernel x --mem 0
run 2 1 '--mem 1000000T' 'an absurd --mem is refused' -- --kernel x --mem 1000000T
run 2 1 '--mem 12Q' 'a malformed --mem is refused' -- --kernel x --mem 12Q
run 2 1 '--cpus 0' '--cpus 0 is refused' -- --kernel x --cpus 0
run 2 1 '--cpus 100000' '--cpus above the limit is refused' -- --kernel x --cpus 100000
run 2 1 'unrecognized option' 'an unknown option is refused' -- --bogus
run 2 1 'no guest' 'no kernel is refused' -- --mem 1G
run 2 1 'tap=bad name' 'a tap name with a space is refused' -- --kernel x --net 'tap=bad name'
# compare: two real result files (from the lab, under -icount) ship as data.
data=$here/../data
vhe=$data/bench-arm64-vhe-icount.json nvhe=$data/bench-arm64-nvhe-icount.json
bad=$(mktemp)
trap 'rm -f "$bad"' EXIT
head -c 500 "$vhe" >"$bad"
run 0 any 'split \(nVHE\) / VHE' 'compare prints the split/VHE table' -- compare "$vhe" "$nvhe"
run 2 1 'at byte offset' 'compare: a truncated file is one clear line' -- compare "$vhe" "$bad"
run 1 any 'gate: FAILED' 'compare --fail-above fails when NEW is costlier' -- compare --fail-above 10 "$vhe" "$nvhe"
run 0 any 'gate: passed' 'compare --fail-above passes within the bound' -- compare --fail-above 60 "$vhe" "$nvhe"
# A --mem the host refuses (1 GiB under an RLIMIT_AS of 256 MiB): one
# line naming the limit, exit 1, before /dev/kvm is even opened. A
# sanitizer build cannot start under ulimit -v (its shadow memory alone
# is terabytes of address space): skipped there; test_guest_mem checks the
# same refusal in every build.
under_256m() { (ulimit -v 262144 && exec "$@"); }
if under_256m "$tinyvmm" --version >/dev/null 2>&1; then
	run_via=under_256m run 1 1 \
		'guest RAM: cannot map 1024 MiB \(--mem\): RLIMIT_AS \(ulimit -v\) allows 256 MiB' \
		'a --mem above RLIMIT_AS is one clear line' -- --kernel x --mem 1G
	if [ -e /dev/kvm ]; then
		echo "ok $((tap_n + 1)) - # SKIP /dev/kvm exists here: the next step cannot be shown failing"
		tap_n=$((tap_n + 1))
	else
		run_via=under_256m run 1 1 'cannot open /dev/kvm' \
			'a --mem within RLIMIT_AS gets past guest RAM' -- --kernel x --mem 64M
	fi
else
	echo "ok $((tap_n + 1)) - # SKIP this build cannot start under ulimit -v (sanitizers)"
	echo "ok $((tap_n + 2)) - # SKIP this build cannot start under ulimit -v (sanitizers)"
	tap_n=$((tap_n + 2))
fi
if [ -e /dev/kvm ]; then
	echo "ok $((tap_n + 1)) - # SKIP /dev/kvm exists here: the no-KVM error cannot be shown"
	tap_n=$((tap_n + 1))
else
	run 1 1 'cannot open /dev/kvm' 'no /dev/kvm gives one clear line' -- --kernel x
fi
tap_done
