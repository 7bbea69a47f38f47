#!/usr/bin/env bash
# usage: lab_options.sh
# What lab/run and lab/compare refuse before anything boots: each case must
# exit with the documented status, print one line naming the problem, and
# never reach QEMU (no "booting" progress line). Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# refused WANT_STATUS REGEX DESCRIPTION -- COMMAND...: COMMAND exits
# WANT_STATUS, its stderr matches REGEX, and nothing booted.
refused() {
	local want=$1 re=$2 desc=$3 status
	shift 4
	"$@" >"$work/out" 2>"$work/err" </dev/null
	status=$?
	[ "$status" = "$want" ] && grep -Eq -- "$re" "$work/err" && ! grep -q booting "$work/err"
	tap_check $? "$desc" "exit $status (want $want); stderr:" "$(tail -n 5 "$work/err")"
}

lab=("$src/lab/run" --arch arm64)
refused 125 'Linux 6.1 cannot run it' "lab/run: 6.1 has no hVHE" -- \
	"${lab[@]}" --host-kernel-version 6.1 --mode hvhe -- true
refused 125 'Linux 6.1 cannot run it' "lab/run: 6.1 has no nested virtualization" -- \
	"${lab[@]}" --host-kernel-version 6.1 --mode nested -- true
refused 125 'Linux 6.12 cannot run it' "lab/run: 6.12 has no nested virtualization" -- \
	"${lab[@]}" --host-kernel-version 6.12 --mode nested -- true
refused 125 'expected one of 6.1 6.12 7.3 or latest' "lab/run: unknown kernel version" -- \
	"${lab[@]}" --host-kernel-version 5.10 --mode vhe -- true
refused 125 'expected vhe, nvhe, hvhe, protected, protected-nvhe or nested' "lab/run: unknown mode" -- \
	"${lab[@]}" --mode hyper -- true
refused 125 'needs --host-kernel' "lab/run: --host-modules without --host-kernel" -- \
	"${lab[@]}" --mode vhe --host-modules "$work" -- true
mkdir -p "$work/mods/lib/modules/9.9.9"
printf 'not a kernel' >"$work/Image"
refused 125 'cannot read its release' "lab/run: --host-modules with a kernel of no known release" -- \
	"${lab[@]}" --mode vhe --host-kernel "$work/Image" --host-modules "$work/mods" \
	--lab-dir "$work/lab" --skip-build -- true
refused 125 'not a directory' "lab/run: --host-files that is no directory" -- \
	"${lab[@]}" --mode vhe --host-files "$work/Image" -- true

cmp=("$src/lab/compare")
refused 2 'Linux 6.1 cannot run it' "lab/compare: a mode the kernel cannot run" -- \
	"${cmp[@]}" --host-kernels "6.1 7.3" --modes "vhe hvhe"
refused 2 "no such column" "lab/compare: a baseline that is no column" -- \
	"${cmp[@]}" --host-kernels "6.1 7.3" --modes "vhe nvhe" --baseline "7.3 hVHE"
refused 2 'needs exactly two kernels' "lab/compare: --fail-above with one kernel" -- \
	"${cmp[@]}" --modes vhe --fail-above 5
refused 2 'no such file' "lab/compare: a kernel by path that is missing" -- \
	"${cmp[@]}" --host-kernel "A=$work/none"
refused 2 'runs arm64 modes only' "lab/compare: svm for a kernel given by path" -- \
	"${cmp[@]}" --host-kernel "A=$work/Image" --modes svm
refused 2 'expected a number of runs' "lab/compare: --repeat 0" -- \
	"${cmp[@]}" --modes vhe --repeat 0
refused 2 "unknown L1 mode 'hvhe'" "lab/compare: --nested-modes with a mode L1 cannot take" -- \
	"${cmp[@]}" --modes vhe --nested-modes "vhe hvhe"
refused 2 'expected a positive number' "lab/compare: --nested-iterations 0" -- \
	"${cmp[@]}" --modes vhe --nested-iterations 0
refused 2 "--nested-linux-modes: unknown L1 mode 'protected'" "lab/compare: --nested-linux-modes with a mode L1 cannot take" -- \
	"${cmp[@]}" --modes vhe --nested-linux-modes protected
tap_done
