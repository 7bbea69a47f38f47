# shellcheck shell=bash disable=SC2154,SC2012 # lab/run sets LAB, kdir...
# lab/linux-guest.sh, sourced by lab/run: the Linux guest that tinyvmm
# boots inside the emulated host (--linux-guest), and the workload
# programs that the full guest and the host carry (--linux-guest=full).
#
#   Image             Debian's arm64 kernel (the host's), uncompressed;
#   bzImage           on x86_64, Debian's amd64 kernel (the host's) as is
#   initrd.cpio.gz    busybox, /init (lab/guest-init), the virtio modules
#                     in dependency order; with =full also hackbench, fio,
#                     iperf3, sockperf and their shared libraries
#
# Everything is cached in $LAB by content: the Image per kernel release,
# modules.dep per kernel package, the workload tree per program list (and
# this code), each initrd per key of all it holds.
#
# Uses from lab/run: $LAB, $arch, $gkdir, $gkpkg, $gkrel (the guest's
# Debian kernel: its unpacked package, name and release), $busybox,
# $script_dir, die, step; and deb_stage_programs (lab/debroot.sh).

# The virtio-mmio drivers the guest loads; their dependencies (and their
# order) come from the kernel's modules.dep; built-in ones are skipped.
guest_drivers=(virtio_mmio virtio_blk virtio_net)
# The workload programs, as PACKAGE:PATH of Debian's packages (the host's
# arch).
workload_programs=(rt-tests:usr/bin/hackbench fio:usr/bin/fio
	iperf3:usr/bin/iperf3 sockperf:usr/bin/sockperf)

# Outputs, set by the functions below.
linux_guest_image='' linux_guest_initrd='' workloads_dir='' workloads_key=''
# Its name under /guest/linux in the host: what tinyvmm --kernel takes.
linux_guest_image_name=Image
[ "$arch" != x86_64 ] || linux_guest_image_name=bzImage
kmod_names=() kmod_files=() kmod_builtin=()

# kmod_dep_file ROOT REL: prints the path of a modules.dep for the modules
# in ROOT/lib/modules/REL: the tree's own (make modules_install writes
# one), else one made with depmod -n (Debian's packages ship none: their
# postinst runs depmod), kept in $LAB/kernel/modules.dep-KEY while the tree
# is unchanged (a package tree's .complete marks that).
kmod_dep_file() {
	local root=$1 rel=$2 out depmod conf
	if [ -s "$root/lib/modules/$rel/modules.dep" ]; then
		echo "$root/lib/modules/$rel/modules.dep"
		return
	fi
	out=$LAB/kernel/modules.dep-$(printf '%s\n' "$root" "$rel" | sha256sum | cut -c1-16)
	if [ -s "$out" ] && [ -e "$root/.complete" ] && [ "$out" -nt "$root/.complete" ]; then
		echo "$out"
		return
	fi
	depmod=$(PATH=$PATH:/usr/sbin:/sbin command -v depmod) ||
		die "depmod not found (package kmod; lab/install-deps installs it)"
	# An empty configuration directory: the build machine's depmod.d must
	# not change the guest's module order.
	conf=$(mktemp -d "$LAB/.unpack.XXXXXX")
	"$depmod" -n -C "$conf" -b "$root" "$rel" 2>"$conf.err" |
		awk '/^#/ { rest = 1 } !rest { print }' >"$out.tmp" ||
		die "depmod -b $root $rel failed: $(tail -n 1 "$conf.err")"
	rm -rf "$conf" "$conf.err"
	[ -s "$out.tmp" ] || die "depmod made an empty modules.dep for $rel in $root"
	mv "$out.tmp" "$out"
	echo "$out"
}

# kmod_plain FILE: prints a path to FILE's module uncompressed. busybox's
# insmod reads only plain .ko files; Debian 13's kernels ship .ko.xz.
# Kept in $LAB/kernel/ko, made again when FILE is newer.
kmod_plain() {
	local f=$1 out unpack
	case $f in
	*.ko) echo "$f"; return ;;
	*.ko.xz) unpack=(xz -dc) ;;
	*.ko.zst) unpack=(zstd -qdc) ;;
	*.ko.gz) unpack=(gzip -dc) ;;
	*) die "module $f: unknown compression" ;;
	esac
	out=$LAB/kernel/ko/$(printf '%s' "$f" | sha256sum | cut -c1-16).ko
	if ! [ -s "$out" ] || [ "$f" -nt "$out" ]; then
		mkdir -p "$LAB/kernel/ko"
		"${unpack[@]}" "$f" >"$out.tmp" || die "decompressing module $f failed"
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# kmod_order ROOT REL MODULE...: sets kmod_names and kmod_files (paths of
# plain .ko files) to the MODULEs of ROOT/lib/modules/REL and everything
# they depend on, dependencies first (a depth-first walk of modules.dep),
# and kmod_builtin to the MODULEs built into the kernel (skipped).
kmod_order() {
	local root=$1 rel=$2 depfile mroot m n line path
	shift 2
	local -A deps_of=() path_of=() done_=()
	depfile=$(kmod_dep_file "$root" "$rel") || exit 125 # died: message printed
	mroot=$root/lib/modules/$rel
	while IFS= read -r line; do
		path=${line%%:*}
		deps_of[$path]=${line#*:}
		n=${path##*/}
		n=${n%%.ko*}
		path_of[${n//-/_}]=$path
	done <"$depfile"
	kmod_names=() kmod_files=() kmod_builtin=()
	kmod_visit() {
		local p=$1 d
		[ -z "${done_[$p]:-}" ] || return 0
		done_[$p]=1
		for d in ${deps_of[$p]}; do kmod_visit "$d"; done
		local b=${p##*/}
		b=${b%%.ko*}
		[ -f "$mroot/$p" ] || die "modules.dep names $p, which $mroot lacks"
		kmod_names+=("${b//-/_}") kmod_files+=("$(kmod_plain "$mroot/$p")")
	}
	for m; do
		n=${m//-/_}
		if [ -n "${path_of[$n]:-}" ]; then
			kmod_visit "${path_of[$n]}"
		elif [ -f "$mroot/modules.builtin" ] &&
			grep -Eq "/(${n}|${n//_/-})\.ko$" "$mroot/modules.builtin"; then
			kmod_builtin+=("$m")
		else
			die "module $m is neither a module of $rel (modules.dep) nor built into it (modules.builtin)"
		fi
	done
}

# The Debian kernel as tinyvmm loads it, once per release: on arm64 an
# uncompressed Image (not vmlinuz), on x86_64 the bzImage that vmlinuz is.
linux_guest_make_image() {
	local dir=$LAB/linux-guest/$gkrel vmlinuz
	vmlinuz=$(kernel_image_in "$gkdir" "$gkrel") || die "$gkpkg has no kernel image"
	mkdir -p "$dir"
	linux_guest_image=$dir/$linux_guest_image_name
	[ -f "$linux_guest_image" ] && return
	if [ "$arch" = x86_64 ]; then
		cp "$vmlinuz" "$dir/Image.tmp" && mv "$dir/Image.tmp" "$linux_guest_image" ||
			die "copying vmlinuz-$gkrel failed"
		return
	fi
	# Debian's arm64 vmlinuz is a plain Image today; older ones were gzip'd.
	if gzip -t "$vmlinuz" 2>/dev/null; then
		gzip -dc "$vmlinuz" >"$dir/Image.tmp"
	else
		cp "$vmlinuz" "$dir/Image.tmp"
	fi || die "unpacking the Image from vmlinuz-$gkrel failed"
	mv "$dir/Image.tmp" "$linux_guest_image"
}

# The workload programs and their libraries, staged once per program list
# (and version of lab/debroot.sh) in $LAB/workloads/KEY: usr/bin/* and
# lib/MULTIARCH/*, and the loader at its path (lib/ld-linux-aarch64.so.1,
# lib64/ld-linux-x86-64.so.2).
workloads_make_tree() {
	deb_tree "$LAB/workloads" "${workload_programs[@]}"
	workloads_dir=$deb_tree_dir workloads_key=$deb_tree_key
}

# make_linux_guest basic|full: sets linux_guest_image and linux_guest_initrd.
make_linux_guest() {
	local flavor=$1 dir=$LAB/linux-guest/$gkrel key st i
	linux_guest_make_image
	kmod_order "$gkdir" "$gkrel" "${guest_drivers[@]}"
	if [ "$flavor" = full ]; then
		step "staging the workload programs (${workload_programs[*]})" workloads_make_tree
	fi
	key=$({
		cat "$script_dir/guest-init" "${BASH_SOURCE[0]}"
		printf 'modules: %s\nworkloads: %s\n' "${kmod_names[*]}" "$workloads_key"
		sha256sum "$busybox" ${kmod_files[@]+"${kmod_files[@]}"}
	} | sha256sum | cut -c1-16)
	linux_guest_initrd=$dir/initrd-$flavor-$key.cpio.gz
	if [ -f "$linux_guest_initrd" ]; then
		touch "$linux_guest_initrd"
		return
	fi
	rm -rf "$dir"/.stage.*
	st=$(mktemp -d "$dir/.stage.XXXXXX")
	mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,lib/modules/lab}
	cp "$busybox" "$st/bin/busybox"
	cp "$script_dir/guest-init" "$st/init"
	chmod 755 "$st/init" "$st/bin/busybox"
	chmod 1777 "$st/tmp"
	: >"$st/lib/modules/lab/order"
	for i in "${!kmod_files[@]}"; do
		cp "${kmod_files[$i]}" "$st/lib/modules/lab/${kmod_names[$i]}.ko"
		echo "${kmod_names[$i]}" >>"$st/lib/modules/lab/order"
	done
	[ "$flavor" != full ] || cp -a "$workloads_dir/." "$st/"
	rm -f "$st/.complete"
	chmod 755 "$st"
	# Directories first and a marker last: when the guest's memory is too
	# small, Linux stops unpacking midway, and /init says so.
	(cd "$st" && {
		find . -mindepth 1 -type d | LC_ALL=C sort
		find . -mindepth 1 ! -type d | LC_ALL=C sort
		touch .initramfs-complete && echo ./.initramfs-complete
	} | cpio -o -H newc -R 0:0 --quiet | gzip -6) >"$st.cpio.gz" ||
		die "packing the Linux guest's initramfs failed"
	mv "$st.cpio.gz" "$linux_guest_initrd"
	rm -rf "$st"
	# Keep the 4 most recently used initrds.
	ls -t "$dir"/initrd-*.cpio.gz | tail -n +5 | xargs -r rm -f
}
