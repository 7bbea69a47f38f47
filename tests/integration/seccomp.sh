#!/usr/bin/env bash
# usage: seccomp.sh vhe|nvhe|svm
# Seccomp confinement (docs/seccomp.md), in one boot of the
# emulated host in one KVM mode (svm: the x86_64 host). TINYVMM_SECCOMP_SELFTEST=KIND makes
# the first thread of that kind call socket(), which no allow-list has,
# right after confining itself, as code run by a break-in would. For each
# kind a run can reach (main, vcpu and its --bench variant, the bench I/O
# backend, vm_switch's peer, the device manager, the virtio-blk and
# virtio-net I/O threads, the vhost-user watcher) tinyvmm must stop with exit status 159 and one
# line naming the thread and the syscall; with --no-seccomp the same runs
# are not stopped (the self-test says "not confined") and the guest
# finishes. A plain run confines main and vCPU threads by default.
# Output is TAP.
set -u
mode=$1
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root

lab_mode "$mode"

# Runs in the emulated host (busybox sh). Each step prints "@@step NAME",
# tinyvmm's output, then "@@rc STATUS" on a line of its own: a guest's
# console output, a byte at a time from a vCPU thread, can be cut short
# mid-line when another thread's refused syscall ends the process.
# shellcheck disable=SC2016 # expanded by the emulated host's shell
script='
step() { # NAME SELFTEST-KIND ARGS...
	n=$1 k=$2
	shift 2
	echo "@@step $n"
	TINYVMM_SECCOMP_SELFTEST=$k tinyvmm "$@" 2>&1
	rc=$?
	echo
	echo "@@rc $rc"
	i=0
	while [ -e /sys/class/net/tv0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
hello="--kernel /guest/hello.img"
bench="--bench --iterations 5 --warmup 1"
dd if=/dev/zero of=/tmp/img bs=1M count=1 2>/dev/null
devs="--kernel /guest/hostile.img --disk /tmp/img --net tap=tv0,vhost=off"
step default "" -v $hello --cpus 2
# Confined, the report sorts 200 samples (qsort over 1 KiB asks sysinfo)
# and writes the JSON into the file opened before.
step bench-report "" --bench --iterations 200 --warmup 1 --bench-only hypercall,mmio_user --json /tmp/b.json
echo @@json
cat /tmp/b.json
echo @@json-end
step main main $hello
step main-off main $hello --no-seccomp
step vcpu vcpu $hello --cpus 2
step vcpu-off vcpu $hello --cpus 2 --no-seccomp
step vcpu-bench vcpu $bench --bench-only hypercall
step bench-io bench-io $bench --bench-only io_out
step peer peer $bench --bench-only vm_switch
step peer-off peer $bench --bench-only vm_switch --no-seccomp
step devices-v "" -v $devs
step devices devices $devs
step blk blk $devs
step net net $devs
step blk-off blk $devs --no-seccomp
step bad gpu $hello

qemu-storage-daemon --blockdev driver=file,node-name=f,filename=/tmp/img \
	--export type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=/tmp/vub.sock,writable=on \
	>/tmp/qsd 2>&1 &
i=0
while [ ! -S /tmp/vub.sock ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
step vhost-user vhost-user $hello --disk vhost-user=/tmp/vub.sock
kill $! 2>/dev/null
'

log=$(mktemp)
trap 'rm -f "$log" "$log.json"' EXIT
"$src/lab/run" --arch "$lab_arch" --mode "$mode" --timeout 900 --host-tools qsd \
	--modules tun -- "$script" 2>&1 | tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
tap_check "$status" "$mode: lab boots and runs the seccomp steps" \
	"lab/run exited $status:" "$(tail -n 20 "$log")"

# Output of step $1 (without markers) and its exit status.
section() {
	awk -v s="$1" '$0 == "@@step " s {on = 1; next}
		on && /^@@rc / {exit} on {print}' "$log"
}
rc_of() {
	awk -v s="$1" '$0 == "@@step " s {on = 1; next}
		on && /^@@rc / {print $2; exit}' "$log"
}
# expect STEP STATUS DESCRIPTION [REGEX...]: status matches (an ERE, as
# 0|1), every regex found
expect() {
	local step=$1 want=$2 desc=$3 out rc ok=0 re
	shift 3
	out=$(section "$step")
	rc=$(rc_of "$step")
	[[ $rc =~ ^($want)$ ]] || ok=1
	for re in "$@"; do
		grep -Eq -- "$re" <<<"$out" || ok=1
	done
	tap_check $ok "$mode: $desc" "exit status ${rc:-none}, wanted $want" \
		"output:" "$(tail -n 25 <<<"$out")"
}
# absent STEP REGEX DESCRIPTION: no line of the step's output matches.
absent() {
	local out
	out=$(section "$1")
	! grep -Eq -- "$2" <<<"$out"
	tap_check $? "$mode: $3" "a line matches $2:" "$(grep -E -- "$2" <<<"$out")"
}
# stopped STEP THREAD-NAME: exit 159 and exactly one line naming both.
stopped() {
	local name=${2//[()]/.} out n
	expect "$1" 159 "$1: the $2 thread is stopped at socket(), exit 159" \
		"seccomp self-test \\(TINYVMM_SECCOMP_SELFTEST\\): the $name thread calls socket\\(\\)" \
		"tinyvmm: seccomp: the $name thread's allow-list refused syscall [0-9]+ \\(socket\\); exiting with status 159\$"
	out=$(section "$1")
	n=$(grep -c 'refused syscall' <<<"$out")
	tap_check $((n == 1 ? 0 : 1)) "$mode: $1: one line says so" "$n lines"
	absent "$1" 'not confined' "$1: socket() never returned"
}
# unconfined STEP: --no-seccomp, so the self-test's socket() goes through.
unconfined() {
	expect "$1" "$2" "$1: with --no-seccomp the self-test is not stopped" \
		'seccomp self-test: socket\(\) returned [0-9]+: this thread is not confined' \
		"${@:3}"
	absent "$1" 'refused syscall' "$1: nothing refused"
}

expect default 0 'a plain run confines the main and vCPU threads, and the guest runs' \
	'tinyvmm: seccomp: main thread: [0-9]+ syscalls, [0-9]+ ioctl requests, [0-9]+ BPF instructions$' \
	'tinyvmm: seccomp: vCPU thread: [0-9]+ syscalls, [0-9]+ ioctl requests, [0-9]+ BPF instructions$' \
	'all 2 cpus online, powering off'
absent default 'refused syscall|self-test' 'a plain run refuses nothing'
expect bench-report 0 'a confined --bench run reports 200 samples per benchmark' \
	'^hypercall +[a-z]+ +200 ' '^mmio_user +[a-z]+ +200 '
absent bench-report 'refused syscall' 'a confined --bench report refuses nothing'
sed -n '/^@@json$/,/^@@json-end$/p' "$log" | sed '1d;$d' >"$log.json"
schema=$("$src/tests/schema-check" "$src/schema/bench.schema.json" "$log.json" 2>&1)
tap_check $? "$mode: the confined main thread writes --json, a document schema/bench.schema.json takes" \
	"$schema" "$(head -c 300 "$log.json")"
stopped main main
unconfined main-off 0 'all 1 cpus online'
stopped vcpu vCPU
absent vcpu 'hello from' 'vcpu: stopped before the guest ran'
unconfined vcpu-off 0 'all 2 cpus online'
stopped vcpu-bench 'vCPU (--bench)'
stopped bench-io 'bench I/O'
stopped peer 'vm_switch peer'
# vm_switch itself may fail without -icount (its peer can miss its turn
# under emulation), seccomp or not: the point is that nothing stops it.
unconfined peer-off '0|1' '^tinyvmm-bench: 1 reported, powering off$'
expect devices-v 0 'a confined run with virtio devices: the device manager starts them, the guest runs' \
	'tinyvmm: seccomp: device manager thread: [0-9]+ syscalls, [0-9]+ ioctl requests, [0-9]+ BPF instructions$' \
	'tinyvmm: seccomp: virtio-blk I/O thread: ' 'tinyvmm: seccomp: virtio-net I/O thread: ' \
	'hostile: done'
absent devices-v 'refused syscall' 'devices-v: nothing refused'
stopped devices 'device manager'
stopped blk 'virtio-blk I/O'
stopped net 'virtio-net I/O'
unconfined blk-off 0 'hostile: done'
stopped vhost-user 'vhost-user watcher'
expect bad 1 'an unknown TINYVMM_SECCOMP_SELFTEST kind is refused, naming the kinds' \
	'^tinyvmm: TINYVMM_SECCOMP_SELFTEST=gpu: not a thread kind \(main, vcpu, vcpu-bench, blk, net, vhost-user, bench-io, peer, devices\)$'
tap_done
