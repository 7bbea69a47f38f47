#!/usr/bin/env bash
# usage: arm64_nested.sh
# A guest hypervisor: the emulated arm64 host boots with
# kvm-arm.mode=nested (lab/run --mode nested), and tinyvmm --nested runs
# Debian's 7.3 kernel as L1 at EL2 with its own KVM in VHE. Checks what
# the L1 kernel says of the machine tinyvmm built (EL2 entry, the hyp-
# virtual timer, the vGIC maintenance interrupt), that L1's PSCI
# SYSTEM_OFF over SMC ends tinyvmm with 0, and --host-info's nested line.
# About two and a half minutes of wall time (no -icount). Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$src/lab/run" --arch arm64 --mode nested --linux-guest \
	--guest-kernel-version 7.3 --mem 2G --timeout 1200 -- \
	'tinyvmm --host-info | grep "^nested:";' \
	'tinyvmm -v --nested --kernel /guest/linux/Image' \
	'--initrd /guest/linux/initrd.cpio.gz --mem 768M --cpus 2' \
	'--cmdline "console=ttyS0 panic=-1"; echo "@@rc $?";' \
	'tinyvmm --nested --bench; echo "@@bench-rc $?"' \
	>"$log" 2>&1
status=$?
tap_check $status "nested: lab boots and runs tinyvmm --nested with a Linux L1" \
	"lab/run exited $status:" "$(tail -n 20 "$log")"

found() { tap_found "$log" "nested" "$@"; }
absent() { tap_absent "$log" "nested" "$@"; }
found '^nested: +KVM offers a guest EL2 \(KVM_CAP_ARM_EL2' \
	'--host-info says this host can run a guest hypervisor'
found 'tinyvmm: nested: vhe: the vCPUs start at EL2' '-v says the nested choice'
found 'CPU: All CPU\(s\) started at EL2' 'L1 starts every vCPU at EL2 (boot entry and PSCI CPU_ON)'
found 'arch_timer: cp15 timer running at .*\(hyp-virt\)' 'L1 finds the EL2 virtual timer interrupt'
absent 'Firmware Bug' 'L1 reports no firmware bug'
found 'kvm \[1\]: vgic interrupt IRQ9' "L1's KVM takes the maintenance PPI from the GIC node"
found 'kvm \[1\]: VHE mode initialized successfully' "L1's KVM runs in VHE"
found 'tinyvmm: vCPU [0-9]+: guest powered off' "L1's PSCI SYSTEM_OFF over SMC reaches tinyvmm"
found '^@@rc 0$' 'tinyvmm exits 0 when L1 powers off'
found '^tinyvmm: --nested: not with --bench \(the benchmark guest is not a hypervisor\)$' \
	'--nested with --bench is refused'
found '^@@bench-rc 2$' '--nested with --bench is a usage error (2)'
tap_done
