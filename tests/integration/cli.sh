#!/usr/bin/env bash
# usage: cli.sh TINYVMM [X86-HELLO-IMAGE]
# The command line on the build host, where /dev/kvm may be missing: help,
# version, option errors (one line, exit 2) and a clear /dev/kvm error.
set -u
tinyvmm=$1
hello=${2:-} # guest/x86's hello guest, where this build has it
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

skip() {
	local i
	for ((i = 0; i < $1; i++)); do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - # SKIP $2"
	done
}

# no_kvm CMD...: runs CMD where /dev/kvm is missing: as it is, or (as root,
# where it exists) in a mount namespace with an empty /dev.
no_kvm() {
	if [ -e /dev/kvm ]; then
		unshare -m bash -c 'mount -t tmpfs none /dev && "$@"' bash "$@"
	else
		"$@"
	fi
}
no_kvm_works=false
if no_kvm test ! -e /dev/kvm 2>/dev/null; then no_kvm_works=true; fi

# Runs that start a guest. In a sanitizer build the runtime's own calls at
# thread and process exit (sigaltstack, LeakSanitizer's prctl and ptrace)
# lie outside the allow-lists: those runs go unconfined, as hostile.sh's.
guest=("$tinyvmm")
[ -z "${TINYVMM_SANITIZED:-}" ] || guest+=(--no-seccomp)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# A file that passes --kernel's early check (non-empty, regular).
kernel=$scratch/kernel
echo not-a-kernel >"$kernel"

run 0 any '^usage: tinyvmm' '--help prints usage' -- --help
run 0 1 '^tinyvmm [0-9]+\.[0-9]+' '--version prints the version' -- --version
run 0 any '^kvm mode:' '--host-info works without a guest' -- --host-info
run 2 1 '--mem 0' '--mem 0 is refused' -- --kernel x --mem 0
run 2 1 '--mem 1000000T' 'an absurd --mem is refused' -- --kernel x --mem 1000000T
run 2 1 '--mem 12Q' 'a malformed --mem is refused' -- --kernel x --mem 12Q
run 2 1 '--cpus 0' '--cpus 0 is refused' -- --kernel x --cpus 0
run 2 1 '--cpus 100000' '--cpus above the limit is refused' -- --kernel x --cpus 100000
# kvmtool's short options; the old -c (command line) and -n (vCPUs) are
# refused with a note, never read with another meaning.
run 2 1 '^tinyvmm: -c console=ttyS0: -c is now the number of vCPUs, as in lkvm; the kernel command line is -p/--cmdline$' \
	'-c with a command line says -c is now CPUs' -- -k x -c console=ttyS0
run 2 1 '^tinyvmm: -n 4: -n is now the network \(--net\), as in lkvm; the number of vCPUs is -c/--cpus$' \
	'-n with a number says -n is now the network' -- -k x -n 4
run 2 1 '^tinyvmm: --cpus 100000: this machine' '-c is --cpus' -- -k x -c 100000
run 2 1 '^tinyvmm: --net bad:' '-n is --net' -- -k x -n bad
run 2 1 "^tinyvmm: --bench-only nonsense: no benchmark 'nonsense'; the benchmarks are hypercall, gic_trap, mmio_user, eoi, virtual_ipi, vm_switch, io_out, io_in, timer, lpi\$" \
	'--bench-only with an unknown name is refused at parse time' -- --bench --bench-only nonsense
run 2 1 'unrecognized option' 'an unknown option is refused' -- --bogus
run 2 1 'no guest' 'no kernel is refused' -- --mem 1G
run 2 1 '--hugepages on: expected thp, off or hugetlbfs' 'an unknown --hugepages is refused' -- --kernel x --hugepages on
run 2 1 'not a whole number of the 1024 MiB huge pages' '--hugepages=hugetlbfs:1G with --mem 256M is refused' -- --kernel x --hugepages=hugetlbfs:1G
# -v says how guest RAM is backed (then /dev/kvm, absent or hidden, fails).
if $no_kvm_works; then
	run_via=no_kvm run 1 any '^tinyvmm: guest RAM: 256 MiB at 0x[0-9a-f]+, anonymous, 2 MiB-aligned, THP' \
		'-v: guest RAM is 2 MiB-aligned THP by default' -- --kernel "$kernel" -v
	run_via=no_kvm run 1 any '^tinyvmm: guest RAM: 64 MiB at 0x[0-9a-f]+, anonymous, 2 MiB-aligned, no huge pages \(MADV_NOHUGEPAGE\)$' \
		'-v: --hugepages=off' -- --kernel "$kernel" -v --mem 64M --hugepages=off
else
	skip 2 "/dev/kvm exists and cannot be hidden here (not root?)"
fi
# hugetlbfs without enough free 2 MiB pages: one line, before /dev/kvm.
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
if [ -r $hp/free_hugepages ] && [ $(($(cat $hp/free_hugepages) - $(cat $hp/resv_hugepages))) -lt 32 ]; then
	run 1 1 'guest RAM: cannot map 64 MiB \(--mem\): it needs 32 free 2 MiB huge pages and the host has [0-9]+; reserve them: echo [0-9]+ > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages' \
		'--hugepages=hugetlbfs without free huge pages is one clear line' -- --kernel "$kernel" --mem 64M --hugepages=hugetlbfs
else
	echo "ok $((tap_n + 1)) - # SKIP this host has 32 free 2 MiB huge pages (or no hugetlbfs): the refusal cannot be shown"
	tap_n=$((tap_n + 1))
fi
run 2 1 'tap=bad name' 'a tap name with a space is refused' -- --kernel x --net 'tap=bad name'
run 2 1 '^tinyvmm: --net tap=\.\.: tap= name may hold only' 'tap=.. is refused' -- --kernel x --net tap=..
run 2 1 '^tinyvmm: --net tap=t0,mac=00:00:00:00:00:00: mac= 00:00:00:00:00:00 is no address$' 'an all-zero MAC is refused' -- --kernel x --net tap=t0,mac=00:00:00:00:00:00
run 2 1 '^tinyvmm: --iterations 0x10: must be a whole number' 'a hex count is refused' -- --bench --iterations 0x10
run 2 1 '^tinyvmm: --net tap=t0,queue-size=0x100: ' 'a hex queue-size is refused' -- --kernel x --net tap=t0,queue-size=0x100
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
# Output that cannot be written is an error, not a silent exit 0: one
# line, tinyvmm's own or compare's (which can say why).
full_check() { # WANT-STATUS WANT-LINE DESCRIPTION ARGS...
	local want=$1 line=$2 desc=$3 out rc
	shift 3
	out=$("$tinyvmm" "$@" 2>&1 >/dev/full)
	rc=$?
	[ "$rc" -eq "$want" ] && [ "$out" = "$line" ]
	tap_check $? "$desc" "exit $rc (wanted $want), stderr:" "$out"
}
if [ -w /dev/full ]; then
	failed='tinyvmm: writing to standard output failed'
	full='tinyvmm: compare: writing to standard output: No space left on device'
	full_check 1 "$failed" '--help to a full disk exits 1' --help
	full_check 1 "$failed" '--version to a full disk exits 1' --version
	full_check 1 "$failed" '--host-info to a full disk exits 1' --host-info
	full_check 2 "$full" 'compare to a full disk exits 2' compare "$here/../data/bench-arm64-vhe-icount.json" "$here/../data/bench-arm64-nvhe-icount.json"
	full_check 1 "$full" 'compare: a failed gate stays exit 1 when stdout is full too' \
		compare --fail-above 10 "$here/../data/bench-arm64-vhe-icount.json" "$here/../data/bench-arm64-nvhe-icount.json"
else
	skip 5 "no writable /dev/full"
fi
# compare: two real result files (from the lab, under -icount) ship as data.
data=$here/../data
vhe=$data/bench-arm64-vhe-icount.json nvhe=$data/bench-arm64-nvhe-icount.json
bad=$(mktemp) tmp=$(mktemp -d)
trap 'rm -rf "$bad" "$tmp" "$scratch"' EXIT
head -c 500 "$vhe" >"$bad"
# Disk images are locked (OFD locks, before /dev/kvm, among the path
# checks: after --kernel and --disk, before --json and --dtb-out): one line naming the
# busy image, exit 1. Past the lock a run fails on --dtb-out's missing
# directory: never on the image, and never reaching KVM.
img=$tmp/d.img k=$tmp/k nojson=$tmp/none/r.json
: >"$img"
printf 'not run' >"$k"
in_use="^tinyvmm: virtio-blk $img: the image is in use"
run 1 1 "$in_use \(locked by" 'the same image twice is refused: in use' -- --kernel "$k" --dtb-out "$nojson" --disk "$img" --disk "$img"
run 1 1 "$in_use read-write" 'a read-only disk next to a read-write one of the same image: in use' -- --kernel "$k" --dtb-out "$nojson" --disk "$img" --disk "$img,ro"
# past_lock DESCRIPTION ARGS...: tinyvmm got past the images.
past_lock() {
	local desc=$1 out
	shift
	out=$("$tinyvmm" --kernel "$k" --dtb-out "$nojson" "$@" 2>&1)
	! grep -q 'in use\|virtio-blk: opening' <<<"$out" && grep -q -- "--dtb-out $nojson" <<<"$out"
	tap_check $? "$desc" "$out"
}
past_lock 'two read-only disks share an image' --disk "$img,ro" --disk "$img,ro"
past_lock ',lock=off lets a second user in' --disk "$img" --disk "$img,lock=off"
run 2 1 'lock= takes on or off' '--disk ...,lock=maybe is refused' -- --kernel "$k" --dtb-out "$nojson" --disk "$img,lock=maybe"
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
	run 1 1 "$in_use \(locked by" 'an image another process holds is refused: in use' -- --kernel "$k" --dtb-out "$nojson" --disk "$img"
	run 1 1 "$in_use read-write" '... also read-only' -- --kernel "$k" --dtb-out "$nojson" --disk "$img,ro"
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
# strtod alone read 0x10 as 16 and 1e1 as 10: a percentage is plain decimal.
run 2 1 'compare --fail-above 0x10: expected a decimal percentage' 'compare --fail-above 0x10 is refused, not 16%' -- compare --fail-above 0x10 "$vhe" "$nvhe"
run 2 1 'compare --fail-above 1e1: expected a decimal percentage' 'compare --fail-above 1e1 is refused' -- compare --fail-above 1e1 "$vhe" "$nvhe"
run 1 any 'gate: FAILED' 'compare --fail-above 2.5 is a percentage' -- compare --fail-above 2.5 "$vhe" "$nvhe"
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
# Labels of the longest kept (32 characters) in wide glyphs.
for name, label in (("wide", "W" * 32), ("cjk", "\u6f22\u5b57" * 16)):
    doc["host"]["kvm_mode"] = "VHE"
    doc["host"]["tags"]["label"] = label
    json.dump(doc, open("%s/%s.json" % (out, name), "w"), ensure_ascii=False)
PY
	out=$("$here/../schema-check" "$here/../../schema/bench.schema.json" "$tmp"/[0-7].json "$tmp/escapes.json" "$tmp/wide.json" "$tmp/cjk.json" 2>&1)
	tap_check $? 'the 11 documents made for compare match schema/bench.schema.json' "$out"
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
	# A label of 32 "W"s is 1.8 times what 0.6 em a character gives it.
	"$tinyvmm" compare --svg "$tmp/wide.svg" "$tmp/wide.json" "$tmp/cjk.json" "$vhe" >/dev/null 2>&1
	problems=$("$here/svg-check" "$tmp/wide.svg" "$(printf 'W%.0s' {1..32})" \
		"$(printf '\346\274\242\345\255\227%.0s' {1..16})" 2>&1)
	tap_check $? 'compare --svg: labels of 32 wide characters (W, CJK) stay on the canvas and apart' "$problems"
else
	for _ in 1 2 3 4 5 6 7; do
		echo "ok $((tap_n + 1)) - # SKIP no python3 to make the 8 documents and check the chart"
		tap_n=$((tap_n + 1))
	done
fi
# A --mem the host refuses (1 GiB under an RLIMIT_AS of 256 MiB): one
# line naming the limit, exit 1, before /dev/kvm is even opened. A
# sanitizer build cannot start under ulimit -v (its shadow memory alone
# is terabytes of address space): skipped there; test_guest_mem checks the
# same refusal in every build.
under_256m() { (ulimit -v 262144 && "$@"); }
if under_256m "$tinyvmm" --version >/dev/null 2>&1; then
	run_via=under_256m run 1 1 \
		'guest RAM: cannot map 1024 MiB \(--mem\): RLIMIT_AS \(ulimit -v\) allows 256 MiB' \
		'a --mem above RLIMIT_AS is one clear line' -- --kernel "$kernel" --mem 1G
	if $no_kvm_works; then
		run_via='under_256m no_kvm' run 1 1 'cannot open /dev/kvm' \
			'a --mem within RLIMIT_AS gets past guest RAM' -- --kernel "$kernel" --mem 64M
	else
		skip 1 "/dev/kvm exists and cannot be hidden here (not root?): the next step cannot be shown failing"
	fi
else
	skip 2 "this build cannot start under ulimit -v (sanitizers)"
fi

# x86: a --kernel that is no bzImage runs as a flat image, unless it is
# clearly something else (arch/x86/flat_image.h; test_x86_flat_image has
# the cases): an arm64 Image is refused, not run as x86 code. Needs KVM.
if [ "$(uname -m)" = x86_64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	head -c 56 /dev/zero >"$scratch/Image"
	printf 'ARM\x64' >>"$scratch/Image"
	head -c 4096 /dev/zero >>"$scratch/Image"
	run 1 1 "^tinyvmm: --kernel $scratch/Image: an arm64 Linux Image \\(\"ARM\\\\x64\" at offset 56\\), not an x86 kernel\$" \
		'x86: an arm64 Image is refused, not run as a flat image' -- -k "$scratch/Image"
else
	skip 1 "not an x86_64 host with a usable /dev/kvm"
fi
# x86: refusals of a Linux boot give the sizes involved. A synthetic
# bzImage (as test_x86_bzimage's make_image: protocol 2.15, cmdline_size
# 2047, init_size 32 MiB at pref_address 16 MiB, so the kernel ends at
# 48 MiB); refused before it could run. Needs KVM.
if [ "$(uname -m)" = x86_64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && command -v python3 >/dev/null; then
	python3 - "$scratch/bzImage" <<'PY'
import struct, sys
p = bytearray(5 * 512 + 0x1000)
def le(off, v, n): p[off:off + n] = v.to_bytes(n, "little")
p[0x1f1] = 4; le(0x1f4, 0x100, 4); le(0x1fe, 0xaa55, 2)
p[0x200] = 0xeb; p[0x201] = 0x6a; p[0x202:0x206] = b"HdrS"
le(0x206, 0x020f, 2); le(0x214, 0x100000, 4); p[0x211] = 1
le(0x22c, 0x7fffffff, 4); le(0x230, 2 << 20, 4); p[0x234] = 1; p[0x235] = 21
le(0x236, 3, 2); le(0x238, 2047, 4); le(0x248, 0x100, 4); le(0x24c, 0x800, 4)
le(0x258, 16 << 20, 8); le(0x260, 32 << 20, 4)
p[0xa00 + 0x200:0xa00 + 0x202] = b"\x0f\x0b"  # ud2 at the 64-bit entry
open(sys.argv[1], "wb").write(p)
PY
	truncate -s 20M "$scratch/initrd"
	run 1 1 "^tinyvmm: --initrd $scratch/initrd: 20971520 bytes, and the room for it is 16777216 bytes: from the kernel's end at 0x3000000 to 0x4000000 \\(--mem 64M, or the kernel's initrd_addr_max if lower\\)\$" \
		'x86: initrd too big gives its size and the room there is' -- -k "$scratch/bzImage" -i "$scratch/initrd" -m 64M
	run 1 1 "^tinyvmm: --kernel $scratch/bzImage: needs guest RAM up to 0x3000000 \\(48 MiB: its load address and init_size\\), more than --mem 32M\$" \
		'x86: a kernel too big for --mem gives both sizes' -- -k "$scratch/bzImage" -m 32M
	run 1 1 "^tinyvmm: --cmdline: 2048 bytes, longer than the kernel's cmdline_size of 2047 bytes\$" \
		"x86: a command line longer than the kernel's cmdline_size gives both lengths" -- -k "$scratch/bzImage" -m 64M -p "$(printf '%02048d' 0)"
	# -v: where the kernel, initrd and tables went, and the devices.
	# The entry is a ud2 with no IDT: a triple fault, exit 3 (reset).
	truncate -s 1M "$scratch/initrd"
	truncate -s 1M "$scratch/disk"
	out=$("${guest[@]}" -v -k "$scratch/bzImage" -i "$scratch/initrd" -m 64M -d "$scratch/disk" -p console=ttyS0 2>&1)
	rc=$? ok=0
	[ $rc -eq 3 ] || ok=1
	for re in "^tinyvmm: kernel: bzImage $scratch/bzImage, protected-mode part at 0x100000-0x101000 \\(4096 bytes\\), running up to 0x3000000 \\(init_size\\), entry 0x100200\$" \
		"^tinyvmm: initrd: $scratch/initrd at 0x3f00000-0x4000000 \\(1048576 bytes\\)\$" \
		'^tinyvmm: zero page at 0x7000, command line at 0x20000 \(14 bytes\), ACPI tables at 0xe0000 \(RSDP first, up to 131072 bytes\)$' \
		'^tinyvmm: console: 16550 UART at I/O port 0x3f8 \(8 bytes\), IRQ 4$' \
		'^tinyvmm: virtio-blk: MMIO 0x[0-9a-f]+-0x[0-9a-f]+ \(0x200 bytes\), IRQ [0-9]+$'; do
		grep -Eq -- "$re" <<<"$out" || { ok=1; out+=$'\n'"missing: $re"; }
	done
	tap_check $ok '-v: where kernel, initrd and tables went, which device sits where' "exit $rc (wanted 3), output:" "$out"
	printf '\x0f\x0b' >"$scratch/flat"
	out=$("${guest[@]}" -v -k "$scratch/flat" 2>&1)
	rc=$? ok=0
	[ $rc -eq 3 ] || ok=1
	grep -Eq '^tinyvmm: kernel: flat image .*/flat at 0x100000-0x100002 \(2 bytes\), entered at its first byte$' <<<"$out" || ok=1
	tap_check $ok '-v: where a flat image went' "exit $rc (wanted 3), output:" "$out"
else
	skip 5 "not an x86_64 host with a usable /dev/kvm and python3"
fi

# Every path on the command line is checked before /dev/kvm is opened:
# without KVM a mistyped one is said as such, not as "cannot open /dev/kvm".
if $no_kvm_works; then
	run_via=no_kvm run 1 1 '^tinyvmm: cannot open /dev/kvm' 'no /dev/kvm gives one clear line' -- --kernel "$kernel"
	run_via=no_kvm run 1 1 '^tinyvmm: --kernel /nonexistent: No such file or directory$' \
		'no /dev/kvm: a missing --kernel is said as such' -- --kernel /nonexistent
	run_via=no_kvm run 1 1 '^tinyvmm: --kernel /: not a regular file$' \
		'no /dev/kvm: a --kernel directory is said as such' -- -k /
	run_via=no_kvm run 1 1 "^tinyvmm: --initrd $scratch/none: No such file or directory\$" \
		'no /dev/kvm: a missing --initrd is said as such' -- -k "$kernel" -i "$scratch/none"
	run_via=no_kvm run 1 1 "^tinyvmm: --disk $scratch/none: No such file or directory\$" \
		'no /dev/kvm: a missing --disk is said as such' -- -k "$kernel" -d "$scratch/none"
	run_via=no_kvm run 1 1 "^tinyvmm: --disk vhost-user=$scratch/kernel: not a unix socket\$" \
		'no /dev/kvm: a --disk vhost-user= that is no socket is said as such' -- -k "$kernel" -d "vhost-user=$scratch/kernel"
	run_via=no_kvm run 1 1 "^tinyvmm: --json $scratch/no/r.json: cannot create it in $scratch/no: No such file or directory\$" \
		'no /dev/kvm: a --json in a missing directory is said as such' -- --bench --json "$scratch/no/r.json"
	run_via=no_kvm run 1 1 "^tinyvmm: --dtb-out $scratch: is a directory\$" \
		'no /dev/kvm: a --dtb-out that is a directory is said as such' -- -k "$kernel" --dtb-out "$scratch"
	# --dtb-out without --kernel: the tree is pure data, no /dev/kvm needed.
	out=$(no_kvm "$tinyvmm" --dtb-out "$scratch/t.dtb" -c 3 -d "$scratch/kernel,ro" -p console=ttyS0 2>&1)
	rc=$?
	magic=$(od -An -tx1 -N4 "$scratch/t.dtb" 2>/dev/null | tr -d ' ')
	[ $rc -eq 0 ] && [ -z "$out" ] && [ "$magic" = d00dfeed ]
	tap_check $? 'no /dev/kvm: --dtb-out without --kernel writes the tree' "exit $rc, magic '$magic', output:" "$out"
	if command -v dtc >/dev/null; then
		dts=$(dtc -I dtb -O dts "$scratch/t.dtb" 2>&1)
		[ "$(grep -c 'device_type = "cpu"' <<<"$dts")" -eq 3 ] &&
			grep -q 'bootargs = "console=ttyS0"' <<<"$dts" &&
			grep -q 'compatible = "virtio,mmio"' <<<"$dts"
		tap_check $? 'no /dev/kvm: the tree has the 3 cpus, the command line and the disk' "$dts"
	else
		skip 1 "no dtc to read the tree"
	fi
else
	skip 10 "/dev/kvm exists and cannot be hidden here (not root?)"
fi
# The guest's console goes to stdout: what a full disk took from it is
# said in one line, and the guest's clean power-off exits 1, not 0.
if [ "$(uname -m)" = x86_64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ -n "$hello" ] && [ -w /dev/full ]; then
	out=$("${guest[@]}" -k "$hello" 2>&1 >/dev/full)
	rc=$?
	[ "$rc" -eq 1 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] &&
		grep -Eq "^tinyvmm: console: [1-9][0-9]* bytes of the guest's output were not written to standard output: No space left on device\$" <<<"$out"
	tap_check $? "a guest's console output to a full disk: one line, exit 1" "exit $rc (wanted 1), stderr:" "$out"
	"${guest[@]}" -k "$hello" >/dev/null 2>&1
	tap_check $? "the same guest with stdout writable exits 0"
else
	skip 2 "not an x86_64 host with a usable /dev/kvm, the hello guest and /dev/full"
fi
# x86: the tree built without KVM is the one a flat guest gets from a VM.
if [ "$(uname -m)" = x86_64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	printf '\x0f\x0b' >"$scratch/ud2"
	"${guest[@]}" -k "$scratch/ud2" --dtb-out "$scratch/vm.dtb" -c 3 -d "$scratch/kernel,ro" -p console=ttyS0 >/dev/null 2>&1
	"$tinyvmm" --dtb-out "$scratch/pure.dtb" -c 3 -d "$scratch/kernel,ro" -p console=ttyS0 2>&1
	cmp "$scratch/vm.dtb" "$scratch/pure.dtb"
	tap_check $? "x86: --dtb-out's tree without a guest is byte for byte the flat guest's"
else
	skip 1 "not an x86_64 host with a usable /dev/kvm"
fi
tap_done
