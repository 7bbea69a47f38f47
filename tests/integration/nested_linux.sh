#!/usr/bin/env bash
# usage: nested_linux.sh
# The main job's L2 Linux report (lab/nested-linux.sh, lab/workload-report)
# on made-up l1-run output: L1's section pairs each of L1's results with
# L0's exit line for it, L2's section is L1's tinyvmm output, and the
# table shows only the workloads measured. Nothing boots. Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
# shellcheck source=../../lab/nested-linux.sh
. "$src/lab/nested-linux.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# What l1-run wrote: L1's command's output (stdout) ...
cat >"$work/l1.out" <<'OUT'
tinyvmm-linux-guest: block devices: vda
@@devices virtio=2 blk=vda net=eth0
@@result fio-randread iops=900 ios=1800 bw_kib_s=3600 lat_us_mean=1000 clat_us_p50=990
@@result sockperf lat_us_avg=400 lat_us_p50=390 lat_us_p99=700 observations=5000 server=192.168.100.1
@@section l2
tinyvmm: cpu features: sve=on sve_max_vl_bits=2048 ptrauth=on pmu=on
tinyvmm: boot timer: init_ms=90000.5 rss_kib=1 guest_touched_kib=1 overhead_kib=1
@@result fio-randread iops=90 ios=180 bw_kib_s=360 lat_us_mean=10000 clat_us_p50=9900
tinyvmm: workload exits: seconds=2.0 exits=1000 mmio_exit_user=500
@@result sockperf lat_us_avg=4000 lat_us_p50=3900 lat_us_p99=7000 observations=500 server=192.168.100.1
tinyvmm: workload exits: seconds=3.0 exits=2000
OUT
# ... and L0's tinyvmm -v (stderr), its exit lines last, in mark order.
cat >"$work/l1.err" <<'ERR'
tinyvmm: cpu features: sve=on sve_max_vl_bits=2048 ptrauth=on pmu=on
tinyvmm: boot timer: init_ms=9000.25 rss_kib=2 guest_touched_kib=2 overhead_kib=2
tinyvmm: workload exits: seconds=2.0 exits=3600 mmio_exit_user=1800
tinyvmm: workload exits: seconds=3.0 exits=7000
tinyvmm: device virtio-blk at 0xa000000: requests=1800 io=uring
l1-run: L1's command exited 0; tinyvmm (L0) exited 0
ERR

# The host command's own steps, as it runs them (nested_linux_host_cmd).
{
	echo '@@section l1'
	nested_linux_l1_section "$work/l1.out" "$work/l1.err"
	sed -n '/^@@section l2$/,$p' "$work/l1.out"
	echo '@@section end'
	cat "$work/l1.err"
	echo '@@rc 0'
} >"$work/log"
nested_linux_section "$work/log" l1 >"$work/a.log"
nested_linux_section "$work/log" l2 >"$work/b.log"

want_l1='tinyvmm: cpu features: sve=on sve_max_vl_bits=2048 ptrauth=on pmu=on
tinyvmm: boot timer: init_ms=9000.25 rss_kib=2 guest_touched_kib=2 overhead_kib=2
tinyvmm: device virtio-blk at 0xa000000: requests=1800 io=uring
tinyvmm-linux-guest: block devices: vda
@@devices virtio=2 blk=vda net=eth0
@@result fio-randread iops=900 ios=1800 bw_kib_s=3600 lat_us_mean=1000 clat_us_p50=990
tinyvmm: workload exits: seconds=2.0 exits=3600 mmio_exit_user=1800
@@result sockperf lat_us_avg=400 lat_us_p50=390 lat_us_p99=700 observations=5000 server=192.168.100.1
tinyvmm: workload exits: seconds=3.0 exits=7000'
[ "$(cat "$work/a.log")" = "$want_l1" ]
tap_check $? "l1 section: L0's lines about L1, each L1 result followed by L0's exits for it" \
	"got:" "$(cat "$work/a.log")"
[ "$(cat "$work/b.log")" = "$(sed '1,/^@@section l2$/d' "$work/l1.out")" ]
tap_check $? "l2 section: L1's tinyvmm output, nothing of L0's" "got:" "$(cat "$work/b.log")"

# A second result from L1 with no exit line of L0's left: not paired.
head -n 4 "$work/l1.err" | sed '$d' >"$work/short.err"
nested_linux_l1_section "$work/l1.out" "$work/short.err" >"$work/short.log"
[ "$(grep -c '^tinyvmm: workload exits:' "$work/short.log")" = 1 ] &&
	grep -A1 '^@@result fio' "$work/short.log" | grep -q 'exits=3600'
tap_check $? "l1 section: with fewer exit lines than results, the first results get them, in order" \
	"got:" "$(cat "$work/short.log")"

report=$src/lab/workload-report
"$report" json "7.3 L1-VHE" "$work/a.log" "$work/a.json" on &&
	"$report" json "7.3 L2 in L1-VHE" "$work/b.log" "$work/b.json" on
tap_check $? "workload-report json takes both sections"
out=$("$src/tests/schema-check" "$src/schema/workloads.schema.json" "$work/a.json" "$work/b.json" 2>&1)
tap_check $? "both documents match schema/workloads.schema.json" "$out"
field() { # FILE PYTHON-EXPRESSION-ON-d
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"
}
[ "$(field "$work/a.json" 'd["boot"]["init_ms"]')" = 9000.25 ] &&
	[ "$(field "$work/b.json" 'd["boot"]["init_ms"]')" = 90000.5 ]
tap_check $? "boot times: L1's from L0's tinyvmm, L2's from L1's"
[ "$(field "$work/a.json" '[w["exits"]["per_io"] for w in d["workloads"] if w["name"] == "fio-randread"][0]')" = 2.0 ]
tap_check $? "L1's fio: L0's exits per I/O (3600 / 1800)" \
	"got $(field "$work/a.json" 'd["workloads"]')"

table=$("$report" table --only-measured "$work/a.json" "$work/b.json")
tap_check $? "table --only-measured exits 0" "$table"
grep -Eq '^fio-randread +IOPS +900 +90 +0\.10x\?' <<<"$table"
tap_check $? "table: fio-randread IOPS, L1 900, L2 90, ratio 0.10 (single runs: marked ?)" "$table"
grep -Eq '^sockperf +us p50 +390 +3900 +10\.00x\?' <<<"$table"
tap_check $? "table: sockperf p50, L1 390, L2 3900" "$table"
! grep -Eq '^(hackbench|iperf3|fio-randwrite) ' <<<"$table"
tap_check $? "table --only-measured: no rows for workloads neither level ran" "$table"
grep -q '^7.3 L2 in L1-VHE: guest init 90000.5 ms after tinyvmm started' <<<"$table"
tap_check $? "table: L2's boot time" "$table"
full=$("$report" table "$work/a.json" "$work/b.json")
grep -Eq '^hackbench ' <<<"$full"
tap_check $? "table without --only-measured keeps every workload's rows"

# The host command carries the function it calls (busybox sh runs it).
cmd=$(nested_linux_host_cmd)
grep -q '^nested_linux_l1_section () *$' <<<"$cmd" && grep -q '^nested_linux_l1_section /tmp/l1.out /tmp/l1-run.err$' <<<"$cmd"
tap_check $? "the host command defines nested_linux_l1_section before it calls it" "$cmd"
# busybox sh runs them; dash (Debian's /bin/sh) is as strict a POSIX sh.
posix_sh=(dash)
! command -v busybox >/dev/null || posix_sh=(busybox sh)
"${posix_sh[@]}" -n <<<"$cmd"
tap_check $? "${posix_sh[*]} parses the host command"
"${posix_sh[@]}" -n <<<"$(nested_linux_l1_cmd 2 1)"
tap_check $? "${posix_sh[*]} parses L1's command"
tap_done
