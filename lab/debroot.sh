# shellcheck shell=bash
# lab/debroot.sh, sourced by lab/run: stages programs from Debian's
# packages of the lab host's arch ($deb_arch: arm64 or amd64) into a
# directory tree for an initramfs, with every shared library they need.
#
# Packages are unpacked once into $LAB/debs/$deb_arch/PKG (kept; never
# refreshed).
# Libraries are found from the ELF files themselves: DT_NEEDED entries and
# the PT_INTERP loader, recursively. A library is looked for in the
# package that needs it, then in that package's library dependencies
# (fetched on demand), breadth first: dpkg-shlibdeps put the package of
# each needed library among the direct dependencies, so the search stays
# small even for fio, whose libraries pull in ceph's and glusterfs's.
#
# Uses from lab/run: $LAB, $deb_arch, $deb_multiarch (aarch64-linux-gnu,
# x86_64-linux-gnu), $elf_machine (readelf's name of the machine), die,
# apt_download.

deb_dir=$LAB/debs/$deb_arch
deb_readelf=$deb_multiarch-readelf
command -v "$deb_readelf" >/dev/null || deb_readelf=readelf

# deb_fetch PKG...: unpacks each package PKG ($deb_arch) into $deb_dir/PKG, with
# .depends (its Pre-Depends and Depends) and .libs (paths of its shared
# libraries) beside; one apt-get download for all that are missing.
deb_fetch() {
	local want=() p f name tmp
	for p; do
		[ -e "$deb_dir/$p/.complete" ] || want+=("$p")
	done
	[ ${#want[@]} -gt 0 ] || return 0
	# PKG:ARCH, or PKG:all for architecture-independent packages (a
	# library's -common data package), which apt-cache does not list as
	# PKG:ARCH.
	local -A native=()
	local specs=()
	while read -r name; do
		native[$name]=1
	done < <(apt-cache show --no-all-versions "${want[@]/%/:$deb_arch}" 2>/dev/null |
		sed -n 's/^Package: //p')
	for p in "${want[@]}"; do
		if [ -n "${native[$p]:-}" ]; then specs+=("$p:$deb_arch"); else specs+=("$p:all"); fi
	done
	mkdir -p "$deb_dir"
	tmp=$(mktemp -d "$LAB/.unpack.XXXXXX")
	apt_download "$tmp" "${specs[@]}"
	for f in "$tmp"/*.deb; do
		[ -f "$f" ] || continue
		name=$(dpkg-deb -f "$f" Package) || die "$(basename "$f") is not a Debian package"
		rm -rf "$tmp/root"
		mkdir "$tmp/root"
		dpkg-deb -x "$f" "$tmp/root" || die "dpkg-deb -x of $(basename "$f") failed"
		dpkg-deb -f "$f" Pre-Depends Depends >"$tmp/root/.depends"
		basename "$f" >"$tmp/root/.deb"
		(cd "$tmp/root" && find . \( -type f -o -type l \) -path '*/lib/*' \
			-name '*.so*' | sed 's#^\./##' | LC_ALL=C sort) >"$tmp/root/.libs"
		touch "$tmp/root/.complete"
		rm -rf "${deb_dir:?}/$name"
		mv "$tmp/root" "$deb_dir/$name"
	done
	rm -rf "$tmp"
	for p in "${want[@]}"; do
		[ -e "$deb_dir/$p/.complete" ] ||
			die "apt-get download $p gave no package named $p"
	done
}

# deb_lib_depends PKG: prints PKG's dependencies that are shared-library
# packages (first alternative of each). Debian names those lib* (policy
# 8.1; zlib1g too); the others (python3, debconf, ...) never hold a
# library an ELF file needs.
deb_lib_depends() {
	sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' "$deb_dir/$1/.depends" | tr ',' '\n' |
		sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' |
		grep -E '^(lib|zlib)' | LC_ALL=C sort -u || true
}

# deb_find_lib "PKG..." SONAME: sets found_pkg and found_path (inside
# $deb_dir/found_pkg) to the library SONAME, searching the packages PKG
# (one, or a space-separated list) and then their library dependencies
# breadth first. Returns 1 when none has it.
found_pkg='' found_path=''
deb_find_lib() {
	local queue=() so=$2 i=0 p hit d
	local -A seen=()
	read -r -a queue <<<"$1"
	deb_fetch "${queue[@]}"
	for p in "${queue[@]}"; do seen[$p]=1; done
	while [ "$i" -lt ${#queue[@]} ]; do
		p=${queue[$i]}
		i=$((i + 1))
		hit=$(awk -v n="$so" '{ b = $0; sub(/.*\//, "", b) } b == n { print; exit }' \
			"$deb_dir/$p/.libs")
		if [ -n "$hit" ]; then
			found_pkg=$p found_path=$hit
			return 0
		fi
		local deps=()
		mapfile -t deps < <(deb_lib_depends "$p")
		[ ${#deps[@]} -eq 0 ] || deb_fetch "${deps[@]}"
		for d in ${deps[@]+"${deps[@]}"}; do
			[ -n "${seen[$d]:-}" ] && continue
			seen[$d]=1
			queue+=("$d")
		done
	done
	return 1
}

# deb_real_file ROOT PATH: sets real_file to ROOT/PATH with symlinks
# followed inside ROOT (a package's absolute link targets are relative to
# its root).
real_file=''
deb_real_file() {
	local root=$1 f=$1/$2 t n=0
	while [ -L "$f" ]; do
		t=$(readlink "$f")
		case $t in
		/*) f=$root$t ;;
		*) f=$(dirname "$f")/$t ;;
		esac
		n=$((n + 1))
		[ "$n" -lt 40 ] || die "symlink loop at $2 in $root"
	done
	[ -f "$f" ] || die "$2 in $(basename "$root") is a dangling symlink"
	real_file=$f
}

# elf_needs FILE: prints the loader (PT_INTERP, as a path) and the sonames
# FILE needs (DT_NEEDED), one a line; dies unless FILE is an ELF file of
# the host's arch.
elf_needs() {
	local f=$1 hdr
	hdr=$("$deb_readelf" -h "$f" 2>/dev/null) || die "$f is not an ELF file"
	grep -q "Machine:.*$elf_machine" <<<"$hdr" || die "$f is not a $deb_arch ELF file"
	"$deb_readelf" -lW "$f" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p'
	"$deb_readelf" -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# deb_stage_programs DEST PKG:PATH...: copies each program PATH of package
# PKG to DEST/usr/bin, every shared library they need (recursively) to
# DEST/lib/$deb_multiarch (the loader's default directory: no
# ld.so.cache needed), and the loader also at its PT_INTERP path.
deb_stage_programs() {
	local dest=$1 spec pkg path
	shift
	local queue=() owner=()
	mkdir -p "$dest/usr/bin"
	for spec; do
		pkg=${spec%%:*} path=${spec#*:}
		deb_fetch "$pkg"
		[ -e "$deb_dir/$pkg/$path" ] || die "package $pkg:$deb_arch has no $path"
		deb_real_file "$deb_dir/$pkg" "$path"
		install -m 755 "$real_file" "$dest/usr/bin/$(basename "$path")"
		queue+=("$dest/usr/bin/$(basename "$path")") owner+=("$pkg")
	done
	deb_stage_libs "$dest"
}

# deb_stage_elf DEST FILE TO "PKG...": copies FILE, a program built here
# for the host's arch, to DEST/TO, and the shared libraries it needs
# (found in the packages PKG and their library dependencies) as
# deb_stage_programs does.
deb_stage_elf() {
	local dest=$1
	local queue=("$dest/$3") owner=("$4")
	mkdir -p "$(dirname "$dest/$3")"
	install -m 755 "$2" "$dest/$3"
	deb_stage_libs "$dest"
}

# deb_stage_libs DEST: the libraries of the ELF files in the caller's
# queue (paths in DEST) whose owner (same index: "PKG..." to search) is
# known, into DEST/lib/$deb_multiarch, recursively.
deb_stage_libs() {
	local dest=$1 f pkg needs need so interp
	local -A staged=()
	mkdir -p "$dest/lib/$deb_multiarch"
	local i=0
	while [ "$i" -lt ${#queue[@]} ]; do
		f=${queue[$i]} pkg=${owner[$i]}
		i=$((i + 1))
		needs=$(elf_needs "$f") || exit 125 # elf_needs died: message printed
		for need in $needs; do
			interp=''
			case $need in /*) interp=$need so=${need##*/} ;; *) so=$need ;; esac
			if [ -z "${staged[$so]:-}" ]; then
				deb_find_lib "$pkg" "$so" ||
					die "$so, needed by $(basename "$f") (package $pkg), is in none of $pkg's library dependencies"
				deb_real_file "$deb_dir/$found_pkg" "$found_path"
				install -m 755 "$real_file" "$dest/lib/$deb_multiarch/$so"
				staged[$so]=1
				queue+=("$dest/lib/$deb_multiarch/$so") owner+=("$found_pkg")
			fi
			if [ -n "$interp" ] && ! [ -e "$dest$interp" ] && ! [ -L "$dest$interp" ]; then
				mkdir -p "$dest$(dirname "$interp")"
				ln -s "/lib/$deb_multiarch/$so" "$dest$interp"
			fi
		done
	done
}

# deb_tree TOP PKG:PATH...: sets deb_tree_dir to a tree that
# deb_stage_programs made of the programs PATH, cached in TOP/KEY and
# made once per program list and version of this file (KEY, also in
# deb_tree_key). Keeps the 3 most recently made trees in TOP.
deb_tree_dir='' deb_tree_key=''
deb_tree() {
	local top=$1 st
	shift
	deb_tree_key=$({
		printf '%s\n' "$deb_arch" "$@"
		cat "${BASH_SOURCE[0]}"
	} | sha256sum | cut -c1-16)
	deb_tree_dir=$top/$deb_tree_key
	[ -e "$deb_tree_dir/.complete" ] && return
	mkdir -p "$top"
	rm -rf "$top"/.stage.* # a killed lab/run's (we hold the lock)
	st=$(mktemp -d "$top/.stage.XXXXXX")
	chmod 755 "$st"
	deb_stage_programs "$st" "$@"
	touch "$st/.complete"
	rm -rf "$deb_tree_dir"
	mv "$st" "$deb_tree_dir"
	# shellcheck disable=SC2012 # directories named by their keys
	ls -dt "$top"/*/ | tail -n +4 | xargs -r rm -rf
}
