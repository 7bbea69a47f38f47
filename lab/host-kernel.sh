# shellcheck shell=bash disable=SC2154,SC2034 # lab/run sets LAB, deb_arch, run_dir; uses kernel_version
# lab/host-kernel.sh, sourced by lab/run: which Debian kernels the lab can
# boot as the emulated host, what KVM modes each offers, and how one is
# fetched: downloaded and unpacked, never installed.
#
# The kernels come from suites this machine's apt sources need not have
# (Linux 7.3 is built for Debian 13), so they are looked up with a private
# apt configuration in $LAB/apt, used only for apt-cache and apt-get
# download: its own sources list, package lists and cache, and an empty
# dpkg status.
#
# Uses from lab/run: $LAB, $deb_arch, $run_dir, die, warn, step.

# Each version: the suites whose linux-image-ARCH metapackage names it (the
# highest version among them wins).
host_kernel_versions=(6.1 6.12 7.3)
host_kernel_latest=7.3
# What a host boots when no version is asked for. The x86_64 host stays on
# 6.1: with Linux 7.3 as the emulated x86 host (QEMU 10, SVM), a Linux
# guest's vCPU stops with KVM_EXIT_INTERNAL_ERROR (suberror 3, an exit
# during event delivery) at user-space pc 0x4fbcee right after init, while
# 6.1 runs the same guest to power-off; the bench and hostile guests run
# on both (docs/x86-notes.md).
declare -A host_kernel_default=([arm64]=7.3 [x86_64]=6.1)
declare -A host_kernel_suites=(
	[6.1]="bookworm bookworm-updates bookworm-security"
	[6.12]="bookworm-backports"
	[7.3]="trixie-backports")
# The arm64 KVM modes each version can run (x86_64 hosts: svm, always).
# 6.1 predates hVHE (6.5) and nested virtualization; 6.12 has hVHE but
# not yet KVM's NV support.
declare -A host_kernel_modes=(
	[6.1]="vhe nvhe protected"
	[6.12]="vhe nvhe hvhe protected protected-nvhe"
	[7.3]="vhe nvhe hvhe protected protected-nvhe nested")

# host_kernel_check_version V [ARCH]: exits with one line unless V is in the
# table, "latest" or "default" (ARCH's default); sets kernel_version to it.
host_kernel_check_version() {
	local v=$1
	[ "$v" != latest ] || v=$host_kernel_latest
	[ "$v" != default ] || v=${host_kernel_default[${2:-arm64}]}
	[ -n "${host_kernel_suites[$v]:-}" ] ||
		die "--host-kernel-version $1: expected one of ${host_kernel_versions[*]} or latest"
	kernel_version=$v
}

# host_kernel_check_mode V MODE: exits with one line unless kernel V can
# run arm64 mode MODE.
host_kernel_check_mode() {
	local v=$1 mode=$2
	[[ " ${host_kernel_modes[$v]} " == *" $mode "* ]] ||
		die "--mode $mode: Linux $v cannot run it (its modes: ${host_kernel_modes[$v]}); pick another --host-kernel-version"
}

kapt_dir='' kapt_opts=()
# kapt_setup: the private apt configuration, its package lists refreshed
# when a day old (or missing).
kapt_setup() {
	kapt_dir=$LAB/apt
	mkdir -p "$kapt_dir"/{lists/partial,cache/archives/partial,empty}
	: >"$kapt_dir/status"
	local keys=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$kapt_dir/sources.list" <<EOF
deb [signed-by=$keys] http://deb.debian.org/debian bookworm bookworm-updates bookworm-backports trixie-backports main
deb [signed-by=$keys] http://deb.debian.org/debian-security bookworm-security main
EOF
	# One line per suite: apt takes one suite per line.
	awk '{ for (i = 4; i < NF; i++) print $1, $2, $3, $i, $NF }' \
		"$kapt_dir/sources.list" >"$kapt_dir/sources.list.tmp"
	mv "$kapt_dir/sources.list.tmp" "$kapt_dir/sources.list"
	kapt_opts=(-o "Dir::Etc::SourceList=$kapt_dir/sources.list"
		-o "Dir::Etc::SourceParts=$kapt_dir/empty"
		-o "Dir::Etc::Preferences=$kapt_dir/empty/none"
		-o "Dir::Etc::PreferencesParts=$kapt_dir/empty"
		-o "Dir::State::Lists=$kapt_dir/lists"
		-o "Dir::State::status=$kapt_dir/status"
		-o "Dir::Cache=$kapt_dir/cache"
		-o APT::Architectures::=amd64 -o APT::Architectures::=arm64
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
	local stamp=$kapt_dir/lists/.updated
	if ! [ -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
		kapt_update
	fi
}

kapt_update() {
	step "refreshing the lab's kernel package lists ($kapt_dir)" \
		timeout 600 apt-get "${kapt_opts[@]}" update 2>"$run_dir/apt.err" ||
		die "apt-get update of the lab's kernel package lists failed: $(grep -v '^W:' "$run_dir/apt.err" | tail -n 1)"
	touch "$kapt_dir/lists/.updated"
}

# kapt_image_package V: prints the concrete kernel package (linux-image-REL)
# that version V's metapackage depends on, for $deb_arch.
kapt_image_package() {
	local v=$1 meta=linux-image-$deb_arch version
	version=$(apt-cache "${kapt_opts[@]}" madison "$meta:$deb_arch" 2>/dev/null |
		awk -F' [|] ' -v suites=" ${host_kernel_suites[$v]} " '{
			split($3, w, " "); s = w[2]; sub(/\/.*/, "", s)
			v = $2; gsub(/ /, "", v)
			if (index(suites, " " s " ")) print v }' |
		sort -V | tail -n 1)
	[ -n "$version" ] || return 1
	apt-cache "${kapt_opts[@]}" show "$meta:$deb_arch=$version" 2>/dev/null |
		sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
		sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1
}

# kapt_package_parts PKG: PKG and, for kernels packaged the Debian 13 way
# (linux-image-REL is empty and depends on linux-binary-REL, the kernel,
# linux-modules-REL and linux-base-REL, modules.builtin), those parts.
kapt_package_parts() {
	local pkg=$1 rel=${1#linux-image-}
	echo "$pkg"
	apt-cache "${kapt_opts[@]}" show "$pkg:$deb_arch" 2>/dev/null |
		sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
		sed -n "s/^ *\\(linux-\\(binary\\|modules\\|base\\)-$rel\\)\\( .*\\)\\{0,1\\}\$/\\1/p"
}

# host_kernel_resolve V: sets kpkg to version V's concrete kernel package;
# the answer is kept until the lists are refreshed.
host_kernel_resolve() {
	local v=$1 resolved=$LAB/kernel/resolved-$deb_arch-$1
	if [ -s "$resolved" ] && [ "$resolved" -nt "$kapt_dir/lists/.updated" ]; then
		kpkg=$(cat "$resolved")
		return
	fi
	kpkg=$(kapt_image_package "$v") || true
	if [ -z "$kpkg" ]; then
		kapt_update
		kpkg=$(kapt_image_package "$v") || true
	fi
	[ -n "$kpkg" ] ||
		die "no Linux $v for $deb_arch in ${host_kernel_suites[$v]} (apt-cache madison linux-image-$deb_arch in the lab's lists, $kapt_dir)"
	echo "$kpkg" >"$resolved"
}

# host_kernel_fetch DEST: downloads $kpkg (and its parts) and unpacks them
# into DEST, modules under DEST/lib/modules/REL whatever the package's
# layout (Debian 13 ships them under usr/lib/modules).
host_kernel_fetch() {
	local dest=$1 tmp f parts
	tmp=$(mktemp -d "$LAB/.unpack.XXXXXX")
	mapfile -t parts < <(kapt_package_parts "$kpkg")
	! declare -F lab_trace >/dev/null ||
		lab_trace apt-get "${kapt_opts[@]}" download "${parts[@]/%/:$deb_arch}"
	(cd "$tmp" && timeout 900 apt-get "${kapt_opts[@]}" download "${parts[@]/%/:$deb_arch}") \
		2>"$run_dir/apt.err" ||
		die "apt-get download ${parts[*]} failed: $(grep -v '^W:' "$run_dir/apt.err" | tail -n 1)"
	mkdir "$tmp/root"
	for f in "$tmp"/*.deb; do
		dpkg-deb -x "$f" "$tmp/root" || die "dpkg-deb -x of $(basename "$f") failed"
	done
	if [ -d "$tmp/root/usr/lib/modules" ]; then
		mkdir -p "$tmp/root/lib/modules"
		mv "$tmp/root/usr/lib/modules"/* "$tmp/root/lib/modules/"
	fi
	touch "$tmp/root/.complete"
	rm -rf "$dest"
	mv "$tmp/root" "$dest"
	rm -rf "$tmp"
}

# kernel_image_in DIR REL: prints the kernel of an unpacked package tree:
# boot/vmlinuz-REL, or lib/modules/REL/vmlinuz (Debian 13's layout).
kernel_image_in() {
	local f
	for f in "$1/boot/vmlinuz-$2" "$1/lib/modules/$2/vmlinuz"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}
