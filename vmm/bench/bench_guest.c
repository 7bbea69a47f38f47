// SPDX-License-Identifier: MIT
/*
 * The benchmark guest that tinyvmm carries: guest/<arch>'s bench image,
 * .incbin'd into bench_guest.S by vmm/meson.build when the guest build
 * defines one for the host arch.
 */
#include <errno.h>
#include <stddef.h>

#include "vmm/base/log.h"
#include "vmm/bench/bench_guest.h"
#include "vmm/machine/arch.h"

#ifdef TINYVMM_BENCH_GUEST
extern const unsigned char tinyvmm_bench_guest_start[];
extern const unsigned char tinyvmm_bench_guest_end[];

int bench_carried_guest(const void **image, size_t *len)
{
	*image = tinyvmm_bench_guest_start;
	*len = (size_t)(tinyvmm_bench_guest_end - tinyvmm_bench_guest_start);
	return 0;
}
#else
int bench_carried_guest(const void **image, size_t *len)
{
	*image = NULL;
	*len = 0;
	tv_err("--bench: this build carries no benchmark guest for %s (its "
	       "guest/ build defines no bench image); give --kernel FILE",
	       arch_platform()->name);
	return -ENOENT;
}
#endif
