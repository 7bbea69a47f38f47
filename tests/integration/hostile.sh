#!/usr/bin/env bash
# usage: hostile.sh vhe|nvhe|svm [asan]
# The malicious-guest test (issue 4 item 6, issue 6 item 4). In one boot of
# the emulated host in one KVM mode (vhe, nvhe: arm64; svm: x86_64),
# tinyvmm runs that arch's hostile guest (guest/common/hostile.c with
# guest/ARCH/hostile_ARCH.c) twice with a virtio-blk disk and a virtio-net
# NIC: on the userspace net dataplane (vhost=off), then on vhost-net. The
# guest attacks both devices (bogus register values and accesses, hostile
# descriptor chains, bad requests, resets with I/O in flight, unmapped
# addresses, and on x86 unmapped I/O ports, then WFI or HLT storms; its
# header has the list) and powers off. tinyvmm must, on either arch:
#   1. survive: exit 0 after the guest's power-off (PSCI SYSTEM_OFF, ACPI
#      S5), no signal, no hang, and print its device report at exit;
#   2. let the guest finish with nothing unexpected: DEVICE_NEEDS_RESET on
#      every hostile chain its own dataplanes walk (virtio-blk always,
#      virtio-net on the userspace one), the spec's status for each bad
#      virtio-blk request, the register state checks;
#   3. serve a valid request after all that: sector 0 reads back as the
#      test wrote it, and the guest never wrote it;
#   4. say on stderr that the devices broke, and no more than that: at most
#      VIRTIO_MMIO_MAX_REPORTS (8) lines per device, 8 per vCPU about
#      unmapped addresses and ports, one about tap writes, under 200 in all.
#   5. with "asan": all of the above with tinyvmm built with AddressSanitizer
#      and UndefinedBehaviorSanitizer (lab/run --asan), so any access
#      outside what tinyvmm allocated, any leak at exit and any undefined
#      behaviour ends the run with a report; none may appear. It runs with
#      --no-seccomp: a sanitizer's report and LeakSanitizer's exit check
#      need syscalls outside the allow-lists.
# Output is TAP.
set -u
mode=$1 sanitized=${2:-}
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root

lab_mode "$mode"
host_mode=$mode lab_opts=() tinyvmm=tinyvmm
case $sanitized in
'') ;;
asan)
	lab_opts=(--asan)
	tinyvmm='ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98 tinyvmm --no-seccomp'
	mode="$mode (asan)"
	;;
*) echo "usage: hostile.sh vhe|nvhe|svm [asan]" >&2; exit 2 ;;
esac
# What the idle phase prints: the instruction, and "nothing pending".
case $lab_arch in
arm64) idle='wfi' idle_none='INTID 1023' ;;
x86_64) idle='hlt' idle_none='none' ;;
esac

# Runs in the emulated host (busybox sh). Each run's console follows
# "@@begin NAME"; its exit status, stderr and the first bytes of its disk
# image come after it as "@@rc NAME", "@@err NAME" and "@@sector0 NAME".
# shellcheck disable=SC2016 # expanded by the emulated host's shell
script='
run() { # NAME NET-SPEC
	dd if=/dev/zero of=/tmp/img bs=1M count=1 2>/dev/null
	printf TINYVMM-HOSTILE-SECTOR-0 | dd of=/tmp/img conv=notrunc 2>/dev/null
	echo "@@begin $1"
	@TINYVMM@ --kernel /guest/hostile.img --disk /tmp/img --net "$2" 2>/tmp/err
	echo "@@rc $1 $?"
	sed "s/^/@@err $1 /" /tmp/err
	echo "@@sector0 $1 $(head -c 24 /tmp/img)"
	# The tap goes with tinyvmm: let it go before the next run makes it again.
	i=0
	while [ -e /sys/class/net/tv0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
run user tap=tv0,vhost=off
run vhost tap=tv0,vhost=on
'

script=${script//@TINYVMM@/$tinyvmm}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$src/lab/run" --arch "$lab_arch" --mode "$host_mode" ${lab_opts[@]+"${lab_opts[@]}"} --timeout 600 \
	--modules "tun vhost_iotlb vhost vhost_net" -- "$script" 2>&1 |
	tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
tap_check "$status" "$mode: lab boots and runs tinyvmm with the hostile guest twice" \
	"lab/run exited $status:" "$(tail -n 20 "$log")"

# The output of run NAME: from its @@begin to the next @@begin.
output() { # NAME
	awk -v n="$1" '$1 == "@@begin" { on = $2 == n; next } on' "$log"
}
# tinyvmm's stderr in run NAME, without the prefix.
stderr_of() { # NAME
	output "$1" | sed -n "s/^@@err $1 //p"
}

# found NAME REGEX DESCRIPTION: a line of run NAME's output matches.
found() {
	output "$1" | grep -Eq -- "$2"
	tap_check $? "$mode: $1: $3" "no line matching: $2" \
		"$(output "$1" | grep -E '^(hostile: [^ ]+: [a-z]+:|hostile: [a-z]+:|@@)' | tail -n 25)"
}

# at_most NAME REGEX N DESCRIPTION [EXCEPT]: at most N lines of stderr
# match REGEX (and not EXCEPT).
at_most() {
	local lines n
	lines=$(stderr_of "$1" | grep -E -- "$2")
	[ -z "${5:-}" ] || lines=$(grep -Ev -- "$5" <<<"$lines")
	n=$(grep -c . <<<"$lines")
	tap_check $((n <= $3 ? 0 : 1)) "$mode: $1: $4" \
		"$n lines match $2, wanted at most $3:" "$(head -n 20 <<<"$lines")"
}

blk='virtio-blk@0x[0-9a-f]+'
net='virtio-net@0x[0-9a-f]+'
# "chains: N attacks: N needs-reset (N with a config interrupt)"
all_reset='chains: ([0-9]+) attacks: \1 needs-reset \(\1 with a config interrupt\)'

for run in user vhost; do
	found $run "^@@rc $run 0\$" \
		"tinyvmm survives the hostile guest and exits 0 after its power-off"
	found $run '^hostile: done: 2 devices, 0 unexpected$' \
		'the guest runs every phase to "hostile: done" with nothing unexpected'
	found $run "^hostile: $blk: $all_reset, 0 used" \
		'virtio-blk: every hostile chain sets DEVICE_NEEDS_RESET and raises the config interrupt'
	found $run "^hostile: $blk: requests: ([0-9]+) bad requests, \\1 answered as the spec asks\$" \
		'virtio-blk: each bad request gets the status the spec asks for'
	found $run "^hostile: $blk: registers: .*; state checks ([0-9]+)/\\1 as expected\$" \
		'virtio-blk: register sweeps, then every state check holds'
	found $run "^hostile: $net: registers: .*; state checks ([0-9]+)/\\1 as expected\$" \
		'virtio-net: register sweeps, then every state check holds'
	found $run "^hostile: $blk: valid read after reset: used, status 0, 513 bytes used\$" \
		'virtio-blk: after the reset storms, a valid read of sector 0 returns VIRTIO_BLK_S_OK'
	found $run "^hostile: $blk: sector 0 begins \"TINYVMM-HOSTILE-SECTOR-0" \
		'virtio-blk: ... with the bytes the test wrote there'
	found $run "^@@sector0 $run TINYVMM-HOSTILE-SECTOR-0\$" \
		'the guest never wrote sector 0 of the image'
	found $run "^hostile: $net: valid frame after reset: used\$" \
		'virtio-net: after the reset storms, a valid frame is sent'
	found $run '^hostile: unmapped: ([0-9]+) reads and [0-9]+ writes at [0-9]+ holes; \1 reads gave all ones$' \
		'reads of unmapped addresses give all ones'
	found $run "^hostile: $idle: 100 sleeps .*pending after: $idle_none\$" \
		"$idle sleeps and a $idle storm end (a timer wakes them)"
	found $run "^@@err $run tinyvmm: virtio-blk at 0x[0-9a-f]+: queue 0: .*; the device needs a reset" \
		'stderr names the broken virtio-blk queue (DEVICE_NEEDS_RESET)'
	found $run "^@@err $run tinyvmm: virtio-blk at 0x[0-9a-f]+: .*; not reporting more\$" \
		'virtio-blk reports are rate-limited'
	at_most $run '^tinyvmm: virtio-blk at ' 8 'at most 8 lines about virtio-blk'
	# The transport's budget; the tap's one line is net_user's own.
	at_most $run '^tinyvmm: virtio-net at ' 8 'at most 8 lines about virtio-net' \
		'writing a packet to its tap'
	# arm64's first is a hole; x86's an unaligned register access that
	# straddles two devices, which neither may take.
	found $run "^@@err $run tinyvmm: vCPU 0: guest (read|write) of [0-9] bytes at unmapped MMIO address 0x[0-9a-f]+ " \
		'stderr names the unmapped accesses'
	at_most $run 'unmapped (MMIO|port) address' 8 'at most 8 lines about unmapped accesses'
	if [ "$lab_arch" = x86_64 ]; then
		found $run '^hostile: ports: ([0-9]+) reads and [0-9]+ writes at unmapped ports .*; \1 reads gave all ones$' \
			'reads of unmapped I/O ports (random, across edges, rep ins) give all ones'
	fi
	at_most $run 'writing a packet to its tap' 1 \
		'at most one line about frames the tap refused, however many resets'
	at_most $run '' 199 'stderr stays under 200 lines'
	if [ -n "$sanitized" ]; then
		at_most $run 'Sanitizer|runtime error:' 0 \
			'no AddressSanitizer, LeakSanitizer or UBSan report'
	fi
	found $run "^@@err $run tinyvmm: device virtio-blk at 0x[0-9a-f]+: path=/tmp/img " \
		'tinyvmm prints its device report at exit'
done

found user "^hostile: $net: $all_reset, 0 used" \
	'userspace virtio-net: every hostile chain sets DEVICE_NEEDS_RESET'
found user "^@@err user tinyvmm: virtio-net at 0x[0-9a-f]+: queue 1: .*; the device needs a reset" \
	'stderr names the broken virtio-net queue (DEVICE_NEEDS_RESET)'
found user '^@@err user tinyvmm: device virtio-net .*tap=tv0 dataplane=userspace ' \
	'vhost=off: the NIC runs on the userspace dataplane'
# vhost-net walks its rings in the kernel: what it makes of the chains is
# printed, not judged; the guest reaching "done" above is the point.
found vhost "^hostile: $net: chains: ([0-9]+) attacks: .*, 0 down\$" \
	'vhost-net: the guest gets through every chain attack'
found vhost '^@@err vhost tinyvmm: device virtio-net .*tap=tv0 dataplane=vhost-net ' \
	'vhost=on: the NIC runs on vhost-net'
tap_done
