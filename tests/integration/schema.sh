#!/usr/bin/env bash
# usage: schema.sh
# The JSON Schemas (schema/*.schema.json) against documents: the bench
# documents shipped as test data (from lab runs), the workloads document
# lab/workload-report makes of a real console log (tests/data) and of a
# made-up one with failed runs, and documents broken on purpose, which
# tests/schema-check must refuse. (test_report checks every document
# report.c writes in the unit tests; cli.sh the ones compare's tests make;
# the lab tests those of each --bench run.) Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
check=$src/tests/schema-check bench=$src/schema/bench.schema.json
workloads=$src/schema/workloads.schema.json data=$src/tests/data
bare=$src/schema/bare-hypercall.schema.json
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP no python3"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$check" "$bench" "$data"/bench-*.json 2>&1)
tap_check $? 'the shipped bench documents match bench.schema.json' "$out"
out=$("$check" "$bare" "$data"/bare-hypercall-*.json 2>&1)
tap_check $? "bare-hypercall's shipped document (a lab run's) matches bare-hypercall.schema.json" "$out"

"$src/lab/workload-report" json '7.3 VHE' "$data/workloads-7.3-vhe.log" "$tmp/w.json" on &&
	out=$("$check" "$workloads" "$tmp/w.json" 2>&1)
tap_check $? "lab/workload-report's document of a real log matches workloads.schema.json" "$out"

# Every branch the writer has: a run that failed, a workload that always
# failed, a host-side one (no exits), a renamed second run, no cpu line.
cat >"$tmp/made-up.log" <<'LOG'
tinyvmm: boot timer: init_ms=2000.5 rss_kib=1000 guest_touched_kib=900 overhead_kib=100
@@result fio-randread iops=100 ios=200 bs=4k
tinyvmm: workload exits: seconds=1.5 exits=400 mmio_exit_user=200
@@result fio-randread error=timeout
@@result iperf3 error=no-server
@@result host-hackbench time_s=0.1
tinyvmm: device virtio-blk at 0xa000000: path=/tmp/disk.img sectors=64 cache=writeback io=sync ro=0 requests=3
@@next sockperf-userspace
@@result sockperf lat_us_p50=45.5 lat_us_p99=56
tinyvmm: workload exits: seconds=4.2 exits=88000
LOG
"$src/lab/workload-report" json nvhe "$tmp/made-up.log" "$tmp/m.json" off &&
	out=$("$check" "$workloads" "$tmp/m.json" 2>&1)
tap_check $? 'failed runs, a host workload and a second run match workloads.schema.json' \
	"$out" "$(cat "$tmp/m.json")"

# broken SCHEMA DOC PYTHON-EDIT WANT DESCRIPTION: the edited document is
# refused, with a line that says WANT.
broken() {
	local schema=$1 doc=$2 edit=$3 want=$4 desc=$5 out
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$edit
json.dump(d, open(sys.argv[2], 'w'))" "$doc" "$tmp/broken.json"
	out=$("$check" "$schema" "$tmp/broken.json" 2>&1)
	[ $? -eq 1 ] && grep -q -- "$want" <<<"$out"
	tap_check $? "$desc" "$out"
}
broken "$bench" "$data/bench-arm64-vhe-icount.json" 'd["benchmarks"][0]["stats"]["n"] = 0' \
	'/benchmarks/0/stats/n: 0 is below the minimum 1' 'refused: a bench document with stats.n 0'
broken "$bench" "$data/bench-arm64-vhe-icount.json" 'd["benchmarks"][2]["status"] = "GOOD"' \
	'/benchmarks/2/status: "GOOD" is not one of' 'refused: an unknown status'
broken "$bench" "$data/bench-arm64-vhe-icount.json" 'd["host"]["tags"]["label"] = 7' \
	'/host/tags/label: 7 is not of type string' 'refused: a label that is not a string'
broken "$bench" "$data/bench-arm64-vhe-icount.json" 'del d["config"]["iterations"]' \
	"/config: 'iterations' is missing" 'refused: config without iterations'
broken "$bare" "$data/bare-hypercall-arm64-nvhe-icount.json" 'd["unit"] = "cycles"' \
	'/unit: "cycles" is not one of' "refused: bare-hypercall in a unit it has not"
broken "$workloads" "$tmp/w.json" 'd["workloads"][0]["range"]["time_s"] = [1]' \
	'/workloads/0/range/time_s: 1 items, fewer than 2' 'refused: a range that is not [min, max]'
broken "$workloads" "$tmp/w.json" 'd["schema_version"] = 1' \
	'/schema_version: 1 is not 2' 'refused: a version 1 workloads document'
tap_done
