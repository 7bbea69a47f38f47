#!/usr/bin/env bash
# usage: x86_guest.sh
# The x86_64 guests in the emulated x86_64 host (AMD SVM, lab/run --arch
# x86_64 --mode svm), in one boot under QEMU's -icount so counts repeat:
# --host-info; the hello guest on 1 and 2 vCPUs (64-bit entry, IDT, local
# APIC IPIs, ACPI S5 poweroff); set-up errors; and `tinyvmm --bench` with
# few iterations, whose JSON must show every benchmark measured, in
# instructions (icount), with the exits each is about in its profile.
# Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
iters=50

# Each step prints "@@step NAME", its output, then "@@rc STATUS".
steps='step() { n=$1; shift; echo "@@step $n"; "$@" 2>&1; echo "@@rc $?"; };
step hostinfo tinyvmm --host-info;
step smp1 tinyvmm --kernel /guest/hello.img --cpus 1;
step smp2 tinyvmm --kernel /guest/hello.img --cpus 2;
step badinitrd tinyvmm --kernel /guest/hello.img --initrd /guest/hello.img;
: > /tmp/empty;
step emptyk tinyvmm --kernel /tmp/empty;
step bench tinyvmm --bench --iterations '$iters' --warmup 5 --json /tmp/b.json --tag icount=on;
echo @@json; cat /tmp/b.json'

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$src/lab/run" --arch x86_64 --mode svm --icount --timeout 900 -- "$steps" \
	>"$log" 2>&1
status=$?
tap_check $status "svm: lab boots and runs tinyvmm" "lab/run exited $status:" \
	"$(tail -n 20 "$log")"

# The output of step NAME, up to its @@rc line.
out() { awk -v n="$1" '$1 == "@@step" { on = $2 == n; next } on' "$log"; }
found() { # STEP REGEX DESCRIPTION
	out "$1" | grep -Eq -- "$2"
	tap_check $? "svm: $1: $3" "no line matching: $2" "$(out "$1" | tail -n 10)"
}

found hostinfo '^kvm mode: +AMD SVM$' '--host-info names the KVM mode'
found hostinfo '^kvm: +/dev/kvm usable' '/dev/kvm is usable'
found smp1 '^tinyvmm-guest: all 1 cpus online, powering off' 'one vCPU boots and powers off'
found smp1 '^@@rc 0$' 'one vCPU: exit 0 (ACPI S5)'
found smp2 '^tinyvmm-guest: cpu 1 online \(apic id 1\)' 'vCPU 1 takes the wake-up IPI'
found smp2 '^tinyvmm-guest: all 2 cpus online, powering off' 'two vCPUs boot and power off'
found smp2 '^@@rc 0$' 'two vCPUs: exit 0'
found badinitrd 'only a Linux bzImage takes an initrd' '--initrd with a flat image: one clear line'
found badinitrd '^@@rc 1$' '--initrd with a flat image: exit 1'
found emptyk 'the file is empty' 'an empty --kernel: one clear line'
found emptyk '^@@rc 1$' 'an empty --kernel: exit 1'
found bench '^@@rc 0$' '--bench exits 0'

sed -n '/^@@json$/,$p' "$log" | sed 1d | grep -v '^lab: ' >"$log.json"
schema=$("$src/tests/schema-check" "$src/schema/bench.schema.json" "$log.json" 2>&1)
tap_check $? 'svm: the --bench document matches schema/bench.schema.json' "$schema"
while IFS=$'\t' read -r ok desc why; do
	tap_check "$([ "$ok" = ok ] && echo 0 || echo 1)" "svm: $desc" "$why"
done < <(python3 - "$log.json" "$iters" <<'PY'
import json, sys
path, iters = sys.argv[1], int(sys.argv[2])
def check(ok, desc, why=""):
    print(f"{'ok' if ok else 'not ok'}\t{desc}\t{why}")
try:
    doc = json.load(open(path))
except Exception as e:
    check(False, "bench: the JSON document parses", repr(e)); sys.exit()
host = doc.get("host", {})
check(host.get("kvm_mode") == "AMD SVM" and host.get("machine") == "x86_64",
      "bench: host is x86_64 with AMD SVM", f"{host.get('machine')} {host.get('kvm_mode')}")
check(host.get("emulated") is True and host.get("tags", {}).get("icount") == "on",
      "bench: host says emulated (QEMU TCG), icount on",
      f"{host.get('emulated')} {host.get('emulated_evidence')} {host.get('tags')}")
bench = {b["name"]: b for b in doc.get("benchmarks", [])}
for name in ["hypercall", "gic_trap", "mmio_user", "eoi", "virtual_ipi", "vm_switch", "io_out", "io_in",
             "timer"]:
    b = bench.get(name, {})
    st = b.get("stats") or {}
    check(b.get("status") == "OK" and st.get("n") == iters and st.get("min", 0) > 0
          and b.get("counter") == "tsc" and b.get("unit") == "instructions (icount)",
          f"bench: {name}: {iters} positive TSC samples in instructions (icount)",
          json.dumps({k: b.get(k) for k in ("status", "note", "counter", "unit", "stats")}))
# lpi is arm64's (an LPI through the GICv3 ITS): skipped here, saying so,
# and config.its is null (no such part), not false.
lpi = bench.get("lpi", {})
check(lpi.get("status") == "SKIPPED" and "ITS" in (lpi.get("note") or "")
      and doc.get("config", {}).get("its", "absent") is None,
      "bench: lpi SKIPPED (no ITS on x86), config.its null",
      json.dumps({"lpi": lpi, "config": doc.get("config")}))
# The exit each benchmark exists to measure, by x86 KVM's statistic names.
need = {"hypercall": "hypercalls", "mmio_user": "mmio_exits", "vm_switch": "halt_exits",
        "eoi": "irq_injections", "timer": "irq_injections"}
for name, kind in need.items():
    n = bench.get(name, {}).get("exits", {}).get(kind, 0)
    check(n >= iters, f"bench: {name}: exit profile has >= {iters} {kind}", f"{kind}={n}")
# tinyvmm offers TSC deadline when KVM has it: the one-shot fallback's
# note would say the other window ran.
note = bench.get("timer", {}).get("note")
check(note == "", "bench: timer ran in TSC-deadline mode", f"note: {note!r}")
med = lambda n: (bench.get(n, {}).get("stats") or {}).get("median", 0)
check(0 < med("hypercall") < med("mmio_user"), "bench: hypercall < mmio exit to userspace",
      f"{med('hypercall')} vs {med('mmio_user')}")
PY
)
rm -f "$log.json"
tap_done
