#!/usr/bin/env bash
# usage: vhost_tun_warn.sh [KERNEL_VERSION]
# A host kernel bug, kept as its reproducer (suite lab-extra): a virtio-net
# TX descriptor chain whose lengths add up to exactly 4 GiB makes the host
# kernel WARN in copy_page_from_iter() (lib/iov_iter.c) with a length of
# -12, from tun_build_skb() <- tun_sendmsg() <- vhost-net's
# handle_tx_copy(). The chain: 16 descriptors linked by NEXT, each
# device-readable, each the guest's whole RAM (256 MiB: address RAM base,
# length 0x10000000). vhost-net hands tun an iov_iter of 4 GiB; the likely
# cause, read from the WARN's registers (not yet from the source): 2^32
# cut to 32 bits is 0, and 0 minus the 12-byte virtio-net header is -12.
# The hostile guest
# (guest/common/hostile.c, "chain adding up to 4 GiB") sends it; tinyvmm
# itself never reads that chain on the vhost-net dataplane.
# Seen on Debian's 6.1.0-57 (lib/iov_iter.c:708) and 7.3.4 (:356), arm64,
# VHE, QEMU 10. This test passes
# while the kernel still warns, printing the trace; when a kernel stops
# warning it fails, to say so (then note from which kernel, and retire it).
# Output is TAP.
set -u
kver=${1:-latest}
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$src/lab/run" --arch arm64 --mode vhe --host-kernel-version "$kver" --timeout 900 \
	--modules "tun vhost_iotlb vhost vhost_net" -- \
	'dd if=/dev/zero of=/tmp/img bs=1M count=1 2>/dev/null;' \
	'tinyvmm --kernel /guest/hostile.img --disk /tmp/img --net tap=tv0,vhost=on >/tmp/out 2>&1;' \
	'echo "@@rc $?"; echo "@@kernel $(uname -r)"; dmesg | grep -A30 "cut here"' >"$log" 2>&1
status=$?
tap_check $status "lab boots Linux $kver and runs the hostile guest on vhost-net" \
	"lab/run exited $status:" "$(tail -n 20 "$log")"
grep -q '^@@rc 0$' "$log"
tap_check $? "tinyvmm exits 0 (the bug is the host kernel's, not tinyvmm's)" "$(grep '^@@' "$log")"
grep -Eq 'WARNING: .*lib/iov_iter\.c:[0-9]+ .*copy_page_from_iter' "$log" &&
	grep -q 'tun_build_skb' "$log" && grep -q 'handle_tx_copy' "$log"
tap_check $? "$(sed -n 's/^@@kernel //p' "$log") still WARNs in copy_page_from_iter from tun_build_skb <- handle_tx_copy" \
	"no such WARNING: has the kernel fixed it? Note the release and retire this test." \
	"$(tail -n 20 "$log")"
sed -n '/cut here/,/end trace/p' "$log" | sed 's/^/# /'
tap_done
