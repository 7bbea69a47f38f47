# shellcheck shell=bash
# An L2 Linux under two tinyvmms (sourced by lab/compare): the emulated
# host (L0, kvm-arm.mode=nested) runs a guest hypervisor (L1, lab/run
# --l1-command) with tinyvmm's virtio-blk on a file in L0's tmpfs and
# tinyvmm's virtio-net on a tap in L0. L1 first runs the workloads itself
# (tinyvmm-workloads, lab/guest-init as a command: fio on its /dev/vda,
# sockperf to L0's server), then boots the Linux guest (L2) with L1's
# /dev/vda as L2's disk (cache=none, so that L2's reads reach L0's file,
# not L1's page cache) and a tap in L1 routed to L0, and L2 runs the same
# workloads. L2's I/O thus crosses L1's tinyvmm and then L0's.
#
# Addresses: L0 tv0 192.168.100.1 -- L1 eth0 192.168.100.2; L1 tv1
# 192.168.101.1 -- L2 eth0 192.168.101.2, default route via L1, which
# forwards; L0 routes 192.168.101.0/24 via L1. The sockperf server runs
# in L0 for both.
#
# The log (lab/run's stdout) has two sections, each in the form
# lab/workload-report reads: "@@section l1" (L0's tinyvmm lines about L1:
# boot timer, devices; L1's @@result lines, each followed by L0's
# workload-exit line for it: L1 marks each workload on L0's tinyvmm, in
# order, and L2's marks go to L1's) and "@@section l2" (L1's
# tinyvmm -v output: L2's boot timer, devices, @@result and workload-exit
# lines); then "@@section end" and "@@rc N", l1-run's status.

# The workloads each level runs: disk and network, one figure each.
nested_linux_workloads=fio-randread,sockperf

# nested_linux_params RUNTIME REPEAT: the workload parameters for both
# levels (tinyvmm.* words of lab/guest-init).
nested_linux_params() {
	echo "tinyvmm.workload=$nested_linux_workloads tinyvmm.size=8 tinyvmm.runtime=$1 tinyvmm.repeat=$2"
}

# nested_linux_l1_cmd RUNTIME REPEAT: L1's command.
nested_linux_l1_cmd() {
	local p
	p=$(nested_linux_params "$1" "$2")
	echo "echo 1 >/proc/sys/net/ipv4/ip_forward
TINYVMM_CMDLINE='$p tinyvmm.ip=192.168.100.2/24' tinyvmm-workloads
echo '@@section l2'
(for i in \$(seq 1 600); do [ -e /sys/class/net/tv1 ] && break; sleep 0.1; done
 ip addr add 192.168.101.1/24 dev tv1; ip link set tv1 up) &
tinyvmm -v --kernel /guest/linux/Image --initrd /guest/linux/initrd.cpio.gz \\
 --mem 512M --disk /dev/vda,cache=none --net tap=tv1 --cmdline \\
 'console=ttyS0 panic=-1 quiet $p tinyvmm.ip=192.168.101.2/24 tinyvmm.gateway=192.168.101.1' \\
 >/tmp/l2.out 2>&1
rc=\$?
grep -v '^\\[ ' /tmp/l2.out
exit \$rc"
}

# nested_linux_l1_section OUT ERR: the "l1" section from l1-run's stdout
# OUT (L1's command's output) and stderr ERR (L0's tinyvmm -v). It runs in
# the emulated host (busybox sh and awk): the host command carries it.
nested_linux_l1_section() {
	grep -E '^tinyvmm: (boot timer|cpu features|device )' "$2"
	sed '/^@@section l2$/,$d' "$1" | awk '
		FNR == NR { if (index($0, "tinyvmm: workload exits: ") == 1) ex[++n] = $0; next }
		{ print }
		/^@@result / && k < n { print ex[++k] }' "$2" -
}

# nested_linux_host_cmd: L0's command (L1's own is lab/run --l1-command).
nested_linux_host_cmd() {
	declare -f nested_linux_l1_section
	echo "dd if=/dev/zero of=/tmp/l1disk.img bs=1M count=32 2>/dev/null
sockperf server --tcp >/dev/null 2>&1 &
(for i in \$(seq 1 600); do [ -e /sys/class/net/tv0 ] && break; sleep 0.1; done
 ip addr add 192.168.100.1/24 dev tv0; ip link set tv0 up
 ip route add 192.168.101.0/24 via 192.168.100.2) &
l1-run -v --disk /tmp/l1disk.img,cache=none --net tap=tv0 >/tmp/l1.out 2>/tmp/l1-run.err
rc=\$?
echo '@@section l1'
nested_linux_l1_section /tmp/l1.out /tmp/l1-run.err
sed -n '/^@@section l2\$/,\$p' /tmp/l1.out
echo '@@section end'
cat /tmp/l1-run.err
echo \"@@rc \$rc\""
}

# nested_linux_section LOG NAME: the lines of section NAME of LOG.
nested_linux_section() {
	awk -v want="@@section $2" '
		/^@@section / { on = ($0 == want); next }
		on { print }' "$1"
}
