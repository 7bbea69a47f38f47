/* SPDX-License-Identifier: MIT */
/*
 * The bench device: the host side of guest/common/bench_protocol.h, on
 * the MMIO bus at arch_platform()->bench, present only with --bench.
 *
 * Threads. Registers are accessed from vCPU threads. NOP, HOST_COUNTER,
 * IO_SLOT and the read-only registers take no lock and allocate nothing:
 * NOP is what the "mmio exit to userspace" benchmark measures. BEGIN,
 * REPORT, DONE and PEER take the device's mutex. KICK never reaches us when the
 * I/O backend (bench_io.h, its own thread) is up: KVM's ioeventfd takes
 * it. bench_outcome() is for after vm_run(), when no vCPU
 * thread is left.
 *
 * Exit profile. BEGIN and REPORT each snapshot KVM's cumulative counters
 * (kvm_stats.h); a benchmark's profile is the non-zero differences. KVM
 * counts an exit before userspace sees it (io_mem_abort() bumps
 * mmio_exit_user before returning to us), so the window holds the REPORT
 * write's own exit and not BEGIN's: 1 mmio_exit_user and 1 exits (seen in
 * the lab: 100 NOP reads gave mmio_exit_user 101, exits 101). It also
 * holds the guest's warm-up and whatever the other vCPUs did meanwhile
 * (timer interrupts, WFI). The counts are shown as measured, not
 * corrected: BENCH_WINDOW_NOTE says so in the output, and the JSON
 * carries it as exit_profile.window.
 *
 * The guest is untrusted: a malformed report becomes a FAILED result with
 * a note and one line on stderr; nothing here exits or aborts.
 */
#ifndef TINYVMM_VMM_BENCH_H
#define TINYVMM_VMM_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/bench/bench_result.h"
#include "vmm/base/log.h"
#include "vmm/machine/device.h"

struct vm;
struct bench_dev;

/* At most this many reports are kept per run; more fail the run. */
#define BENCH_MAX_REPORTS 16
/*
 * And at most this many samples in all (32 MiB): a guest cannot make the
 * host hold BENCH_MAX_REPORTS full reports. A report past it is FAILED.
 */
#define BENCH_MAX_RUN_SAMPLES (4u << 20)

#define BENCH_WINDOW_NOTE                                               \
	"KVM counters between BEGIN and REPORT, as measured: warm-up "  \
	"included, and the REPORT write's own exit (1 mmio_exit_user, " \
	"1 exits) too"

/* What the bench device tells a benchmark guest (bench_protocol.h). */
struct bench_config {
	uint32_t iterations;	   /* measured samples per benchmark */
	uint32_t warmup;	   /* samples run first and thrown away */
	const char *const *select; /* names; nr_select 0: run every one */
	unsigned int nr_select;
};

struct bench_outcome {
	bool done;	      /* DONE was written */
	uint64_t done_count;  /* its value */
	unsigned int dropped; /* reports beyond BENCH_MAX_REPORTS */
	const struct bench_result *results;
	unsigned int nr_results;
	const char *profile_note; /* non-NULL: why there are no exit profiles */
};

/* What the guest reported; valid until the VM is destroyed. */
void bench_outcome(const struct bench_dev *dev, struct bench_outcome *out);

/*
 * What the guest is told of a bench device with @cfg at [@base, @base +
 * @size), raising interrupt line @irq: bench@<base>, compatible
 * BENCH_COMPATIBLE, and bench_fdt_props(@cfg). @cfg must outlive @desc.
 */
void bench_describe(const struct bench_config *cfg, uint64_t base,
		    uint64_t size, unsigned int irq, struct device_desc *desc);

/*
 * The bench device's own device-tree properties (@bench_config: a struct
 * bench_config): tinyvmm,select when given, tinyvmm,iterations,
 * tinyvmm,warmup. Its device_desc's fdt_props. 0 or -errno.
 */
int bench_fdt_props(void *fdt, const void *bench_config);

/*
 * The bench device as a platform device kind (vmm/machine/device.h): the
 * --bench run appends it to vm_config.devices with a struct bench_config
 * as its spec. Its vCPU threads may start vm_switch's peer VM, so they
 * get the SECCOMP_VCPU_BENCH list; the guest's clock is the host's.
 */
extern const struct vm_device_kind bench_kind;

#endif
