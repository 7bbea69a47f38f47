#!/usr/bin/env bash
# usage: arm64_bench.sh
# Runs `tinyvmm --bench` with few iterations in the emulated arm64 host
# (the lab's newest kernel) in split (nVHE), VHE, hVHE, protected (pKVM,
# which picks hVHE there) and nested (VHE+NV2) mode, under QEMU's -icount
# so counts repeat, checks each host report's mode, and
# checks what must hold whatever the machine: every benchmark reports,
# figures are positive, the exit profile names the
# exit each benchmark is about, hypercall < mmio exit to userspace,
# timer below the lead it arms with (the wait is not in its window), and a
# split-mode hypercall costs more than a VHE one. In the same boot it runs
# bare-hypercall (tools/bare-hypercall: the same hypercall window in a bare
# KVM_RUN loop) and checks that tinyvmm's hypercall median is within 2% of
# the bare loop's: KVM answers the hvc in the kernel, so tinyvmm must add
# nothing; under -icount both are counts of instructions, not timings.
# The GICv3 ITS: on by default (config.its true, and lpi, an LPI raised by
# an ITS INT command, measured like the others, its exit profile holding
# the GITS_CWRITER writes KVM emulates); with --no-its lpi is SKIPPED with
# a reason and config.its is false.
# The guest CPU features: each one --host-info says KVM offers is on in
# the JSON (config.cpu_features), and the bare loop's vCPU has the same.
# Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
iters=50
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_mode() { # MODE -> $work/MODE.out, $work/MODE.json and $work/MODE.bare.json
	local mode=$1 status
	"$src/lab/run" --arch arm64 --mode "$mode" --icount --timeout 900 -- \
		"tinyvmm --host-info | sed -n 's/^guest cpu: KVM offers \([^(]*\) (.*/@@offered \1/p';" \
		"tinyvmm --bench --iterations $iters --warmup 5 --json /tmp/b.json" \
		'--tag icount=on; echo "@@rc $?";' \
		'tinyvmm --bench --no-its --bench-only lpi --iterations 5 --warmup 1' \
		'--json /tmp/noits.json; echo "@@noits-rc $?"; echo @@noits-json;' \
		'cat /tmp/noits.json; echo @@noits-end;' \
		"bare-hypercall --iterations $iters --warmup 5 --icount-label" \
		'--json /tmp/bare.json; echo "@@bare-rc $?"; echo @@bare-json; cat /tmp/bare.json;' \
		'echo "@@json"; cat /tmp/b.json' \
		>"$work/$mode.out" 2>"$work/$mode.err"
	status=$?
	tap_check $status "$mode: lab runs tinyvmm --bench" \
		"lab/run exited $status:" "$(tail -n 20 "$work/$mode.out" "$work/$mode.err")"
	sed -n '/^@@json$/,$p' "$work/$mode.out" | sed 1d >"$work/$mode.json"
	sed -n '/^@@bare-json$/,/^@@json$/p' "$work/$mode.out" | sed '1d;$d' >"$work/$mode.bare.json"
	sed -n '/^@@noits-json$/,/^@@noits-end$/p' "$work/$mode.out" | sed '1d;$d' >"$work/$mode.noits.json"
	"$src/tests/schema-check" "$src/schema/bench.schema.json" \
		"$work/$mode.json" "$work/$mode.noits.json" >"$work/$mode.schema" 2>&1
	tap_check $? "$mode: the --bench documents match schema/bench.schema.json" \
		"$(cat "$work/$mode.schema")"
	"$src/tests/schema-check" "$src/schema/bare-hypercall.schema.json" \
		"$work/$mode.bare.json" >"$work/$mode.schema" 2>&1
	tap_check $? "$mode: bare-hypercall's document matches schema/bare-hypercall.schema.json" \
		"$(cat "$work/$mode.schema")"
	grep -q '^@@noits-rc 0$' "$work/$mode.out"
	tap_check $? "$mode: tinyvmm --bench --no-its exits 0 (lpi skipped, not failed)" \
		"$(sed -n '/^@@rc /,/^@@noits-end$/p' "$work/$mode.out")"
	grep -q '^@@rc 0$' "$work/$mode.out"
	tap_check $? "$mode: tinyvmm --bench exits 0" "$(tail -n 20 "$work/$mode.out")"
	grep -q '^@@bare-rc 0$' "$work/$mode.out"
	tap_check $? "$mode: bare-hypercall exits 0" \
		"$(sed -n '/^@@rc /,/^@@bare-json$/p' "$work/$mode.out")"
}

# Checks one document; prints TAP-ready "ok|not ok<TAB>description<TAB>why".
check_doc() { # MODE WANT_KVM_MODE
	python3 - "$work/$1.json" "$1" "$2" "$iters" "$work/$1.bare.json" "$work/$1.noits.json" \
		"$(sed -n 's/^@@offered //p' "$work/$1.out")" <<'PY'
import json, sys
path, mode, want_mode, iters = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
bare_path, noits_path, offered = sys.argv[5], sys.argv[6], sys.argv[7].split()
def check(ok, desc, why=""):
    print(f"{'ok' if ok else 'not ok'}\t{mode}: {desc}\t{why}")
try:
    doc = json.load(open(path))
except Exception as e:
    check(False, "the JSON document parses", repr(e)); sys.exit()
check(True, "the JSON document parses")
check(doc.get("schema") == "tinyvmm-bench" and doc.get("schema_version") == 1,
      "schema tinyvmm-bench version 1", f"{doc.get('schema')} {doc.get('schema_version')}")
host = doc.get("host", {})
check(host.get("kvm_mode") == want_mode, f"host.kvm_mode is {want_mode}", host.get("kvm_mode"))
check(host.get("tags", {}).get("icount") == "on" and host.get("emulated") is True,
      "host says emulated, icount on", f"{host.get('emulated')} {host.get('tags')}")
bench = {b["name"]: b for b in doc.get("benchmarks", [])}
measured = ["hypercall", "gic_trap", "mmio_user", "eoi", "virtual_ipi", "vm_switch", "io_out", "io_in",
            "timer", "lpi"]
for name in measured:
    b = bench.get(name, {})
    st = b.get("stats") or {}
    ok = (b.get("status") == "OK" and st.get("n") == iters and st.get("min", 0) > 0
          and b.get("unit") == "instructions (icount)")
    check(ok, f"{name}: {iters} positive samples in instructions (icount)",
          json.dumps({k: b.get(k) for k in ("status", "note", "unit", "stats")}))
# The exit profile names the exit each benchmark exists to measure.
need = {"hypercall": "hvc_exit_stat", "gic_trap": "mmio_exit_kernel", "mmio_user": "mmio_exit_user",
        "vm_switch": "wfi_exit_stat", "timer": "exits",
        "lpi": "mmio_exit_kernel"}
for name, kind in need.items():
    n = bench.get(name, {}).get("exits", {}).get(kind, 0)
    check(n >= iters, f"{name}: exit profile has >= {iters} {kind}", f"{kind}={n}")
med = lambda n: (bench.get(n, {}).get("stats") or {}).get("median", 0)
check(0 < med("hypercall") < med("mmio_user"), "hypercall < mmio exit to userspace",
      f"{med('hypercall')} vs {med('mmio_user')}")
# The guest arms the timer a 10 us lead ahead (guest/arm64/bench_timer.c)
# and times from CVAL on: a window that held the lead would read above it.
# (Not "above a hypercall": under pKVM a hypercall costs 13971 and the
# timer's interrupt 4672.)
check(0 < med("timer") < 10000, "timer: below its 10 us lead, which is not in its window",
      f"{med('timer')} instructions (icount)")
share = bench.get("mmio_user", {}).get("vmm_userspace") or {}
# per_exit is a mean over every exit, warm-up included: one stall in
# userspace (8.6M instructions once, in a fresh-clone tests/run) lifts it
# above the round trip's median, so it is held to the samples' mean too.
rt = bench.get("mmio_user", {}).get("stats") or {}
check(0 < (share.get("per_exit") or 0) < max(med("mmio_user"), rt.get("mean") or 0)
      and share.get("mmio_exits", 0) >= iters,
      "mmio_user: tinyvmm's own userspace share per exit is positive and below the round trip",
      json.dumps(share) + f" round trip median {med('mmio_user')} mean {rt.get('mean')}")
# The ITS: on by default where KVM offers it (the lab's GICv3 host does).
check(doc.get("config", {}).get("its") is True, "config.its is true (the ITS is on by default)",
      json.dumps(doc.get("config")))
try:
    noits = json.load(open(noits_path))
except Exception as e:
    noits = {"error": repr(e)}
lpi = {b["name"]: b for b in noits.get("benchmarks", [])}.get("lpi", {})
check(noits.get("config", {}).get("its") is False and lpi.get("status") == "SKIPPED"
      and "gic-v3-its" in (lpi.get("note") or "") and lpi.get("stats") is None,
      "--no-its: config.its false, lpi SKIPPED saying there is no ITS node",
      json.dumps({"config": noits.get("config"), "lpi": lpi, "error": noits.get("error")}))
# The bare KVM_RUN loop in the same boot: same window, same kernel path.
try:
    bare = json.load(open(bare_path))
except Exception as e:
    bare = {"error": repr(e)}
b, t = bare.get("median_per_op") or 0, med("hypercall")
check(b > 0 and bare.get("iterations") == iters and bare.get("unit") == "instructions (icount)",
      f"bare-hypercall: {iters} samples, positive median in instructions (icount)",
      json.dumps(bare))
check(b > 0 and abs(t - b) <= 0.02 * b,
      "hypercall: tinyvmm within 2% of a bare KVM_RUN loop (icount)",
      f"tinyvmm {t}, bare {b}" + (f" ({(t - b) / b * 100:+.2f}%)" if b else ""))
# Each feature KVM offers is on by default; the bare vCPU has the same.
feat = doc.get("config", {}).get("cpu_features") or {}
check(bool(offered) and all(feat.get(f) is (f in offered) for f in ("sve", "ptrauth", "pmu"))
      and (feat.get("sve_max_vl_bits", 0) > 0) == ("sve" in offered),
      "config.cpu_features: on exactly where --host-info says KVM offers them",
      f"offered {offered}, cpu_features {json.dumps(feat)}")
vm = bare.get("vm", "")
check(("SVE" in vm) == bool(feat.get("sve")) and ("PAuth" in vm) == bool(feat.get("ptrauth")),
      "bare-hypercall's vCPU has tinyvmm's SVE and pointer authentication",
      f"bare vm '{vm}', tinyvmm {json.dumps(feat)}")
print(f"MEDIAN\t{med('hypercall')}")
PY
}

report_doc() { # MODE WANT -> TAP lines; sets hypercall_MODE
	local ok desc why
	while IFS=$'\t' read -r ok desc why; do
		if [ "$ok" = MEDIAN ]; then
			eval "hypercall_$1=\$desc"
			continue
		fi
		tap_check "$([ "$ok" = ok ] && echo 0 || echo 1)" "$desc" "$why"
	done < <(check_doc "$1" "$2")
}

modes=(nvhe vhe hvhe protected nested)
declare -A want=([nvhe]='split (nVHE)' [vhe]='VHE' [hvhe]='hVHE'
	[protected]='protected (pKVM, hVHE)'
	[nested]='VHE with nested virtualization (NV2)')
for m in "${modes[@]}"; do run_mode "$m"; done
hypercall_nvhe=0 hypercall_vhe=0
for m in "${modes[@]}"; do report_doc "$m" "${want[$m]}"; done
awk -v a="$hypercall_nvhe" -v b="$hypercall_vhe" 'BEGIN { exit !(a > b && b > 0) }'
tap_check $? "split-mode hypercall costs more than VHE under icount" \
	"nvhe $hypercall_nvhe, vhe $hypercall_vhe"
tap_done
