#!/usr/bin/env bash
# usage: virtio.sh vhe|nvhe|svm
# tinyvmm's virtio devices under Debian's Linux (arm64 for vhe and nvhe,
# amd64 for svm), in one boot of the emulated host of that arch in one KVM
# mode. The guest runs lab/guest-init's devcheck
# workload:
#   1. virtio-blk: it writes a pattern to /dev/vda with a flush and reads
#      it back; after tinyvmm exits, the image file must hold that pattern
#      at that offset and zeros elsewhere. /dev/vdb, a --disk ...,ro, must
#      be read-only to the guest and its image unchanged. /dev/vda goes
#      through io_uring (io=uring), /dev/vdb runs on the I/O thread
#      (io=sync), which io=auto picks for these images in the host's tmpfs.
#   2. virtio-net on vhost-net (the default), then, in a second run, on
#      tinyvmm's userspace dataplane (vhost=off): the guest pings the host
#      through the tap tinyvmm creates, sends it 2 MiB over TCP (the host
#      checks them) and receives 2 MiB from it (the guest checks them).
#   3. vhost-user-blk, in that second run: /dev/vda is served by the real
#      qemu-storage-daemon (Debian's, lab/run --host-tools qsd)
#      from an image file, checked like the one in 1.
#   4. the guest's device report, tinyvmm's boot-timer line, exit status 0.
#   5. a missing --disk file: one line, exit 1 (set-up failure).
# Output is TAP.
set -u
mode=$1
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
lab_mode "$mode"

# Runs in the emulated host (busybox sh). Each tinyvmm run is named: its
# console (the guest's output) follows "@@begin NAME"; its exit status,
# stderr and the host's side of its tap come after it as "@@rc NAME",
# "@@err NAME" and "@@tap NAME" lines, and with a tap whether the host got
# the guest's TCP bytes intact as "@@tcp NAME ...". The pattern is the guest's
# (devcheck_pattern in lab/guest-init): 1 MiB at 1 MiB on /dev/vda, 2 MiB
# over TCP to port 5000, the same back from port 5001.
# shellcheck disable=SC2016 # expanded by the emulated host's shell
script='
pattern() { # MIB
	seq 1000000 $((999999 + $1 * 65536)) | sed "s/^1/devcheck /"
}

# tinyvmm creates tap TAP: give the host its end once it exists.
tap_up() { # TAP
	i=0
	while [ ! -e "/sys/class/net/$1" ]; do
		[ $i -lt 300 ] || { echo "$1 never appeared"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	ip addr add 192.168.100.1/24 dev "$1" && ip link set "$1" up && echo "$1 up"
}

# The host side of the TCP transfer of devcheck, one connection per port:
# 5000 keeps what comes in /tmp/tcp.rx, 5001 sends the pattern and closes.
# nc -e, because busybox nc -l would also shut down its own sending side
# at the end of its stdin, and the nc in the guest exits on that at once.
pattern 2 >/tmp/tcp.pattern
printf "#!/bin/sh\nexec cat >/tmp/tcp.rx\n" >/tmp/tcp-keep
printf "#!/bin/sh\nexec cat /tmp/tcp.pattern\n" >/tmp/tcp-send
chmod 755 /tmp/tcp-keep /tmp/tcp-send
tcp_serve() {
	rm -f /tmp/tcp.rx
	timeout 120 nc -l -p 5000 -e /tmp/tcp-keep &
	bg="$bg $!"
	timeout 120 nc -l -p 5001 -e /tmp/tcp-send &
	bg="$bg $!"
}
tcp_check() { # NAME
	if cmp -s /tmp/tcp.pattern /tmp/tcp.rx; then
		echo "@@tcp $1 from guest ok"
	else
		echo "@@tcp $1 from guest differs: $(wc -c </tmp/tcp.rx) bytes, md5 $(md5sum </tmp/tcp.rx)"
	fi
}

run() { # NAME TAP|- TINYVMM-ARGS...
	name=$1 tap=$2 bg=""
	shift 2
	if [ "$tap" != - ]; then
		tap_up "$tap" >/tmp/tap 2>&1 &
		bg="$bg $!"
		tcp_serve
	fi
	echo "@@begin $name"
	tinyvmm --kernel '"$linux_kernel"' --initrd /guest/linux/initrd.cpio.gz \
		--cmdline "console=ttyS0 quiet panic=-1 tinyvmm.workload=devcheck" \
		--mem 256M "$@" 2>/tmp/err
	echo "@@rc $name $?"
	# Listeners the guest never reached must not hold the next run up.
	kill $bg 2>/dev/null
	wait $bg
	sed "s/^/@@err $name /" /tmp/err
	[ "$tap" = - ] || { sed "s/^/@@tap $name /" /tmp/tap; tcp_check "$name"; }
	# The tap goes with tinyvmm: let it go before the next run makes it again.
	i=0
	while [ -e "/sys/class/net/$tap" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# IMAGE holds the pattern of devcheck at 1 MiB and zeros elsewhere.
image_check() { # NAME IMAGE
	if out=$(cmp /tmp/want.img "$2" 2>&1); then
		echo "@@image $1 ok"
	else
		echo "@@image $1 differs: $out"
	fi
}

dd if=/dev/zero of=/tmp/rw.img bs=1M count=8 2>/dev/null
pattern 1 >/tmp/ro.img
ro_sum=$(md5sum </tmp/ro.img)
{ dd if=/dev/zero bs=1M count=1; pattern 1; dd if=/dev/zero bs=1M count=6; } \
	>/tmp/want.img 2>/dev/null
run vhost tv0 --disk /tmp/rw.img,io=uring --disk /tmp/ro.img,ro,io=sync --net tap=tv0
image_check rw /tmp/rw.img
[ "$(md5sum </tmp/ro.img)" = "$ro_sum" ] && echo "@@image ro unchanged"

dd if=/dev/zero of=/tmp/vub.img bs=1M count=8 2>/dev/null
qemu-storage-daemon --blockdev driver=file,node-name=f,filename=/tmp/vub.img \
	--export type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=/tmp/vub.sock,writable=on \
	>/tmp/qsd 2>&1 &
qsd=$!
i=0
while [ ! -S /tmp/vub.sock ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S /tmp/vub.sock ] || echo "@@qsd no /tmp/vub.sock after 30 s"
run user tv0 --disk vhost-user=/tmp/vub.sock --net tap=tv0,vhost=off
kill -0 $qsd 2>/dev/null && echo "@@qsd running"
kill $qsd 2>/dev/null
wait $qsd
echo "@@qsd rc $?"
sed "s/^/@@qsd /" /tmp/qsd
image_check vub /tmp/vub.img

run nodisk - --disk /nonexistent
'

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$src/lab/run" --arch "$lab_arch" --mode "$mode" --linux-guest --host-tools qsd \
	--timeout 900 --modules "tun vhost_iotlb vhost vhost_net" -- "$script" 2>&1 |
	tr -d '\r' >"$log"
status=${PIPESTATUS[0]}
tap_check "$status" "$mode: lab boots and runs tinyvmm with the devcheck guest" \
	"lab/run exited $status:" "$(tail -n 20 "$log")"

# The console of run NAME: from its @@begin to the next @@begin.
console() { # NAME
	awk -v n="$1" '$1 == "@@begin" { on = $2 == n; next } on' "$log"
}

# found NAME REGEX DESCRIPTION: a line of run NAME's output matches.
found() {
	console "$1" | grep -Eq -- "$2"
	tap_check $? "$mode: $1: $3" "no line matching: $2" \
		"$(console "$1" | grep -E '^@@(result|devices|rc|err|tap|tcp|qsd|image)' | tail -n 15)"
}

# absent NAME REGEX DESCRIPTION: no line of run NAME's output matches.
absent() {
	local hits
	hits=$(console "$1" | grep -E -- "$2")
	[ -z "$hits" ]
	tap_check $? "$mode: $1: $3" "unexpected:" "$hits"
}

dev='^@@result devcheck '
found vhost '^@@devices virtio=3 blk=vda,vdb net=eth0$' \
	'the guest finds two disks and a NIC'
found vhost '^@@err vhost tinyvmm: boot timer: init_ms=[0-9.]+ .*overhead_kib=-?[0-9]+$' \
	'tinyvmm prints the boot timer with numbers'
found vhost "$dev.*blk=ok flush=yes " \
	'the guest reads back what it wrote to /dev/vda, with a flush'
found vhost '^@@image rw ok$' \
	'the image holds the pattern at 1 MiB and zeros elsewhere'
found vhost "$dev.* ro=ok " \
	'/dev/vdb (ro) is read-only to the guest and a write fails'
found vhost '^@@image ro unchanged$' 'the read-only image is unchanged'
found vhost '^@@err vhost tinyvmm: device virtio-blk .*path=/tmp/rw.img .* io=uring .*requests=[1-9]' \
	'/dev/vda is served through io_uring (io=uring)'
found vhost '^@@err vhost tinyvmm: device virtio-blk .*path=/tmp/ro.img .* io=sync .*requests=[1-9]' \
	'/dev/vdb is served on the I/O thread (io=sync)'
found vhost '^@@tap vhost tv0 up$' 'tinyvmm creates tap tv0'
found vhost "$dev.* net=ok " 'the guest pings the host through the tap'
found vhost "$dev.* net_tcp=ok$" \
	'TCP: the guest sends 2 MiB and receives 2 MiB intact'
found vhost '^@@tcp vhost from guest ok$' 'TCP: the host gets the 2 MiB intact'
found vhost '^@@err vhost tinyvmm: device virtio-net .*tap=tv0 dataplane=vhost-net ' \
	'the NIC runs on vhost-net'
absent vhost '^@@err vhost .*(unavailable|userspace dataplane)' \
	'no fallback to the userspace dataplane'
found vhost 'reboot: Power down' 'the guest powers off'
found vhost '^@@rc vhost 0$' 'tinyvmm exits 0'
found user '^@@devices virtio=2 blk=vda net=eth0$' \
	'vhost-user: the guest finds the vhost-user disk and a NIC'
found user "$dev.*blk=ok flush=yes " \
	'vhost-user-blk: the guest reads back what it wrote to /dev/vda, with a flush'
found user '^@@image vub ok$' \
	"vhost-user-blk: qemu-storage-daemon's image holds the pattern at 1 MiB and zeros elsewhere"
absent user '^@@err user .*vhost-user' 'vhost-user-blk: no error from the vhost-user device'
found user '^@@qsd running$' 'vhost-user-blk: qemu-storage-daemon outlives the session'
found user '^@@qsd rc 0$' 'vhost-user-blk: qemu-storage-daemon exits 0 on SIGTERM'
found user "$dev.* net=ok " 'vhost=off: the guest pings the host through the tap'
found user "$dev.* net_tcp=ok$" \
	'vhost=off: TCP: the guest sends 2 MiB and receives 2 MiB intact'
found user '^@@tcp user from guest ok$' 'vhost=off: TCP: the host gets the 2 MiB intact'
found user '^@@err user tinyvmm: device virtio-net .*tap=tv0 dataplane=userspace ' \
	'vhost=off: the NIC runs on the userspace dataplane'
found user '^@@rc user 0$' 'vhost=off, vhost-user-blk: tinyvmm exits 0'
found nodisk '^@@rc nodisk 1$' '--disk /nonexistent: exit 1 (set-up failed)'
found nodisk '^@@err nodisk tinyvmm: .*/nonexistent: No such file or directory$' \
	'--disk /nonexistent: stderr names the file and the cause'
[ "$(console nodisk | grep -c '^@@err nodisk ')" = 1 ]
tap_check $? "$mode: nodisk: --disk /nonexistent: one line on stderr" \
	"more than one:" "$(console nodisk | grep '^@@err nodisk ')"
tap_done
