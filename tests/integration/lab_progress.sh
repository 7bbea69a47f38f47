#!/usr/bin/env bash
# usage: lab_progress.sh
# lab/compare's progress display (lab/progress.sh) on made-up lab/run
# logs, with nothing booted: the phase each log says, the terminal's
# redrawn block and the plain lines elsewhere (no control character, at
# most one line per boot per interval unless its phase changes), the
# per-boot wall-time summary, lab/compare itself with a stand-in lab/run,
# and lab/run --verbose in the option parser. Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=lab/progress.sh
. "$src/lab/progress.sh"

# same DESCRIPTION WANT GOT
same() {
	[ "$2" = "$3" ]
	tap_check $? "$1" "want: $2" "got:  $3"
}
# no_controls DESCRIPTION FILE: FILE has no control character but \n.
no_controls() {
	local hits
	hits=$(LC_ALL=C grep -n '[[:cntrl:]]' "$2" | head -n 3 | cat -A)
	[ -z "$hits" ] && [ -s "$2" ]
	tap_check $? "$1" "control characters (or an empty file):" "$hits"
}

same "pg_time: seconds" 0:07 "$(pg_time 7)"
same "pg_time: minutes past the hour keep counting" 71:03 "$(pg_time 4263)"

# A lab log per phase, as lab/run writes them.
lablog() { printf '%b\n' "$@" >"$work/lab.log"; }
phase_is() { # DESCRIPTION WANT LINE...
	local desc=$1 want=$2
	shift 2
	lablog "$@"
	same "pg_phase: $desc" "$want" "$(pg_phase "$work/lab.log")"
}
same "pg_phase: no log yet" starting "$(pg_phase "$work/none.log")"
phase_is "lock" "waiting for the lab lock" \
	"lab: waiting for another lab/run's preparation (lock /x/lock) ..."
phase_is "download" downloading "lab: downloading linux-image-7.3.4-arm64 ..."
phase_is "build" building "lab: downloading busybox ...: done in 3 s" \
	"lab: building tinyvmm for arm64 in /x/build-arm64 ..."
phase_is "a finished step" preparing \
	"lab: building tinyvmm for arm64 in /x/build-arm64: done in 41 s"
phase_is "booting" booting \
	"lab: booting arm64 host: Linux 7.3.4, vhe, icount, QEMU 10.0.2, 2 cpus, 1G; timeout 1800 s ..."
phase_is "init reached" running "lab: booting arm64 host ..." \
	"lab: init reached after 41 s; running the command"
phase_is "a warning after it" running "lab: init reached after 41 s; running the command" \
	"lab: warning: something"
phase_is "done" "done" "lab: done in 372 s (boot + command 330 s; exit status 0)"
phase_is "lab/run --verbose's time stamp" booting \
	"lab: [1:05] booting arm64 host: Linux 7.3.4 ..."
phase_is "lab/run --verbose's commands and console lines are no phase" booting \
	"lab: [1:05] booting arm64 host: Linux 7.3.4 ..." \
	"lab: [1:05] + qemu-system-aarch64 -M virt" "lab: console: [    0.000000] Booting Linux"
phase_is "a line that ends the run, its first 60 characters" \
	"stopped: timeout: the command did not finish within 1800 s (console: " \
	"lab: timeout: the command did not finish within 1800 s (console: /x/c.log)"
phase_is "escapes in the log are dropped" "stopped: ]0;titlenot ok" \
	'lab: \033]0;title\007\rnot ok'

# What the command's markers say once it runs.
detail_is() { # DESCRIPTION WANT LINE...
	local desc=$1 want=$2
	shift 2
	printf '%s\n' "$@" >"$work/cmd.log"
	lablog "lab: init reached after 41 s; running the command"
	same "pg_boot_state: $desc" "$want" "$(pg_boot_state "$work/lab.log" "$work/cmd.log")"
}
detail_is "host-info only" running "kernel: Linux 7.3.4"
detail_is "bench" "running (tinyvmm --bench)" "kernel: Linux 7.3.4" @@bench "hypercall ..."
detail_is "bare-hypercall" "running (bare-hypercall)" @@bench "@@rc 0" @@bare
detail_is "a workload's result" "running (iperf3 done)" "@@result hackbench time_s=1" \
	"@@result iperf3 sender_mbit_s=9"
detail_is "the second guest" "running (sockperf-userspace)" "@@result iperf3 x=1" "@@rc 0" \
	"@@next sockperf-userspace"
lablog "lab: booting arm64 host ..."
printf '@@bench\n' >"$work/cmd.log"
same "pg_boot_state: no detail before the command runs" booting \
	"$(pg_boot_state "$work/lab.log" "$work/cmd.log")"

# Plain lines: on a change of state, else once per PG_PLAIN_EVERY.
# shellcheck disable=SC2034 # pg_plain_due reads it
PG_PLAIN_EVERY=60
seq_out=''
for step in "0 booting" "30 booting" "59 booting" "60 booting" "61 running" "62 running" "121 running"; do
	read -r at state <<<"$step"
	if pg_plain_due k "$state" "$at"; then seq_out+="$at "; fi
done
same "pg_plain_due: one line per minute, or on a phase change" "0 60 61 121 " "$seq_out"

same "pg_summary: the one-line wall time per boot" \
	"lab/compare: wall time per boot: bench on 7.3 VHE 6:12, nested: 7.3 L2 in L1-VHE 24:40; total 71:03" \
	"$(pg_summary 4263 "bench on 7.3 VHE" 372 "nested: 7.3 L2 in L1-VHE" 1480)"

# The pool with stand-in boots: NAME's logs pass through building,
# booting and the command (one with escapes in its lab log, one failed).
pool_script() { # PG_TTY
	cat <<EOF
set -euo pipefail
. "$src/lab/progress.sh"
pg_tty=$1
r=$work/pool
job_title() { echo "boot \${1##* }"; }
job_logs() { printf '%s\n' "\$r/\${1##* }.lab.log" "\$r/\${1##* }.log" "\$r/\${1##* }.failed"; }
fake() {
	local n=\$1
	echo "lab: building tinyvmm for arm64 in /x ..." >"\$r/\$n.lab.log"; sleep 2
	printf 'lab: booting \033[2J\033]0;pwned\007 host ...\n' >>"\$r/\$n.lab.log"; sleep 4.5
	echo "lab: init reached after 6 s; running the command" >>"\$r/\$n.lab.log"
	echo "@@bench" >"\$r/\$n.log"; sleep 2.5
	[ "\$n" != b ] || echo "lab/run exited 1" >"\$r/\$n.failed"
	echo "lab: done in 8 s" >>"\$r/\$n.lab.log"
}
pg_pool 2 "fake a" "fake b" "fake c"
pg_pool_summary >&2
EOF
}
mkdir -p "$work/pool"
pool_script 0 >"$work/pool.sh"
PG_TICK=1 PG_PLAIN_EVERY=3 COLUMNS=60 bash "$work/pool.sh" >"$work/pool.out" 2>"$work/pool.err"
tap_check $? "pool, not a terminal: runs to the end" "$(tail -n 5 "$work/pool.err")"
[ ! -s "$work/pool.out" ]
tap_check $? "pool: nothing on stdout (lab/compare's tables stay alone there)" "$(head -n 3 "$work/pool.out")"
no_controls "pool, not a terminal: no control characters" "$work/pool.err"
[ "$(grep -c '\] start boot ' "$work/pool.err")" = 3 ] && [ "$(grep -c '\] done  boot . ([123] of 3)' "$work/pool.err")" = 3 ]
tap_check $? "pool: the start and done lines of every boot" "$(cat "$work/pool.err")"
# (Times are loose: the machine may be busy with emulated hosts.)
grep -q '\] boot a: building, [0-9]:[0-9][0-9] in this boot (0 of 3 done)$' "$work/pool.err" &&
	grep -q '\] boot a: booting, [0-9]:[0-9][0-9] in this boot' "$work/pool.err" &&
	grep -q '\] boot a: running (tinyvmm --bench), [0-9]:[0-9][0-9] in this boot' "$work/pool.err"
tap_check $? "pool, not a terminal: a line on each phase change" "$(cat "$work/pool.err")"
n=$(grep -c '\] boot a: booting, ' "$work/pool.err")
[ "$n" -ge 1 ] && [ "$n" -le 2 ]
tap_check $? "pool, not a terminal: 4.5 s booting, PG_PLAIN_EVERY=3: at most 2 lines (got $n)" \
	"$(grep 'boot a' "$work/pool.err")"
t='[0-9]:[0-9]{2}'
grep -Eq "^lab/compare: wall time per boot: boot a $t, boot b \(failed\) $t, boot c $t; total $t\$" \
	"$work/pool.err"
tap_check $? "pool: the summary, in job order, a failed boot marked" "$(tail -n 2 "$work/pool.err")"

rm -f "$work/pool"/*
pool_script 1 >"$work/pool.sh"
PG_TICK=1 COLUMNS=40 bash "$work/pool.sh" >"$work/pool.out" 2>"$work/pool.err"
tap_check $? "pool, terminal: runs to the end" "$(tail -n 5 "$work/pool.err")"
LC_ALL=C grep -q $'\r\033\\[K  boot a: booting' "$work/pool.err" &&
	LC_ALL=C grep -q $'\033\\[3A' "$work/pool.err" &&
	LC_ALL=C grep -q $'\r\033\\[Klab/compare: \\[0:0[0-9]\\] 0 of 3 boots done, ' "$work/pool.err"
tap_check $? "pool, terminal: a block (header and one line per boot) redrawn in place" \
	"$(head -c 600 "$work/pool.err" | cat -A)"
# The escapes the stand-in put in its lab log must not come through: the
# only ones are the block's own (cursor up, erase).
others=$(LC_ALL=C grep -ao $'\033[^[]\\|\033\\[[0-9]*[^0-9AJK]\\|\007' "$work/pool.err" | cat -A | head -n 3)
[ -z "$others" ]
tap_check $? "pool, terminal: no escape from the logs, only \\r and ESC[nA, ESC[K, ESC[J" "$others"
# Each block line follows \r ESC[K and ends at the next escape or \n.
long=$(LC_ALL=C sed $'s/\r\033\\[K/\\n@@/g' "$work/pool.err" | LC_ALL=C sed -n $'s/^@@//; T; s/\033.*//; p' |
	awk 'length > 39' | head -n 3)
[ -z "$long" ]
tap_check $? "pool, terminal: block lines cut to the width (COLUMNS=40), none wraps" "$long"
LC_ALL=C tail -n 1 "$work/pool.err" | grep -q '^lab/compare: wall time per boot: boot a '
tap_check $? "pool, terminal: the block erased before the summary" "$(tail -n 2 "$work/pool.err" | cat -A)"

# lab/compare itself, with stand-ins for lab/run, install-deps, meson and
# tinyvmm: its four kinds of boots (bench, workloads, nested bench and
# nested Linux) named in
# the progress lines and the summary, nothing of it on stdout.
fake=$work/repo
mkdir -p "$fake/lab" "$fake/build/vmm" "$work/bin"
cp "$src/lab/compare" "$src/lab/progress.sh" "$src/lab/host-kernel.sh" \
	"$src/lab/workload-report" "$src/lab/nested-report" "$src/lab/nested-linux.sh" "$fake/lab/"
printf '#!/bin/sh\nexit 0\n' >"$fake/lab/install-deps"
printf '#!/bin/sh\nexit 0\n' >"$work/bin/meson"
printf '#!/bin/sh\nexit 0\n' >"$fake/build/vmm/tinyvmm"
: >"$fake/build/build.ninja"
cat >"$fake/lab/run" <<'EOF'
#!/bin/sh
echo "lab: booting arm64 host: (stand-in) ..." >&2
sleep 3
echo "lab: init reached after 2 s; running the command" >&2
case $* in *"echo @@bench"*) echo @@bench ;; esac
sleep 3
echo "@@rc 0"
echo "lab: done in 4 s" >&2
EOF
chmod +x "$fake/lab/run" "$fake/lab/install-deps" "$work/bin/meson" "$fake/build/vmm/tinyvmm"
PATH=$work/bin:$PATH PG_TICK=1 PG_PLAIN_EVERY=60 "$fake/lab/compare" --lab --modes vhe \
	--workload-modes vhe --nested-modes vhe --nested-linux-modes vhe --results "$work/results" \
	>"$work/cmp.out" 2>"$work/cmp.err" </dev/null
grep -q '\] workloads on 7.3 VHE: booting, ' "$work/cmp.err" &&
	grep -q '\] nested: 7.3 L2 in L1-VHE: running, ' "$work/cmp.err" &&
	grep -q '\] nested Linux: 7.3 L2 in L1-VHE: running, ' "$work/cmp.err" &&
	grep -q '\] bench on 7.3 VHE: running (tinyvmm --bench), ' "$work/cmp.err"
tap_check $? "lab/compare: each boot kind's phase, from its own logs" "$(grep -v '^ ' "$work/cmp.err" | head -n 20)"
grep -Eq "^lab/compare: wall time per boot: workloads on 7.3 VHE $t, nested Linux: 7.3 L2 in L1-VHE $t, nested: 7.3 L2 in L1-VHE $t, bench on 7.3 VHE $t; total $t\$" \
	"$work/cmp.err"
tap_check $? "lab/compare: the wall time per boot at the end" "$(grep 'wall time' "$work/cmp.err")"
! grep -q 'lab/compare\|running\|wall time' "$work/cmp.out"
tap_check $? "lab/compare: no progress on stdout" "$(grep 'lab/compare\|running\|wall time' "$work/cmp.out")"
no_controls "lab/compare: stderr not a terminal, no control characters" "$work/cmp.err"
# script(1) needs a pseudo-terminal: a container's /dev may have none.
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
	# script(1) gives lab/compare a terminal, and keeps what it printed.
	PATH=$work/bin:$PATH PG_TICK=1 TERM=xterm script -qec "'$fake/lab/compare' --lab --modes vhe \
		--no-workloads --no-nested --results '$work/results2'" "$work/tty.err" >/dev/null
	LC_ALL=C grep -q $'\r\033\\[K  bench on 7.3 VHE: ' "$work/tty.err"
	tap_check $? "lab/compare: on a terminal, the redrawn block" "$(head -c 400 "$work/tty.err" | cat -A)"
else
	echo "ok $((tap_n + 1)) - # SKIP lab/compare on a terminal: no script(1) or no pseudo-terminal"
	tap_n=$((tap_n + 1))
fi

# lab/run --verbose: known to the parser (a later refusal is reached),
# exclusive with --quiet, documented; a misspelling is refused.
verbose_run() { # WANT-REGEX DESCRIPTION ARGS...
	local re=$1 desc=$2
	shift 2
	"$src/lab/run" "$@" >"$work/out" 2>"$work/err" </dev/null
	local st=$?
	[ "$st" = 125 ] && grep -Eq -- "$re" "$work/err" && ! grep -q booting "$work/err"
	tap_check $? "lab/run: $desc" "exit $st; stderr:" "$(tail -n 3 "$work/err")"
}
verbose_run 'expected vhe, nvhe' "--verbose is parsed (the bad --mode after it is what is refused)" \
	--arch arm64 --verbose --mode hyper -- true
verbose_run 'give one of them' "--verbose with --quiet is refused" \
	--arch arm64 --mode vhe --verbose --quiet -- true
verbose_run 'unknown option --verbos ' "a misspelt --verbos is refused" \
	--arch arm64 --mode vhe --verbos -- true
"$src/lab/run" --help | grep -q -- '^  --verbose  '
tap_check $? "lab/run --help documents --verbose"
tap_done
