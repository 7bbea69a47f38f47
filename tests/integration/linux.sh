#!/usr/bin/env bash
# usage: linux.sh vhe|nvhe|svm
# Boots Debian's Linux under tinyvmm, inside the emulated host in one KVM
# mode: the kernel must find our machine (arm64: device tree, GICv3, PSCI
# SMP, and the SVE and pointer authentication KVM offers; x86_64: e820,
# ACPI tables with the MADT for SMP), drive the 16550 as its console,
# reach init and power off. Output is TAP.
set -u
mode=$1
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
lab_mode "$mode"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$src/lab/run" --arch "$lab_arch" --mode "$mode" --linux-guest --timeout 900 -- \
	'tinyvmm --host-info | grep "^guest cpu:";' \
	"tinyvmm --kernel $linux_kernel --initrd /guest/linux/initrd.cpio.gz" \
	'--cmdline "console=ttyS0 panic=-1" --cpus 2 --mem 256M; echo "@@rc $?"' \
	>"$log" 2>&1
status=$?
tap_check $status "$mode: lab boots and runs tinyvmm with a Linux guest" \
	"lab/run exited $status:" "$(tail -n 20 "$log")"

found() { tap_found "$log" "$mode" "$@"; }
absent() { tap_absent "$log" "$mode" "$@"; }
if [ "$lab_arch" = arm64 ]; then
	found 'Machine model: tinyvmm([^[:alnum:]]|$)' 'Linux reads the device tree tinyvmm built'
	found 'GICv3: CPU1: found redistributor 1 ' 'Linux finds a GICv3 redistributor per vCPU'
	found 'smp: Brought up 1 node, 2 CPUs' 'Linux brings up both vCPUs with PSCI'
	# The ITS node (on by default where KVM offers one): Linux's ITS
	# driver probes it at the address tinyvmm placed it and gets LPIs.
	found 'ITS \[mem 0x08080000-0x0809ffff\]' "Linux's ITS driver finds the arm,gic-v3-its node"
	found 'GICv3: using LPI property table' 'Linux turns on LPIs at the redistributors'
	found '9000000\.uart: ttyS0 at MMIO 0x9000000 .* is a 16550A' 'the 8250 driver takes the UART as a 16550A'
	# The CPU features KVM offers reach the guest (on by default).
	if grep -Eq '^guest cpu: KVM offers .*\<sve\>' "$log"; then
		found 'CPU features: detected: Scalable Vector Extension' 'Linux finds SVE, which KVM offers'
	fi
	if grep -Eq '^guest cpu: KVM offers .*\<ptrauth\>' "$log"; then
		found 'CPU features: detected: Address authentication' 'Linux finds address authentication, which KVM offers'
		found 'CPU features: detected: Generic authentication' 'Linux finds generic authentication, which KVM offers'
	fi
else
	found 'BIOS-e820: \[mem 0x0000000000100000-0x000000000fffffff\] usable' \
		'Linux reads the e820 map: 256 MiB of RAM from 1 MiB'
	found 'ACPI: RSDP 0x00000000000E0000 .*TINYVM' 'Linux finds the RSDP in the BIOS area'
	found 'ACPI: DSDT 0x[0-9A-F]+ .*TINYVMM' "Linux loads tinyvmm's DSDT"
	found 'ACPI: Using ACPI \(MADT\) for SMP configuration information' 'Linux takes the CPUs from the MADT'
	found 'smp: Brought up 1 node, 2 CPUs' 'Linux brings up both vCPUs with INIT/SIPI'
	found 'ttyS0 at I/O 0x3f8 \(irq = 4.* is a 16550A' 'the 8250 driver takes COM1 as a 16550A'
	found 'ACPI: PM: \(supports S0 S5\)' 'ACPI offers S5 (poweroff)'
	absent 'ACPI (Error|Warning)' 'no ACPI error or warning'
	absent '^tinyvmm: .*unmapped port' 'no unmapped port access'
	# QEMU 7.2's SVM never checked the XSETBV intercept, so KVM kept the
	# guest's XCR0 at 1 and Linux found its XSAVE sizes inconsistent
	# (docs/x86-notes.md); QEMU 10 intercepts it.
	absent 'XSAVE consistency problem' "Linux's XSAVE sizes agree (the guest's XSETBV reaches KVM)"
fi
found '^tinyvmm-linux-guest: init reached \([^,]+, 2 cpus\)' 'Linux reaches init with its console on the UART'
found 'reboot: Power down' 'the guest powers off'
found '^@@rc 0$' 'tinyvmm exits 0 after the guest powers off'
tap_done
