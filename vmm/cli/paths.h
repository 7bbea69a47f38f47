/* SPDX-License-Identifier: MIT */
/*
 * The files a command line names, checked before anything of KVM's is
 * opened: a mistyped path is then said as such, also on a host without
 * /dev/kvm, instead of behind "cannot open /dev/kvm".
 */
#ifndef TINYVMM_VMM_CLI_PATHS_H
#define TINYVMM_VMM_CLI_PATHS_H

#include "vmm/base/log.h"
#include "vmm/cli/options.h"

/*
 * Checks every path in @o: --kernel and --initrd open as non-empty
 * regular files; each --disk FILE opens as it will be used (read-write
 * unless ro) and is a regular file or a block device, and no one else
 * holds its lock (blk_image_check: a busy image is said as such, not as
 * a /dev/kvm error); a vhost-user
 * SOCKET exists and is a socket; --json and --dtb-out name a writable
 * file or a new one in a writable directory. Nothing is created or
 * changed. Returns 0, or -errno after one line naming the option, the
 * path and why.
 */
TV_MUST_CHECK int cli_check_paths(const struct options *o);

#endif
