/* SPDX-License-Identifier: MIT */
/*
 * The arch contract. Common code (vmm/, virtio/) calls only these hooks;
 * each of arch/arm64 and arch/x86 implements every one of them, and
 * nothing outside arch/ tests which architecture it runs on.
 *
 * Call order, from vm_create():
 *   arch_platform()            any time; constant
 *   arch_vm_type()             before KVM_CREATE_VM
 *   arch_vm_init()             after guest RAM is registered, before vCPUs
 *   arch_vcpu_init()           once per vCPU, right after KVM_CREATE_VCPU
 *   arch_vm_finalize()         after every vCPU exists, before devices
 *   arch_boot_setup()          after devices: load the guest, build tables
 *   arch_vcpu_handle_exit()    from a vCPU thread, for exits common code
 *                              does not know
 *   arch_vm_destroy()          last, also after a partial arch_vm_init()
 * Hooks return 0 or -errno and print one line naming what failed.
 */
#ifndef TINYVMM_VMM_ARCH_H
#define TINYVMM_VMM_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

struct vm;
struct vcpu;
struct host_info;
struct vm_config;
struct device_desc;

enum arch_bus {
	ARCH_BUS_MMIO,
	ARCH_BUS_PIO
};

struct arch_platform {
	const char *name;  /* "arm64", "x86_64" */
	uint64_t ram_base; /* guest-physical start of RAM */
	uint64_t ram_max;  /* largest --mem the memory map allows */
	unsigned int
		max_vcpus; /* the memory map's limit (KVM's is checked too) */
	/*
	 * The CPU features (CPU_FEATURE_BIT()s, vmm/base/cpu_features.h)
	 * this arch can switch; 0: none, and --no-sve and the like are
	 * refused. Their choice lands in vm->cpu_features.
	 */
	unsigned int cpu_features;
	/* Whether vCPUs can get a virtual EL2 (--nested); false: refused. */
	bool nested;
	struct {
		enum arch_bus bus;
		uint64_t base, size;
		unsigned int irq; /* as arch_irq_set() numbers it */
	} console;		  /* the 16550 UART */
	struct {
		uint64_t base, size; /* size 0: the arch has none yet */
		unsigned int irq; /* io_in, edge; as arch_irq_set() numbers it */
		/* vm_switch's shared page (bench_peer.h); size 0: none */
		uint64_t peer_base, peer_size;
	} bench; /* the bench device (bench_protocol.h), MMIO */
	struct {
		uint64_t base, size; /* size 0: the arch has none yet */
	} boot_timer;		     /* the boot timer (boot_timer.h), MMIO */
	struct {
		uint64_t base, size; /* size 0: the arch has none yet */
	} workload_mark;	     /* workload_mark.h, MMIO */
	struct {
		uint64_t base;	       /* slot i at base + i * slot_size */
		uint64_t slot_size;    /* >= VIRTIO_MMIO_SIZE */
		unsigned int nr_slots; /* 0: no virtio-mmio on this arch yet */
		unsigned int irq_base; /* slot i raises irq_base + i (edge) */
	} virtio; /* virtio-mmio transports (virtio_devices.h) */
};

const struct arch_platform *arch_platform(void);

/* The machine type argument for KVM_CREATE_VM. */
TV_MUST_CHECK int arch_vm_type(int kvm_fd, uint64_t mem_size,
			       unsigned long *type);
TV_MUST_CHECK int arch_vm_init(struct vm *vm);
TV_MUST_CHECK int arch_vcpu_init(struct vcpu *vcpu);
TV_MUST_CHECK int arch_vm_finalize(struct vm *vm);

/*
 * Loads the guest (vm->cfg->kernel_path, else vm->cfg->kernel_image) and
 * the initrd, builds the tables the guest reads (arm64: the device tree),
 * points the boot vCPU at the entry. With no guest only the tables are
 * built.
 */
TV_MUST_CHECK int arch_boot_setup(struct vm *vm);

/*
 * The machine description handed to the guest (arm64: the DTB blob), for
 * --dtb-out. -EOPNOTSUPP where the arch has none.
 */
TV_MUST_CHECK int arch_machine_description(const struct vm *vm,
					   const void **blob, size_t *len);

/*
 * The machine description of @cfg (no guest) built as pure data, without
 * KVM, for --dtb-out without --kernel: @devices (@nr of them) are
 * vm_describe_config()'s. Where the real one depends on what KVM offers,
 * the arch's documented defaults stand in (arm64: a GICv3, its ITS unless
 * --no-its, a PMUv3 unless --pmu=off, KVM's MPIDR numbering). On success
 * *@blob is malloc()ed for the caller to free. Returns 0, -EOPNOTSUPP
 * (silently) where the arch has no description, or -errno after one line.
 */
TV_MUST_CHECK int
arch_machine_description_offline(const struct vm_config *cfg,
				 const struct device_desc *devices,
				 unsigned int nr, void **blob, size_t *len);

/* Drives interrupt line @irq (arch_platform() numbering) to @level. */
TV_MUST_CHECK int arch_irq_set(struct vm *vm, unsigned int irq, int level);

/*
 * The KVM_IRQFD gsi that raises interrupt line @irq (arch_platform()
 * numbering) under the VM's default interrupt routing. Returns 0,
 * -EINVAL for a line the arch cannot route, -EOPNOTSUPP where the arch
 * has no irqfd routing yet. Prints nothing: the caller knows the context.
 */
TV_MUST_CHECK int arch_irqfd_gsi(unsigned int irq, uint32_t *gsi);

/*
 * An exit whose reason common code does not handle. Returns 0 when
 * handled (the vCPU runs on), -ENOSYS when the arch does not know it
 * either, other -errno when handling failed.
 */
TV_MUST_CHECK int arch_vcpu_handle_exit(struct vcpu *vcpu);

/*
 * The host's own cheap time counter, readable from userspace (arm64:
 * CNTVCT_EL0; x86: the TSC), for timing tinyvmm's share of an exit; and
 * its frequency in Hz (0 when unknown: figures stay in raw ticks).
 */
uint64_t arch_host_counter(void);
uint64_t arch_host_counter_hz(void);

/* The guest program counter, for error messages; 0 if unreadable. */
uint64_t arch_vcpu_pc(struct vcpu *vcpu);

/*
 * Whether the guest has an in-kernel MSI controller to program (arm64:
 * the GICv3 ITS): 1 yes, 0 no (--no-its, or KVM offers none), -1 the
 * arch has no such part (x86_64). For the bench JSON's config.its.
 */
int arch_vm_its(const struct vm *vm);

void arch_vm_destroy(struct vm *vm);

/* Fills the arch lines of --host-info: the CPU and the KVM mode. */
void arch_host_info(struct host_info *info);

/*
 * Whether this host's CPU is a software emulation (QEMU's TCG): one line
 * of evidence when it is ("...: software: QEMU TCG"), NULL when nothing
 * says so. Static storage.
 */
const char *arch_host_software_cpu(void);

#endif
