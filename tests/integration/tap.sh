# Minimal TAP helpers for the integration scripts (sourced, not run).
# shellcheck disable=SC2034 # src is the sourcing script's
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
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

# lab_mode MODE: sets lab_arch (lab/run --arch) and linux_kernel (the
# Linux guest's kernel in the lab host) for a KVM mode: svm is x86_64's,
# the others (lab/run --help) arm64's.
lab_mode() {
	case $1 in
	vhe | nvhe | hvhe | protected | protected-nvhe | nested)
		lab_arch=arm64 linux_kernel=/guest/linux/Image ;;
	svm) lab_arch=x86_64 linux_kernel=/guest/linux/bzImage ;;
	*) echo "Bail out! unknown mode $1"; exit 1 ;;
	esac
}

# tap_found LOG PREFIX REGEX DESCRIPTION: a line of LOG matches REGEX.
tap_found() {
	grep -Eq -- "$3" "$1"
	tap_check $? "$2: $4" "no line matching: $3" "$(tail -n 15 "$1")"
}

# tap_absent LOG PREFIX REGEX DESCRIPTION: no line of LOG matches REGEX.
tap_absent() {
	local hits
	hits=$(grep -E -- "$3" "$1")
	[ -z "$hits" ]
	tap_check $? "$2: $4" "unexpected:" "$hits"
}
