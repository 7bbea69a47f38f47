#!/usr/bin/env bash
# usage: arm64_guest.sh vhe|nvhe [HOST_GIC [KERNEL_VERSION]]
# Boots the emulated arm64 host in one KVM mode (lab/run; HOST_GIC 2 gives
# it a GICv2, so KVM offers only vGICv2; KERNEL_VERSION is lab/run's
# --host-kernel-version, default latest) and, in that one boot, runs
# tinyvmm several ways; then checks each step's output and exit status.
# Output is TAP, one line per check.
set -u
mode=$1
gic=${2:-3}
kver=${3:-latest}
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root

case $mode in
vhe) want_mode='VHE' want_log='VHE mode initialized successfully' ;;
nvhe) want_mode='split (nVHE)' want_log='(Hyp|Hyp nVHE) mode initialized successfully' ;;
*) echo "Bail out! unknown mode $mode"; exit 1 ;;
esac

# Each step prints "@@step NAME", its output, then "@@rc STATUS".
steps='step() { n=$1; shift; echo "@@step $n"; "$@" 2>&1; echo "@@rc $?"; };
step hostinfo tinyvmm --host-info;
step smp1 tinyvmm --kernel /guest/hello.img --cpus 1;
step smp2 tinyvmm --kernel /guest/hello.img --cpus 2;
step verbose tinyvmm --verbose --kernel /guest/hello.img;
step kvmlimit tinyvmm --kernel /guest/hello.img --cpus 9;
step badimage tinyvmm --kernel /bin/busybox;
step tinyram tinyvmm --kernel /guest/hello.img --mem 2M;
dd if=/dev/zero of=/tmp/big.rd bs=1M count=8 2>/dev/null;
step bigrd tinyvmm --kernel /guest/hello.img --initrd /tmp/big.rd --mem 8M;
: > /tmp/empty;
step emptyrd tinyvmm --kernel /guest/hello.img --initrd /tmp/empty;
step emptyk tinyvmm --kernel /tmp/empty;
step cpus tinyvmm --kernel /guest/hello.img --cpus 500;
step dtbout tinyvmm --dtb-out /tmp/t.dtb --cpus 2;
step dtbmagic od -An -tx1 -N4 /tmp/t.dtb;
step dtbvm tinyvmm --kernel /guest/hello.img --dtb-out /tmp/vm.dtb --cpus 2;
step dtbsame cmp /tmp/t.dtb /tmp/vm.dtb;
step initrd tinyvmm -v --kernel /guest/hello.img --initrd /guest/hello.img --cmdline hi;
step raw tinyvmm --verbose --kernel /guest/hello.bin --cpus 2;
step elf tinyvmm --verbose --kernel /guest/hello-ram.elf --cpus 2;
gzip -c /guest/hello.img >/tmp/hello.img.gz;
step gzip tinyvmm --verbose --kernel /tmp/hello.img.gz;
head -c 3000 /tmp/hello.img.gz >/tmp/cut.gz;
step gzcut tinyvmm --kernel /tmp/cut.gz;
dd if=/dev/zero bs=1M count=24 2>/dev/null | gzip >/tmp/bomb.gz;
step gzbomb tinyvmm --kernel /tmp/bomb.gz --mem 16M;
step nested tinyvmm --nested --kernel /guest/hello.img;
step rawram tinyvmm --kernel /guest/hello.bin --mem 2M;
echo 1 >/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages;
step huge1g tinyvmm -v --kernel /guest/hello.img --mem 1G --hugepages=hugetlbfs:1G;
step huge1gshort tinyvmm --kernel /guest/hello.img --mem 2G --hugepages=hugetlbfs:1G'

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# 3G: room for one 1 GiB huge page beside the host's own memory.
"$src/lab/run" --arch arm64 --mode "$mode" --host-gic "$gic" --host-kernel-version "$kver" \
	--mem 3G -- "$steps" >"$log" 2>&1
lab_status=$?
tap_check $lab_status "lab boots the $mode host and runs the steps" \
	"lab/run exited $lab_status:" "$(tail -n 20 "$log")"

# Output of step $1 (without markers) and its exit status in $rc.
section() {
	awk -v s="$1" '$0 == "@@step " s {on = 1; next}
		on && /^@@rc / {exit} on {print}' "$log"
}
rc_of() {
	awk -v s="$1" '$0 == "@@step " s {on = 1; next}
		on && /^@@rc / {print $2; exit}' "$log"
}
# expect STEP STATUS DESCRIPTION [REGEX...]: status matches, every regex found
expect() {
	local step=$1 want=$2 desc=$3 out rc ok=0 re
	shift 3
	out=$(section "$step")
	rc=$(rc_of "$step")
	[ "$rc" = "$want" ] || ok=1
	for re in "$@"; do
		grep -Eq -- "$re" <<<"$out" || ok=1
	done
	tap_check $ok "$mode: $desc" "exit status ${rc:-none}, wanted $want" \
		"output:" "$out"
}
one_line() {
	local out
	out=$(section "$1")
	tap_check $(( $(grep -c . <<<"$out") == 1 ? 0 : 1 )) \
		"$mode: $2 is one line" "$out"
}

expect hostinfo 0 "--host-info reports $want_mode with its evidence" \
	"^kvm mode: +${want_mode//[()]/.}\$" "kernel log: \".*$want_log" \
	'/dev/kvm usable' \
	'^nested: +no \(KVM_CAP_ARM_EL2 absent: boot the host with kvm-arm.mode=nested\)$'
expect smp1 0 'test guest runs and powers off with 1 vCPU' \
	'^tinyvmm-guest: hello from arm64 \(dtb at 0x[0-9a-f]+, 1 cpus\)' \
	'^tinyvmm-guest: all 1 cpus online, powering off'
expect smp2 0 'test guest brings up its second vCPU with PSCI CPU_ON' \
	'^tinyvmm-guest: hello from arm64 \(dtb at 0x[0-9a-f]+, 2 cpus\)' \
	'^tinyvmm-guest: cpu 1 online \(mpidr 0x0*1\)' \
	'^tinyvmm-guest: all 2 cpus online, powering off'
if [ "$gic" = 2 ]; then
	expect verbose 0 'with only a vGICv2 on the host, tinyvmm falls back to it' \
		'no vGICv3 on this host; using vGICv2' 'all 1 cpus online'
	expect kvmlimit 1 "KVM's own vCPU limit (8 on vGICv2) is reported" \
		'--cpus 9: KVM on this host allows at most 8 vCPUs'
	one_line kvmlimit "the KVM vCPU limit error"
else
	expect verbose 0 'tinyvmm uses the vGICv3' 'guest powered off'
	out=$(section verbose)
	! grep -q 'vGICv2' <<<"$out"
	tap_check $? "$mode: no fall back to vGICv2 when the host has GICv3" "$out"
	expect kvmlimit 0 '9 vCPUs run on a vGICv3' 'all 9 cpus online'
fi
expect badimage 1 'an ELF file linked outside guest RAM (busybox) is refused' \
	"--kernel /bin/busybox: a segment's p_paddr range lies outside guest RAM \\(RAM is 0x80000000-"
one_line badimage 'the bad-ELF error'
expect tinyram 1 'a kernel that does not fit in RAM is refused' 'more than --mem 2M'
one_line tinyram 'the kernel-too-big error'
expect bigrd 1 'an initrd that does not fit is refused, with its size and the room there is' \
	'--initrd /tmp/big.rd: 8388608 bytes, and the room for it is [0-9]+ bytes: from the kernel.s end at 0x[0-9a-f]+ to the device tree at 0x[0-9a-f]+ \(--mem 8M\)$'
one_line bigrd 'the initrd-too-big error'
expect emptyrd 1 'an empty initrd is refused' '--initrd /tmp/empty: the file is empty'
one_line emptyrd 'the empty-initrd error'
expect emptyk 1 'an empty kernel is refused' '--kernel /tmp/empty: the file is empty'
expect cpus 2 '--cpus beyond the limit is a usage error' '--cpus 500'
expect dtbout 0 '--dtb-out without --kernel writes the tree and exits'
expect dtbmagic 0 'the written tree starts with the FDT magic' 'd0 0d fe ed'
# Without --kernel the tree is built without KVM, for a GICv3 host with an
# ITS and a PMUv3: here the same bytes as a VM's, except on a GICv2 host.
if [ "$gic" = 2 ]; then
	expect dtbsame 1 "--dtb-out without --kernel assumes a GICv3: on a GICv2 host the VM's tree differs"
else
	expect dtbsame 0 "--dtb-out without --kernel (no KVM) writes the tree a VM's guest gets"
fi
expect initrd 0 'the guest still boots with an initrd and a command line' \
	'all 1 cpus online'
expect initrd 0 '-v says where the kernel, initrd, device tree and console are' \
	'^tinyvmm: kernel: Linux Image /guest/hello.img at 0x[0-9a-f]+-0x[0-9a-f]+ \([0-9]+ bytes with its image_size\), entry 0x[0-9a-f]+$' \
	'^tinyvmm: initrd: /guest/hello.img at 0x[0-9a-f]+-0x[0-9a-f]+ \([0-9]+ bytes\)$' \
	'^tinyvmm: device tree: at 0x[0-9a-f]+ \([0-9]+ bytes of the [0-9]+ reserved\)$' \
	'^tinyvmm: console: 16550 UART at MMIO 0x9000000 \(4096 bytes\), IRQ [0-9]+$'
# The other forms of the same guest (guest/arm64/meson.build): each runs
# as the Image does, and -v says how it was loaded.
expect raw 0 'a raw binary (hello.img without its header page) runs at RAM + 0x80000' \
	'--kernel /guest/hello.bin: not a Linux Image, gzip or ELF file: loading its [0-9]+ bytes raw at 0x80080000' \
	'^tinyvmm-guest: hello from arm64 \(dtb at 0x[0-9a-f]+, 2 cpus\)' \
	'^tinyvmm-guest: all 2 cpus online, powering off'
expect elf 0 'an ELF guest is loaded by its program headers and runs' \
	'--kernel /guest/hello-ram.elf: ELF, 2 segments in 0x80200000-0x[0-9a-f]+, entry 0x80200000' \
	'^tinyvmm-guest: hello from arm64 \(dtb at 0x[0-9a-f]+, 2 cpus\)' \
	'^tinyvmm-guest: all 2 cpus online, powering off'
expect gzip 0 "a gzip'd Image is inflated and runs" \
	'--kernel /tmp/hello.img.gz: gzip, [0-9]+ bytes inflated to [0-9]+' \
	'^tinyvmm-guest: all 1 cpus online, powering off'
expect gzcut 1 'a truncated gzip file is refused' \
	'--kernel /tmp/cut.gz: the gzip stream is truncated'
one_line gzcut 'the truncated-gzip error'
expect gzbomb 1 'a gzip file that inflates past guest RAM is refused' \
	'--kernel /tmp/bomb.gz: decompresses to more than guest RAM can hold \(more than 16777216 bytes, --mem 16M\)'
one_line gzbomb 'the gzip-bomb error'
# Only kvm-arm.mode=nested offers a guest EL2: here --nested is refused.
expect nested 1 '--nested is refused on a host without a guest EL2' \
	'^tinyvmm: --nested: this host.s KVM lacks KVM_CAP_ARM_EL2 \(a guest EL2\): boot the host with kvm-arm.mode=nested$'
one_line nested 'the no-guest-EL2 error'
expect rawram 1 'a raw binary that does not fit in RAM is refused with sizes' \
	'--kernel /guest/hello.bin: needs 4 MiB with its device tree, more than --mem 2M'
one_line rawram 'the raw-too-big error'
expect huge1g 0 'guest RAM on a 1 GiB hugetlbfs page the host reserved' \
	'guest RAM: 1 GiB at 0x80000000, hugetlbfs memfd, 1 GiB-aligned, 1 GiB hugetlbfs pages' \
	'^tinyvmm-guest: all 1 cpus online, powering off'
expect huge1gshort 1 'a host with too few 1 GiB pages is refused, saying how many' \
	'--mem\): it needs 2 free 1 GiB huge pages and the host has 1; reserve them: echo 2 > /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages'
one_line huge1gshort 'the too-few-huge-pages error'
tap_done
