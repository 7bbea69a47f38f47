#!/usr/bin/env bash
# usage: arm64_linux.sh vhe|nvhe
# Boots Debian's arm64 Linux under tinyvmm, inside the emulated host in
# one KVM mode: the kernel must find our machine (device tree, GICv3,
# PSCI SMP), drive the 16550 as its console, reach init and power off.
# Output is TAP.
set -u
mode=$1
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=tap.sh
. "$here/tap.sh"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$src/lab/run" --arch arm64 --mode "$mode" --linux-guest --timeout 900 -- \
	'tinyvmm --kernel /guest/linux/Image --initrd /guest/linux/initrd.cpio.gz' \
	'--cmdline "console=ttyS0 panic=-1" --cpus 2 --mem 256M; echo "@@rc $?"' \
	>"$log" 2>&1
status=$?
tap_check $status "$mode: lab boots and runs tinyvmm with a Linux guest" \
	"lab/run exited $status:" "$(tail -n 20 "$log")"

found() { # REGEX DESCRIPTION
	grep -Eq -- "$1" "$log"
	tap_check $? "$mode: $2" "no line matching: $1" "$(tail -n 15 "$log")"
}
found 'Machine model: tinyvmm([^[:alnum:]]|$)' 'Linux reads the device tree tinyvmm built'
found 'GICv3: CPU1: found redistributor 1 ' 'Linux finds a GICv3 redistributor per vCPU'
found 'smp: Brought up 1 node, 2 CPUs' 'Linux brings up both vCPUs with PSCI'
found '9000000\.uart: ttyS0 at MMIO 0x9000000 .* is a 16550A' 'the 8250 driver takes the UART as a 16550A'
found '^tinyvmm-linux-guest: init reached \([^,]+, 2 cpus\)' 'Linux reaches init with its console on the UART'
found 'reboot: Power down' 'the guest powers off'
found '^@@rc 0$' 'tinyvmm exits 0 after the guest powers off'
tap_done
