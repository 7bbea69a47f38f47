#!/usr/bin/env bash
# usage: nested_l2.sh vhe|nvhe|svm
# Three levels of KVM: the emulated arm64 host (L0, kvm-arm.mode=nested)
# boots Debian's 7.3 kernel as a guest hypervisor (L1, lab/run
# --l1-command, tinyvmm --nested=MODE) with its KVM in VHE or in split
# mode, or (svm) the emulated x86_64 host (L0, kvm_amd with nested SVM)
# boots its 6.1 kernel as L1 with kvm_amd; L1's tinyvmm --bench runs the
# bench guest as L2 to the end.
# Checks L1's KVM mode as L1's tinyvmm --host-info reports it, that every
# benchmark L2 reports is OK (at least eight of them; on x86 lpi is
# skipped, as it is arm64's), that L2's tinyvmm exits 0, and that L1's
# power-off ends L0's tinyvmm with 0. No -icount: a few minutes of wall
# time for vhe, under one for svm; nvhe's L1 takes minutes more to set up
# its hypervisor (the lab-extra suite runs it).
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root

l1_mode=${1:-vhe}
# nvhe's L1 took 721 s to set up its hypervisor without -icount.
# skippable: the benchmarks L2 may report SKIPPED on that arch.
skippable='^$'
case $l1_mode in
vhe) kvm_mode='VHE' timeout=1700 host=(--arch arm64 --mode nested --l1-mode vhe) ;;
nvhe) kvm_mode='split \(nVHE\)' timeout=2900 host=(--arch arm64 --mode nested --l1-mode nvhe) ;;
svm) kvm_mode='AMD SVM' timeout=900 host=(--arch x86_64 --mode svm) skippable='^lpi$' ;;
*) echo "Bail out! unknown L1 mode $l1_mode"; exit 1 ;;
esac
log=$(mktemp)
trap 'rm -f "$log" "$log.json"' EXIT
"$src/lab/run" "${host[@]}" --timeout "$timeout" \
	--l1-command 'tinyvmm --host-info | grep "^kvm mode:";
tinyvmm --bench --iterations 20 --warmup 5 --json /tmp/l2.json >/tmp/l2.out 2>&1;
echo "@@l2-rc $?"; tail -n 5 /tmp/l2.out; echo @@l2-json; cat /tmp/l2.json' \
	-- 'l1-run; echo "@@l1-run-rc $?"' >"$log" 2>&1
status=$?
tap_check $status "nested $l1_mode: lab boots L1 and runs the bench guest as L2" \
	"lab/run exited $status:" "$(tail -n 20 "$log")"

found() { tap_found "$log" "nested $l1_mode" "$@"; }
found "^kvm mode: +$kvm_mode" "L1's KVM runs in the mode asked for ($l1_mode)"
found '^@@l2-rc 0$' "L2's tinyvmm --bench exits 0"
found '^@@l1-run-rc 0$' "L1's command ran to its end"
found "^l1-run: L1's command exited 0; tinyvmm \(L0\) exited 0$" \
	"L1's power-off ends L0's tinyvmm with 0"

# Every benchmark the bench guest reported, from L2's JSON document
# (after @@l2-json, up to its closing brace: l1-run's and lab/run's own
# lines follow it).
tr -d '\r' <"$log" | sed -n '/^@@l2-json$/,/^}$/p' | sed 1d >"$log.json"
schema=$("$src/tests/schema-check" "$src/schema/bench.schema.json" "$log.json" 2>&1)
tap_check $? "nested $l1_mode: L2's --bench document matches schema/bench.schema.json" "$schema"
results=$(sed -n 's/^ *{"name":"\([a-z0-9_]*\)","status":"\([A-Z]*\)".*/\1 \2/p' "$log.json")
ok=$(grep -c ' OK$' <<<"$results")
bad=$(grep -v ' OK$' <<<"$results" | awk -v s="$skippable" '!($2 == "SKIPPED" && $1 ~ s)')
[ "$ok" -ge 8 ] && [ -z "$bad" ]
tap_check $? "nested $l1_mode: L2 reports every benchmark OK ($ok)" \
	"benchmarks and their status:" "${results:-none}"
tap_done
