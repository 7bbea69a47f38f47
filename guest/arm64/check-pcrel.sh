#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-pcrel.sh READELF GUEST.ELF
#
# The arm64 guests are linked at 0 but run wherever the loader puts them
# (guest.ld), which holds only while every address is formed relative to
# the PC. The ELF is linked with --emit-relocs; this fails if a loaded
# section has a relocation of any other kind, such as the R_AARCH64_ABS64
# a static table of pointers produces. The header's image_size, an
# absolute number rather than an address, is the one exception.
set -eu

readelf=$1
elf=$2

"$readelf" -rW "$elf" | awk '
	/^Relocation section/ { sec = $3; next }
	sec ~ /debug/ || $3 !~ /^R_AARCH64_/ { next }
	$3 ~ /_(PREL|PG_HI21|LO12_NC|CALL26|JUMP26|CONDBR19|TSTBR14)/ { next }
	$3 == "R_AARCH64_ABS64" && $5 == "_image_size" { next }
	{ print "not PC-relative: " sec " " $0; bad = 1 }
	END { exit bad }
'
