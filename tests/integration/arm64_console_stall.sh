#!/usr/bin/env bash
# usage: arm64_console_stall.sh
# A guest console nobody reads must not make tinyvmm unkillable: Linux
# under tinyvmm writes its boot log into a pipe that is never drained,
# until a vCPU blocks writing to it; SIGTERM must still stop tinyvmm
# promptly with status 143. Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root

script='(tinyvmm --kernel /guest/linux/Image --initrd /guest/linux/initrd.cpio.gz
  --cmdline "console=ttyS0 initcall_debug ignore_loglevel" --cpus 2;
  echo "@@rc $?" >/tmp/rc) | sleep 600 &
i=0; p=;
while [ $i -lt 300 ]; do sleep 2; i=$((i + 2)); p=$(pidof tinyvmm);
  grep -qs pipe_write /proc/$p/task/*/wchan && break; done;
grep -qs pipe_write /proc/$p/task/*/wchan && echo "@@blocked after $i s";
kill -TERM $p; t0=$(date +%s);
while pidof tinyvmm >/dev/null && [ $(( $(date +%s) - t0 )) -le 30 ]; do sleep 1; done;
pidof tinyvmm >/dev/null && echo "@@still running" || echo "@@gone after $(( $(date +%s) - t0 )) s";
sleep 1; cat /tmp/rc'
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$src/lab/run" --arch arm64 --mode vhe --linux-guest --timeout 900 -- \
	"$(tr '\n' ' ' <<<"$script")" >"$log" 2>&1
tap_check $? "lab runs the stalled-console scenario" "$(tail -n 15 "$log")"
grep -q '^@@blocked after' "$log"
tap_check $? "a vCPU blocks writing to the undrained console pipe" "$(tail -n 15 "$log")"
grep -Eq '^@@gone after ([0-9]|[12][0-9]) s' "$log"
tap_check $? "SIGTERM stops tinyvmm within 30 s" "$(tail -n 15 "$log")"
grep -q '^@@rc 143$' "$log"
tap_check $? "tinyvmm exits 128+SIGTERM" "$(tail -n 15 "$log")"
tap_done
