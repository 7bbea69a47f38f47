/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine: the KVM file descriptors, guest RAM, the buses, the
 * vCPUs, the console, and the per-arch state (struct arch_vm, defined by
 * arch/<arch>/arch_types.h). vm_create() brings the parts up in a visible
 * order and vm_destroy() takes them down in reverse.
 */
#ifndef TINYVMM_VMM_VM_H
#define TINYVMM_VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch_types.h"
#include "vmm/base/bus.h"
#include "vmm/base/cpu_features.h"
#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"
#include "vmm/base/seccomp.h"
#include "vmm/machine/device.h"

struct disk_spec;
struct net_spec;
struct vm_virtio_dev;
struct kvm_run;
struct serial;

/* tinyvmm's exit status; documented in README.md. */
enum tinyvmm_exit {
	TINYVMM_EXIT_POWEROFF =
		0,		/* guest called PSCI SYSTEM_OFF / powered off */
	TINYVMM_EXIT_ERROR = 1, /* set-up failed, or the guest broke the VM */
	TINYVMM_EXIT_USAGE = 2, /* bad command line */
	TINYVMM_EXIT_RESET =
		3, /* guest asked for a reset (PSCI SYSTEM_RESET) */
};

struct vm_config {
	/*
	 * The guest: a file, or (kernel_path NULL) an image already in host
	 * memory, such as the embedded benchmark guest. Neither: build the VM
	 * and its tables, run nothing.
	 */
	const char *kernel_path;
	const void *kernel_image;
	size_t kernel_image_len;
	const char *initrd_path;
	const char *cmdline;
	uint64_t mem_size;
	/* --hugepages: how guest RAM is backed (vm_create() sets .shared). */
	enum guest_mem_huge ram_huge;
	uint64_t ram_hugetlb_page; /* GUEST_MEM_HUGETLB: 2 MiB or 1 GiB */
	unsigned int nr_cpus;
	bool pin_vcpus; /* vCPU i runs only on the i-th allowed host CPU */
	const struct disk_spec *disks; /* --disk, in order */
	unsigned int nr_disks;
	const struct net_spec *nets; /* --net, in order */
	unsigned int nr_nets;
	/* Platform devices beyond the machine's own (device.h), in order. */
	const struct vm_device_spec *devices;
	unsigned int nr_devices;
	bool seccomp; /* confine each thread after set-up (not --no-seccomp) */
	/* --no-its: no MSI controller (arm64: the GICv3 ITS) even if offered */
	bool no_its;
	/* --no-sve and the like; only arch_platform()->cpu_features ones. */
	struct cpu_features_request cpu;
	/* --nested: the vCPUs get a guest EL2 (arm64; arch_platform()->nested) */
	enum cpu_nested nested;
};

/*
 * Exit statistics: tinyvmm's own share of MMIO exits, how many and the
 * host counter ticks (arch_host_counter()) from KVM_RUN returning to
 * calling it again. Each vCPU's are written by its thread only.
 */
struct vcpu_exit_stats {
	uint64_t mmio_user_exits, mmio_user_ticks;
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	atomic_bool thread_started; /* read by other threads' vcpu_kick() */
	unsigned int unmapped_reports;
	struct vcpu_exit_stats exit_stats; /* vm_exit_stats() reads them */
	struct arch_vcpu arch;
};

struct vm {
	const struct vm_config *cfg;
	int kvm_fd;
	int vm_fd;
	size_t vcpu_mmap_size;
	struct guest_mem mem;
	unsigned int nr_memslots; /* KVM memory slots 0..nr-1 are taken */
	struct bus mmio;
	struct bus pio;
	unsigned int nr_vcpus;
	struct vcpu *vcpus;
	struct serial *console;
	struct vm_device devices[VM_MAX_DEVICES]; /* platform, by kind */
	unsigned int nr_devices;
	struct vm_virtio_dev *virtio; /* nr_virtio of them (virtio_devices.h) */
	unsigned int nr_virtio;
	struct virtio_mmio_worker *virtio_worker; /* their device manager */

	/* Stopping: the first vm_request_stop() sets the exit code. */
	atomic_bool stopping;
	atomic_int exit_code;
	int stop_eventfd;	       /* becomes readable once stopping */
	struct seccomp_policy seccomp; /* read by every thread as it starts */
	/* What the vCPUs got: set by the arch in arch_vm_init() and
	 * arch_vcpu_init(); valid false where the arch switches none. */
	struct cpu_features cpu_features;

	struct arch_vm arch;
};

/*
 * Creates the VM described by @cfg: /dev/kvm, RAM, vCPUs, irqchip,
 * console, and loads the guest. On failure prints one line naming what
 * failed and returns -errno with nothing left allocated.
 */
TV_MUST_CHECK int vm_create(struct vm *vm, const struct vm_config *cfg);

/*
 * For --dtb-out without a guest: the machine description of @cfg built as
 * pure data, without /dev/kvm (arch_machine_description_offline() says
 * which defaults stand in for what KVM would offer). The devices are the
 * virtio transports @cfg asks for, described, not created; no platform
 * device describes itself without a guest. On success *@blob is
 * malloc()ed for the caller to free. Returns 0 or -errno after one line.
 */
TV_MUST_CHECK int vm_machine_description_offline(const struct vm_config *cfg,
						 void **blob, size_t *len);

/*
 * Starts one thread per vCPU, pumps console input until the guest stops,
 * joins the threads. Returns the tinyvmm exit status.
 */
int vm_run(struct vm *vm);

void vm_destroy(struct vm *vm);

/*
 * Whether the VM has KVM capability @cap, which the arch cannot do
 * without: 0, or -ENOTSUP after printing "this host's KVM lacks @name,
 * which tinyvmm needs". For arch_vm_init().
 */
TV_MUST_CHECK int vm_require_cap(struct vm *vm, long cap, const char *name);

/*
 * Registers host memory [@host, @host + @size) with KVM at @gpa in the
 * next free memory slot, stored in *@slot (may be NULL). Not guest RAM
 * for guest_mem_ptr(): for memory the VMM itself never reads through
 * guest addresses. Returns 0 or -errno; prints nothing.
 */
TV_MUST_CHECK int vm_add_memslot(struct vm *vm, uint64_t gpa, uint64_t size,
				 void *host, uint32_t *slot);

/* Deletes memory slot @slot. Returns 0 or -errno; prints nothing. */
TV_MUST_CHECK int vm_remove_memslot(struct vm *vm, uint32_t slot);

/* Whether @cfg names a guest to run (a file or an in-memory image). */
static inline bool vm_config_has_guest(const struct vm_config *cfg)
{
	return cfg->kernel_path || cfg->kernel_image;
}

/*
 * The exit statistics of every vCPU, summed; from any thread, while the
 * vCPUs run (each count is read atomically, the sum is not a snapshot).
 */
void vm_exit_stats(const struct vm *vm, struct vcpu_exit_stats *sum);

/*
 * Asks every vCPU to leave KVM_RUN and the VM to stop with @exit_code.
 * Safe from any thread; the first caller's code wins.
 */
void vm_request_stop(struct vm *vm, int exit_code);

static inline bool vm_is_stopping(const struct vm *vm)
{
	return atomic_load(&vm->stopping);
}

#endif
