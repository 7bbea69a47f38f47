// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/machine/arch.h"
#include "virtio/blk_spec.h"
#include "vmm/machine/console.h"
#include "vmm/base/kvm.h"
#include "vmm/devices/serial.h"
#include "vmm/machine/vcpu.h"
#include "vmm/machine/virtio_devices.h"
#include "vmm/machine/vm.h"

static int vm_open_kvm(struct vm *vm)
{
	int version, ret = kvm_open_dev(KVM_DEV_PATH, &vm->kvm_fd);

	if (ret) {
		tv_errno(ret,
			 "cannot open " KVM_DEV_PATH
			 " (is KVM enabled on this host? --host-info tells)");
		return ret;
	}
	version = kvm_api_version(vm->kvm_fd);
	if (version < 0) {
		tv_errno(version, "KVM_GET_API_VERSION on " KVM_DEV_PATH);
		return version;
	}
	if (version != KVM_API_VERSION) {
		tv_err(KVM_DEV_PATH
		       " speaks KVM API version %d, tinyvmm needs %d",
		       version, KVM_API_VERSION);
		return -ENOTSUP;
	}
	return 0;
}

static int vm_max_vcpus(int kvm_fd)
{
	int n = kvm_check_extension(kvm_fd, KVM_CAP_MAX_VCPUS);

	if (n <= 0)
		n = kvm_check_extension(kvm_fd, KVM_CAP_NR_VCPUS);
	return n > 0 ? n
		     : 4; /* the API document's default when neither is there */
}

static int vm_create_kvm_vm(struct vm *vm)
{
	unsigned long type = 0;
	int ret, max, mmap_size;

	ret = arch_vm_type(vm->kvm_fd, vm->cfg->mem_size, &type);
	if (ret)
		return ret;
	ret = kvm_create_vm(vm->kvm_fd, type, &vm->vm_fd);
	if (ret) {
		tv_errno(ret, "KVM_CREATE_VM (machine type 0x%lx)", type);
		return ret;
	}
	max = vm_max_vcpus(vm->kvm_fd);
	if (vm->cfg->nr_cpus > (unsigned int)max) {
		tv_err("--cpus %u: KVM on this host allows at most %d vCPUs",
		       vm->cfg->nr_cpus, max);
		return -EINVAL;
	}
	mmap_size = kvm_vcpu_mmap_size(vm->kvm_fd);
	if (mmap_size < 0) {
		tv_errno(mmap_size, "KVM_GET_VCPU_MMAP_SIZE");
		return mmap_size;
	}
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		tv_err("KVM_GET_VCPU_MMAP_SIZE says %d bytes, less than struct kvm_run",
		       mmap_size);
		return -EINVAL;
	}
	vm->vcpu_mmap_size = (size_t)mmap_size;
	return 0;
}

int vm_require_cap(struct vm *vm, long cap, const char *name)
{
	if (kvm_has_cap(vm->vm_fd, cap))
		return 0;
	tv_err("this host's KVM lacks %s, which tinyvmm needs", name);
	return -ENOTSUP;
}

int vm_add_memslot(struct vm *vm, uint64_t gpa, uint64_t size, void *host,
		   uint32_t *slot)
{
	int ret = kvm_memslot_set(vm->vm_fd, vm->nr_memslots, gpa, size, host);

	if (ret)
		return ret;
	if (slot)
		*slot = vm->nr_memslots;
	vm->nr_memslots++;
	return 0;
}

int vm_remove_memslot(struct vm *vm, uint32_t slot)
{
	return kvm_memslot_set(vm->vm_fd, slot, 0, 0, NULL);
}

/*
 * A vhost-user back-end maps guest RAM itself, so with one the RAM is a
 * shared memfd; otherwise private memory, which keeps transparent huge
 * pages (shmem gets them only where the host enables them for shmem).
 */
static bool vm_ram_shared(const struct vm_config *cfg)
{
	for (unsigned int i = 0; i < cfg->nr_disks; i++)
		if (cfg->disks[i].vhost_user)
			return true;
	return false;
}

/* The one line for a guest RAM mapping guest_mem_map() refused. */
static void vm_ram_error(int err, const struct guest_mem_backing *b,
			 uint64_t size)
{
	uint64_t page = b->hugetlb_page, ram_base = arch_platform()->ram_base;
	bool hugetlb = b->huge == GUEST_MEM_HUGETLB;
	char why[320];

	if (err == -ENOMEM)
		tv_err("guest RAM: cannot map %" PRIu64 " MiB (--mem): %s",
		       size >> 20,
		       guest_mem_refusal(b, size, why, sizeof(why)));
	else if (hugetlb && (size | ram_base) & (page - 1))
		tv_err("guest RAM: %" PRIu64 " MiB (--mem) at 0x%" PRIx64
		       " is not a whole number of %" PRIu64
		       " MiB huge pages (--hugepages)",
		       size >> 20, ram_base, page >> 20);
	else if (hugetlb && (err == -ENODEV || err == -EINVAL))
		tv_err("guest RAM: the host kernel offers no %" PRIu64
		       " MiB huge pages (--hugepages; no "
		       "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB)",
		       page >> 20, page >> 10);
	else
		tv_errno(err,
			 "guest RAM: mapping %" PRIu64
			 " MiB (--mem, --hugepages=%s)",
			 size >> 20, guest_mem_huge_name(b->huge));
}

/* -v: how guest RAM is backed, read back from what was mapped. */
static void vm_ram_note(const struct guest_mem_region *r)
{
	char thp[32], line[256];

	guest_mem_host_thp(r->fd >= 0, thp, sizeof(thp));
	tv_info("guest RAM: %s",
		guest_mem_describe(r, thp, line, sizeof(line)));
}

/*
 * Guest RAM is mapped before anything of KVM's exists: it is the most
 * tinyvmm asks of the host, so a --mem the host refuses (RLIMIT_AS,
 * strict overcommit, too few huge pages) is said first, and without
 * /dev/kvm too. The host mapping is congruent to the guest address
 * modulo the huge page size (guest_mem_map()), so KVM can map guest
 * RAM with 2 MiB (hugetlbfs 1 GiB: 1 GiB) stage-2 blocks.
 */
static int vm_map_ram(struct vm *vm)
{
	uint64_t base = arch_platform()->ram_base, size = vm->cfg->mem_size;
	const struct guest_mem_backing b = {
		.huge = vm->cfg->ram_huge,
		.hugetlb_page = vm->cfg->ram_hugetlb_page,
		.shared = vm_ram_shared(vm->cfg),
	};
	int ret = guest_mem_map(&vm->mem, base, size, &b);

	if (ret)
		vm_ram_error(ret, &b, size);
	else
		vm_ram_note(&vm->mem.regions[0]);
	return ret;
}

/* The mapped guest RAM as KVM's memory slot 0. */
static int vm_setup_ram(struct vm *vm)
{
	uint64_t base = arch_platform()->ram_base, size = vm->cfg->mem_size;
	int ret = vm_add_memslot(vm, base, size, vm->mem.regions[0].host, NULL);

	if (ret)
		tv_errno(ret,
			 "KVM_SET_USER_MEMORY_REGION for %" PRIu64
			 " MiB at 0x%" PRIx64,
			 size >> 20, base);
	return ret;
}

static int vm_create_vcpus(struct vm *vm)
{
	unsigned int n = vm->cfg->nr_cpus;
	int ret;

	vm->vcpus = calloc(n, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		tv_err("no host memory for %u vCPUs", n);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned int i = 0; i < n; i++) {
		vm->nr_vcpus = i + 1; /* so vm_destroy() sees this one */
		ret = vcpu_create(vm, &vm->vcpus[i], i);
		if (ret)
			return ret;
	}
	return 0;
}

static int console_irq_set(void *opaque, int level)
{
	struct vm *vm = opaque;

	return arch_irq_set(vm, arch_platform()->console.irq, level);
}

static int vm_create_console(struct vm *vm)
{
	const struct arch_platform *p = arch_platform();
	struct bus *bus = p->console.bus == ARCH_BUS_PIO ? &vm->pio : &vm->mmio;
	struct serial_irq irq = { .set = console_irq_set, .opaque = vm };
	int ret = serial_create(bus, p->console.base, p->console.size, &irq,
				STDOUT_FILENO, &vm->console);

	if (ret)
		tv_errno(ret, "creating the console UART at 0x%" PRIx64,
			 p->console.base);
	return ret;
}

static void vm_note_device(const char *name, const struct device_desc *d)
{
	if (d->has_irq)
		tv_info("%s: MMIO 0x%" PRIx64 "-0x%" PRIx64 " (0x%" PRIx64
			" bytes), IRQ %u",
			name, d->base, d->base + d->size, d->size, d->irq);
	else
		tv_info("%s: MMIO 0x%" PRIx64 "-0x%" PRIx64 " (0x%" PRIx64
			" bytes), no IRQ",
			name, d->base, d->base + d->size, d->size);
}

/* -v: which device sits where, as the guest is told. */
static void vm_note_devices(const struct vm *vm)
{
	const struct arch_platform *p = arch_platform();
	struct device_desc d;

	tv_info("console: 16550 UART at %s 0x%" PRIx64 " (%" PRIu64
		" bytes), IRQ %u",
		p->console.bus == ARCH_BUS_PIO ? "I/O port" : "MMIO",
		p->console.base, p->console.size, p->console.irq);
	for (unsigned int i = 0; i < vm->nr_devices; i++) {
		const struct vm_device *dev = &vm->devices[i];

		if (!dev->kind->describe || !dev->dev)
			continue;
		d = (struct device_desc){ 0 };
		dev->kind->describe(dev->dev, &d);
		vm_note_device(dev->kind->name, &d);
	}
	for (unsigned int i = 0; i < vm->nr_virtio; i++) {
		vm_virtio_describe(&vm->virtio[i], &d);
		vm_note_device(vm_virtio_name(&vm->virtio[i]), &d);
	}
}

static int vm_create_devices(struct vm *vm)
{
	int ret = vm_create_console(vm);

	if (!ret)
		ret = vm_devices_create(vm);
	if (!ret)
		ret = vm_virtio_create(vm);
	if (!ret)
		vm_note_devices(vm);
	return ret;
}

static void vm_init_empty(struct vm *vm, const struct vm_config *cfg)
{
	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = vm->stop_eventfd = -1;
	bus_init(&vm->mmio, "mmio");
	bus_init(&vm->pio, "pio");
	atomic_init(&vm->stopping, false);
	atomic_init(&vm->exit_code, TINYVMM_EXIT_ERROR);
}

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	int ret;

	vm_init_empty(vm, cfg);
	/* Before any thread starts: each confines itself by it. */
	ret = seccomp_policy_init(&vm->seccomp, cfg->seccomp);
	if (!ret) {
		vm->stop_eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ret = vm->stop_eventfd < 0 ? -errno : 0;
		if (ret)
			tv_errno(ret, "creating the VM's stop eventfd");
	}
	if (!ret)
		ret = vm_map_ram(vm);
	if (!ret)
		ret = vm_open_kvm(vm);
	if (!ret)
		ret = vm_create_kvm_vm(vm);
	if (!ret)
		ret = vm_setup_ram(vm);
	if (!ret)
		ret = arch_vm_init(vm);
	if (!ret)
		ret = vm_create_vcpus(vm);
	if (!ret)
		ret = arch_vm_finalize(vm);
	if (!ret)
		ret = vm_create_devices(vm);
	if (!ret)
		ret = arch_boot_setup(vm);
	if (ret)
		vm_destroy(vm);
	return ret;
}

int vm_machine_description_offline(const struct vm_config *cfg, void **blob,
				   size_t *len)
{
	unsigned int max = cfg->nr_disks + cfg->nr_nets;
	struct device_desc *devices = calloc(max ? max : 1, sizeof(*devices));
	int n = devices ? vm_virtio_describe_config(cfg, devices, max)
			: -ENOMEM;

	if (n < 0) {
		tv_errno(n, "describing %u virtio devices for --dtb-out", max);
		free(devices);
		return n;
	}
	n = arch_machine_description_offline(cfg, devices, (unsigned int)n,
					     blob, len);
	free(devices);
	return n;
}

/* Takes down whatever vm_create() got to, in reverse order. */
void vm_destroy(struct vm *vm)
{
	vm_devices_destroy(vm);
	vm_virtio_destroy(vm);
	serial_destroy(vm->console);
	vm->console = NULL;
	for (unsigned int i = vm->nr_vcpus; i > 0; i--)
		vcpu_destroy(&vm->vcpus[i - 1]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
	arch_vm_destroy(vm);
	guest_mem_destroy(&vm->mem);
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_eventfd >= 0)
		close(vm->stop_eventfd);
	vm->vm_fd = vm->kvm_fd = vm->stop_eventfd = -1;
}

void vm_request_stop(struct vm *vm, int exit_code)
{
	uint64_t one = 1;

	if (atomic_exchange(&vm->stopping, true))
		return; /* someone else stopped it first: their code stands */
	atomic_store(&vm->exit_code, exit_code);
	serial_stop(vm->console); /* before the kicks: see serial_transmit() */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	if (write(vm->stop_eventfd, &one, sizeof(one)) < 0) {
		/* Cannot fail for a counter this small; nothing to do if it does. */
	}
}

int vm_run(struct vm *vm)
{
	int ret = vcpu_signals_init();

	if (ret) {
		tv_errno(ret, "installing the vCPU kick signal handler");
		return TINYVMM_EXIT_ERROR;
	}
	ret = console_block_stop_signals();
	/* Before the vCPUs: they hand it the devices' DRIVER_OK and reset. */
	if (!ret)
		ret = vm_virtio_start(vm);
	/* From the first vCPU on, the console is the guest's: see seccomp.h. */
	seccomp_reports_hold();
	for (unsigned int i = 0; !ret && i < vm->nr_vcpus; i++)
		ret = vcpu_start(&vm->vcpus[i]);
	/* Set-up is over: from here on the console loop, then teardown. */
	if (!ret)
		ret = seccomp_confine(SECCOMP_MAIN, &vm->seccomp);
	if (ret)
		vm_request_stop(vm, TINYVMM_EXIT_ERROR);
	else
		console_pump(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_join(&vm->vcpus[i]);
	/* After the vCPUs: a vCPU may wait for a reset it queued. */
	vm_virtio_stop(vm);
	seccomp_reports_release();
	return atomic_load(&vm->exit_code);
}
