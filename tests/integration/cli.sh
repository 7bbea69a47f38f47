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
run 2 1 '--hugepages on: expected thp, off or hugetlbfs' 'an unknown --hugepages is refused' -- --kernel x --hugepages on
run 2 1 'not a whole number of the 1024 MiB huge pages' '--hugepages=hugetlbfs:1G with --mem 256M is refused' -- --kernel x --hugepages=hugetlbfs:1G
# -v says how guest RAM is backed (then the missing kernel, or /dev/kvm, fails).
run 1 any '^tinyvmm: guest RAM: 256 MiB at 0x[0-9a-f]+, anonymous, 2 MiB-aligned, THP' \
	'-v: guest RAM is 2 MiB-aligned THP by default' -- --kernel /nonexistent -v
run 1 any '^tinyvmm: guest RAM: 64 MiB at 0x[0-9a-f]+, anonymous, 2 MiB-aligned, no huge pages \(MADV_NOHUGEPAGE\)$' \
	'-v: --hugepages=off' -- --kernel /nonexistent -v --mem 64M --hugepages=off
# hugetlbfs without enough free 2 MiB pages: one line, before /dev/kvm.
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
if [ -r $hp/free_hugepages ] && [ $(($(cat $hp/free_hugepages) - $(cat $hp/resv_hugepages))) -lt 32 ]; then
	run 1 1 'guest RAM: cannot map 64 MiB \(--mem\): it needs 32 free 2 MiB huge pages and the host has [0-9]+; reserve them: echo [0-9]+ > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages' \
		'--hugepages=hugetlbfs without free huge pages is one clear line' -- --kernel x --mem 64M --hugepages=hugetlbfs
else
	echo "ok $((tap_n + 1)) - # SKIP this host has 32 free 2 MiB huge pages (or no hugetlbfs): the refusal cannot be shown"
	tap_n=$((tap_n + 1))
fi
run 2 1 'tap=bad name' 'a tap name with a space is refused' -- --kernel x --net 'tap=bad name'
run 2 1 '^tinyvmm: --sve=maybe: expected on or off$' 'a CPU feature switch takes on or off' -- --kernel x --sve=maybe
run 2 1 '^tinyvmm: --no-ptrauth=on: takes no value' '--no-X takes no value' -- --kernel x --no-ptrauth=on
# The arm64 CPU feature switches mean nothing to an x86 guest: refused
# by name, not ignored.
if [ "$(uname -m)" = x86_64 ]; then
	run 2 1 '^tinyvmm: --no-sve: an arm64 CPU feature switch; tinyvmm on x86_64 has none$' 'x86: --no-sve is refused' -- --kernel x --no-sve
	run 2 1 '^tinyvmm: --ptrauth=on: an arm64 CPU feature switch' 'x86: --ptrauth=on is refused' -- --kernel x --ptrauth=on
	run 2 1 '^tinyvmm: --pmu=off: an arm64 CPU feature switch' 'x86: --pmu=off is refused, also with --bench' -- --bench --pmu=off
	run 2 1 '^tinyvmm: --nested: a guest EL2 is an arm64 feature; tinyvmm on x86_64 has no nested mode$' 'x86: --nested is refused' -- --kernel x --nested
fi
# --nested: its value, and never with the bench guest (on every arch,
# before /dev/kvm is opened).
run 2 1 '^tinyvmm: --nested=el3: expected vhe or nvhe$' '--nested takes vhe or nvhe' -- --kernel x --nested=el3
run 2 1 '^tinyvmm: --nested: not with --bench \(the benchmark guest is not a hypervisor\)$' '--nested with --bench is refused' -- --bench --nested=nvhe
# compare: two real result files (from the lab, under -icount) ship as data.
data=$here/../data
vhe=$data/bench-arm64-vhe-icount.json nvhe=$data/bench-arm64-nvhe-icount.json
bad=$(mktemp) tmp=$(mktemp -d)
trap 'rm -rf "$bad" "$tmp"' EXIT
head -c 500 "$vhe" >"$bad"
# Disk images are locked (OFD locks, before /dev/kvm): one line naming
# the busy image, exit 1. Past the lock a run fails on the missing kernel
# (or /dev/kvm): never on the image.
img=$tmp/d.img
: >"$img"
in_use="^tinyvmm: virtio-blk $img: the image is in use"
run 1 1 "$in_use \(locked by" 'the same image twice is refused: in use' -- --kernel x --disk "$img" --disk "$img"
run 1 1 "$in_use read-write" 'a read-only disk next to a read-write one of the same image: in use' -- --kernel x --disk "$img" --disk "$img,ro"
# past_lock DESCRIPTION ARGS...: tinyvmm got past the images.
past_lock() {
	local desc=$1 out
	shift
	out=$("$tinyvmm" --kernel x "$@" 2>&1)
	! grep -q 'in use\|virtio-blk: opening' <<<"$out" && grep -Eq 'kvm|--kernel x' <<<"$out"
	tap_check $? "$desc" "$out"
}
past_lock 'two read-only disks share an image' --disk "$img,ro" --disk "$img,ro"
past_lock ',lock=off lets a second user in' --disk "$img" --disk "$img,lock=off"
run 2 1 'lock= takes on or off' '--disk ...,lock=maybe is refused' -- --kernel x --disk "$img,lock=maybe"
# Another process holding the image (python3 takes the same OFD lock).
if command -v python3 >/dev/null; then
	python3 -c '
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
# struct flock: l_type, l_whence, l_start, l_len, l_pid (x86_64, arm64 layout)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
print("locked", flush=True)
time.sleep(60)' "$img" >"$tmp/held" &
	holder=$!
	for _ in $(seq 100); do
		grep -q locked "$tmp/held" && break
		sleep 0.1
	done
	grep -q locked "$tmp/held" || echo "# the python3 holder did not lock $img"
	run 1 1 "$in_use \(locked by" 'an image another process holds is refused: in use' -- --kernel x --disk "$img"
	run 1 1 "$in_use read-write" '... also read-only' -- --kernel x --disk "$img,ro"
	past_lock '... unless lock=off' --disk "$img,lock=off"
	kill "$holder"
	wait "$holder" 2>/dev/null
	past_lock 'the holder gone, the image is free' --disk "$img"
else
	for _ in 1 2 3 4; do
		echo "ok $((tap_n + 1)) - # SKIP no python3 to hold a lock"
		tap_n=$((tap_n + 1))
	done
fi
run 0 any 'split \(nVHE\) / VHE' 'compare prints the split/VHE table' -- compare "$vhe" "$nvhe"
run 2 1 'at byte offset' 'compare: a truncated file is one clear line' -- compare "$vhe" "$bad"
run 1 any 'gate: FAILED' 'compare --fail-above fails when NEW is costlier' -- compare --fail-above 10 "$vhe" "$nvhe"
run 0 any 'gate: passed' 'compare --fail-above passes within the bound' -- compare --fail-above 60 "$vhe" "$nvhe"
run 0 any '^hypercall .* x0\.68$' 'compare --baseline 2 divides by the second file' -- compare --baseline 2 "$vhe" "$nvhe"
run 2 1 "no column 3; there are 2: 1 'VHE', 2 'split \(nVHE\)'" 'compare --baseline: no such column is one line' -- compare --baseline 3 "$vhe" "$nvhe"
run 2 1 'with --fail-above the baseline is BASE' 'compare --fail-above refuses another baseline' -- compare --fail-above 5 --baseline 'split (nVHE)' "$vhe" "$nvhe"

# --svg never overwrites an input; a symlink at --svg is replaced, not
# followed; stdout that cannot be written is exit 2; a failed gate stays
# exit 1 whatever fails after it (here the chart).
cp "$vhe" "$tmp/A.json"
run 2 1 "compare --svg $tmp/A.json: that is the input $tmp/A.json" 'compare --svg INPUT is refused' -- compare --svg "$tmp/A.json" "$tmp/A.json" "$nvhe"
cmp -s "$vhe" "$tmp/A.json"
tap_check $? 'compare --svg INPUT: the input is intact'
ln -s "$tmp/A.json" "$tmp/to-A"
run 2 1 'that is the input' 'compare --svg LINK-TO-INPUT is refused' -- compare --svg "$tmp/to-A" "$tmp/A.json" "$nvhe"
ln -s "$tmp/elsewhere" "$tmp/link.svg"
"$tinyvmm" compare --svg "$tmp/link.svg" "$vhe" "$nvhe" >/dev/null 2>&1 &&
	[ -f "$tmp/link.svg" ] && [ ! -L "$tmp/link.svg" ] && [ ! -e "$tmp/elsewhere" ]
tap_check $? 'compare --svg LINK: the link is replaced by the chart, not followed'
out=$("$tinyvmm" compare "$vhe" "$nvhe" 2>&1 >/dev/full)
rc=$?
[ $rc -eq 2 ] && grep -q 'writing to standard output: No space left on device' <<<"$out"
tap_check $? 'compare >/dev/full: exit 2 and one line' "exit $rc: $out"
run 1 any 'gate: FAILED' 'compare: a failed gate stays exit 1 when --svg fails after it' -- \
	compare --fail-above 10 --svg /nonexistent/x.svg "$vhe" "$nvhe"
sed 's/"median":1024,"min":1008/"median":1024,"min":1030/' "$vhe" >"$tmp/min-above.json"
run 2 1 "^tinyvmm: $tmp/min-above.json: benchmarks\[0\] \(hypercall\)\.stats: not min <= median <= p99 <= max \(min 1030, median 1024" \
	'compare: statistics no samples can have are one line naming the file and benchmark' -- compare "$tmp/min-above.json" "$nvhe"
# The host-kernel x KVM-mode matrix lab/compare is growing into: 8
# documents made from the two above with --tag label=... and edited
# medians, one of them an x905 outlier (x86's eoi against 5 instructions).
titles=('7.3 VHE' '7.3 hVHE' '7.3 split' '7.3 protected' '6.1 VHE' '6.1 split' '6.1 protected' 'svm')
if command -v python3 >/dev/null; then
	python3 - "$vhe" "$nvhe" "$tmp" "${titles[@]}" <<'PY'
import json, sys
vhe, nvhe, out, titles = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
scale = [{}, {"hypercall": 1.02, "eoi": 1.2}, {}, {"hypercall": 1.3}, {"virtual_ipi": 0.97},
         {"mmio_user": 0.99}, {"hypercall": 1.35},
         {"hypercall": 0.68, "gic_trap": 2.28, "eoi": 905, "virtual_ipi": 0.5}]
for i, title in enumerate(titles):
    doc = json.load(open(nvhe if "split" in title or "protected" in title else vhe))
    doc["host"]["tags"]["label"] = title
    for b in doc["benchmarks"]:
        if b["stats"]:  # all figures alike: compare checks min <= median <= p99 <= max
            for k in ("mean", "median", "min", "max", "p99", "stddev"):
                b["stats"][k] *= scale[i].get(b["name"], 1)
    json.dump(doc, open("%s/%d.json" % (out, i), "w"))
doc = json.load(open(vhe))
doc["host"]["tags"]["label"] = "\x1b]0;pwned\x07\x1b[31mred\x1b[0m"
doc["host"]["kvm_mode"] = "\x1b[2J"
json.dump(doc, open(out + "/escapes.json", "w"))
PY
	out=$("$here/../schema-check" "$here/../../schema/bench.schema.json" "$tmp"/[0-7].json "$tmp/escapes.json" 2>&1)
	tap_check $? 'the 9 documents made for compare match schema/bench.schema.json' "$out"
	run 0 any "^benchmark .* 7\.3 VHE .* svm .* svm / base$" 'compare titles 8 columns by their labels' -- \
		compare --svg "$tmp/chart.svg" "$tmp"/[0-7].json
	problems=$("$here/svg-check" "$tmp/chart.svg" "${titles[@]}" 2>&1)
	tap_check $? 'compare --svg: 8 columns, well-formed, every title in the legend, "lower is better", no text over another' "$problems"
	run 0 any "the baseline's, 6\.1 split\)" 'compare --baseline TITLE in a matrix' -- \
		compare --baseline '6.1 split' --svg "$tmp/split.svg" "$tmp"/[0-7].json
	problems=$("$here/svg-check" "$tmp/split.svg" "${titles[@]}" 2>&1)
	tap_check $? 'compare --svg against another baseline: as readable' "$problems"
	out=$("$tinyvmm" compare --svg "$tmp/escapes.svg" "$tmp/escapes.json" "$vhe" 2>&1)
	! grep -q $'\x1b' <<<"$out" && grep -Eq '^benchmark .* \?\?red\? +VHE' <<<"$out" &&
		out+=$'\n'$("$here/svg-check" "$tmp/escapes.svg" '??red?' 2>&1)
	tap_check $? 'compare: escape sequences in a label reach neither the terminal nor the chart' "$out"
else
	for _ in 1 2 3 4 5 6; do
		echo "ok $((tap_n + 1)) - # SKIP no python3 to make the 8 documents and check the chart"
		tap_n=$((tap_n + 1))
	done
fi
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
