# Minimal TAP helpers for the integration scripts (sourced, not run).
tap_n=0
tap_failed=0

# ok COND-EXIT-STATUS DESCRIPTION [DIAGNOSTIC...]
tap_check() {
	local status=$1 desc=$2
	shift 2
	tap_n=$((tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $tap_n - $desc"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $desc"
		printf '%s\n' "$@" | sed 's/^/#   /'
	fi
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
