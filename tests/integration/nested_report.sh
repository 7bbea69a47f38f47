#!/usr/bin/env bash
# usage: nested_report.sh
# lab/nested-report on made-up logs: L0's exits per L2 operation from
# the two windows per benchmark, refusal to pair windows that do not
# match the runs, and the table's ratios and gaps. Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report=$src/lab/nested-report

# Two benchmarks; L0's lines come after L1's, as l1-run prints them.
cat >"$work/log" <<'LOG'
@@l0 hypercall 1 0 16
@@l0 hypercall 101 0 16
@@l0 timer 1 0 1
@@l0 timer 101 0 1
tinyvmm: workload exits: seconds=1.5 exits=1000 hvc_exit_stat=10
tinyvmm: workload exits: seconds=9.0 exits=65000 hvc_exit_stat=1610
tinyvmm: workload exits: seconds=1.0 exits=500
tinyvmm: workload exits: seconds=2.0 exits=3000
LOG
"$report" l0 vhe "$work/log" "$work/l0.json"
tap_check $? "l0: every benchmark counted (exit 0)"
per_op() { # NAME KEY
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
b = next(b for b in d["benchmarks"] if b["name"] == sys.argv[2])
print(b["counters_per_op"].get(sys.argv[3]) if sys.argv[3] != "exits_per_op" else b["exits_per_op"])' "$work/l0.json" "$@"
}
# (65000 - 1000) / (100 * 16) = 40; (1610 - 10) / 1600 = 1
[ "$(per_op hypercall exits_per_op)" = 40.0 ]
tap_check $? "l0: hypercall: (exits(101) - exits(1)) / (100 samples x 16 ops) = 40" "got $(per_op hypercall exits_per_op)"
[ "$(per_op hypercall hvc_exit_stat)" = 1.0 ]
tap_check $? "l0: per-counter figures too (hvc_exit_stat 1 per op)" "got $(per_op hypercall hvc_exit_stat)"
[ "$(per_op timer exits_per_op)" = 25.0 ]
tap_check $? "l0: timer: (3000 - 500) / 100 = 25" "got $(per_op timer exits_per_op)"

# One L0 window missing: nothing can be paired.
head -n 7 "$work/log" >"$work/short.log"
"$report" l0 vhe "$work/short.log" "$work/short.json"
[ $? = 1 ] && grep -q '4 L2 runs but 3 L0 windows' "$work/short.json"
tap_check $? "l0: runs and L0 windows that do not pair are an error (exit 1)" "$(cat "$work/short.json")"

# A failed L2 run is that benchmark's error.
sed 's/^@@l0 timer 101 0 1$/@@l0 timer 101 1 /' "$work/log" >"$work/fail.log"
"$report" l0 vhe "$work/fail.log" "$work/fail.json"
[ $? = 1 ] && grep -q 'exited 0 and 1' "$work/fail.json"
tap_check $? "l0: a failed L2 run marks its benchmark (exit 1)" "$(cat "$work/fail.json")"

# Every document above against schema/nested-l0.schema.json, and one
# that breaks it.
check() { "$src/tests/schema-check" "$src/schema/nested-l0.schema.json" "$@" 2>&1; }
out=$(check "$work/l0.json" "$work/short.json" "$work/fail.json")
tap_check $? "l0: its documents follow schema/nested-l0.schema.json" "$out"
sed 's/"l1_mode": "vhe"/"l1_mode": "hvhe"/' "$work/l0.json" >"$work/bad.json"
out=$(check "$work/bad.json")
[ $? = 1 ] && grep -q l1_mode <<<"$out"
tap_check $? "l0: the schema refuses an L1 mode there is none of" "$out"

# The table: L2 4000 against the host's 40 is x100.0; no reference: "-".
bench() { # FILE NAME MEDIAN [UNIT]
	printf '{"benchmarks":[\n {"name":"%s","status":"OK","unit":"%s","stats":{"median":%s}}]}\n' \
		"$2" "${4:-instructions (icount)}" "$3" >"$1"
}
bench "$work/l2.json" hypercall 4000
bench "$work/ref.json" hypercall 40
"$report" table "vhe:$work/l2.json:$work/ref.json:$work/l0.json" \
	"nvhe:$work/l2.json::" >"$work/table"
tap_check $? "table: exits 0" "$(cat "$work/table")"
grep -Eq '^hypercall +\| +4000 +40 +x100\.0 +40 +\| +4000 +- +- +-$' "$work/table"
tap_check $? "table: L2, host, ratio and L0 exits per op; gaps as -" "$(cat "$work/table")"
# x86's nested boot runs without -icount: its L2 (ticks) against an icount
# reference is no ratio; against L0's own bench in ticks it is.
bench "$work/l2-svm.json" hypercall 9000 cycles
bench "$work/ref-svm.json" hypercall 300 cycles
"$report" table "svm:$work/l2-svm.json:$work/ref.json:" "svm:$work/l2-svm.json:$work/ref-svm.json:" >"$work/table"
grep -Eq '^hypercall +\| +9000 +40 +- +- +\| +9000 +300 +x30\.0 +-$' "$work/table" &&
	grep -q 'L2, L1 SVM' "$work/table"
tap_check $? "table: no ratio across units (ticks vs instructions); SVM named as such" "$(cat "$work/table")"
sed 's/"l1_mode": "vhe"/"l1_mode": "svm"/' "$work/l0.json" >"$work/svm.json"
out=$(check "$work/svm.json")
tap_check $? "l0: the schema takes L1 mode svm" "$out"
"$report" table "vhe:$work/none.json::" >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q 'no L2 benchmark ran' "$work/err"
tap_check $? "table: nothing to show is an error (exit 2)" "$(cat "$work/err")"
tap_done
