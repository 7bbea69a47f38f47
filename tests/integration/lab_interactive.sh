#!/usr/bin/env bash
# usage: lab_interactive.sh
# lab/run --interactive, as README's quick start uses it: on a
# pseudo-terminal, lab/run boots the emulated arm64 host with a shell as
# its command; what is typed reaches that shell (a command's output comes
# back), and "exit" ends the run with status 0. Without a terminal on
# stdin --interactive is refused. Output is TAP.
set -u
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh" # sets src: the repository root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$src/lab/run" --arch arm64 --mode vhe --interactive -- sh </dev/null >"$work/out" 2>"$work/err"
status=$?
[ "$status" = 125 ] && grep -q "^lab: --interactive: stdin is not a terminal$" "$work/err"
tap_check $? "--interactive without a terminal on stdin is refused (exit 125, as lab/run's other refusals)" \
	"exit $status, stderr:" "$(cat "$work/err")"

# python3's pty: wait for the prompt, then type (nothing is lost to a
# line typed before the shell reads the console).
python3 - "$src/lab/run" "$work/log" <<'PY'
import os, pty, select, sys, time

run, log = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(run, [run, "--arch", "arm64", "--mode", "vhe", "--interactive",
                   "--timeout", "600", "--", "sh"])
seen = b""
def read_until(pattern, limit):
    global seen
    end = time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            seen += chunk
            if pattern in seen:
                return True
    return False
ok = read_until(b"/ # ", 500)
if ok:
    os.write(fd, b"echo typed-$((6*7))\r")
    ok = read_until(b"typed-42\r\n", 60)
    time.sleep(1)
    os.write(fd, b"exit\r")
read_until(b"@@never", 120)
_, st = os.waitpid(pid, 0)
open(log, "wb").write(seen + b"\n@@status %d\n" % os.waitstatus_to_exitcode(st))
PY
tr -d '\r' <"$work/log" >"$work/clean"
grep -q '^/ # ' "$work/clean"
tap_check $? "the host's shell prompts on the terminal" "$(tail -n 15 "$work/clean")"
grep -q '^typed-42$' "$work/clean"
tap_check $? "a line typed on the terminal runs in the host's shell" "$(tail -n 15 "$work/clean")"
grep -q '^@@status 0$' "$work/clean" && grep -q '^lab: done in .*exit status 0)$' "$work/clean"
tap_check $? "exit ends the shell, the host powers off, lab/run exits 0" "$(tail -n 15 "$work/clean")"
tap_done
