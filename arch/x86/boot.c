// SPDX-License-Identifier: MIT
/*
 * Loading an x86_64 guest, entered in 64-bit long mode:
 *   a Linux bzImage (a setup header with "HdrS" at 0x202): the 64-bit boot
 *     protocol of Documentation/arch/x86/boot.rst — payload at
 *     X86_KERNEL_ADDR, zero page with e820 map and the ACPI RSDP address,
 *     command line, initrd, ACPI tables (MADT for the APs, DSDT for the
 *     virtio-mmio devices); the boot vCPU starts at payload + 0x200 with
 *     RSI = zero page, the others wait for Linux's INIT/SIPI;
 *   anything else: a flat 64-bit image (the benchmark guest, test
 *     guests) at X86_KERNEL_ADDR, entered at its first byte by every vCPU
 *     at once with RDI = a device tree (bench_fdt.h), RSI = vCPU index,
 *     RSP = 0.
 * Both get the identity-mapped page tables and the GDT of long_mode.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "arch/x86/acpi.h"
#include "vmm/machine/arch.h"
#include "arch/x86/bench_fdt.h"
#include "arch/x86/boot_params.h"
#include "vmm/base/boot_src.h"
#include "arch/x86/bzimage.h"
#include "arch/x86/flat_image.h"
#include "arch/x86/x86_layout.h"
#include "arch/x86/long_mode.h"
#include "vmm/machine/virtio_devices.h"
#include "vmm/machine/vm.h"
#include "arch/x86/x86.h"

#define BZIMAGE_MAGIC_OFFSET 0x202
#define BZIMAGE_MAGIC "HdrS"
#define UART_CLOCK_HZ 1843200 /* a PC's 16550: 1.8432 MHz */

_Static_assert(X86_PAGE_TABLES_ADDR + X86_PAGE_TABLES_SIZE <=
		       X86_BENCH_DTB_ADDR,
	       "the page tables end where the device tree begins");
_Static_assert(X86_GDT_ADDR + X86_GDT_ENTRIES * 8 <= X86_BOOT_PARAMS_ADDR,
	       "the GDT ends before the zero page");

/* The GDT and page tables every vCPU's long-mode entry uses. */
static int write_long_mode_tables(struct vm *vm)
{
	uint64_t gdt[X86_GDT_ENTRIES];
	void *pt = guest_mem_ptr(&vm->mem, X86_PAGE_TABLES_ADDR,
				 X86_PAGE_TABLES_SIZE);
	int ret;

	x86_gdt_build(gdt);
	ret = guest_mem_write(&vm->mem, X86_GDT_ADDR, gdt, sizeof(gdt));
	if (!ret && !pt)
		ret = -EFAULT;
	if (!ret)
		ret = x86_page_tables_build(pt, X86_PAGE_TABLES_ADDR);
	if (ret)
		tv_errno(ret, "writing the GDT and page tables to guest RAM");
	return ret;
}

static struct x86_long_mode_entry entry_at(uint64_t rip)
{
	return (struct x86_long_mode_entry){
		.gdt_base = X86_GDT_ADDR,
		.cr3 = X86_PAGE_TABLES_ADDR,
		.rip = rip,
	};
}

/* ---- flat images ---- */

/* The flat guests' machine: @cfg with @nr_cpus vCPUs of APIC ids 0..n-1. */
static void describe_machine(const struct vm_config *cfg, unsigned int nr_cpus,
			     uint32_t *apic_ids,
			     const struct device_desc *devices,
			     unsigned int nr_devices, struct x86_fdt_machine *m)
{
	/* KVM's initial APIC id is the vCPU id, which is the index here. */
	for (unsigned int i = 0; i < nr_cpus; i++)
		apic_ids[i] = i;
	*m = (struct x86_fdt_machine){
		.ram_size = cfg->mem_size,
		.nr_cpus = nr_cpus,
		.apic_ids = apic_ids,
		.uart_port = X86_COM1_PORT,
		.uart_gsi = X86_UART_GSI,
		.uart_clock_hz = UART_CLOCK_HZ,
		.cmdline = cfg->cmdline,
		.devices = devices,
		.nr_devices = nr_devices,
	};
}

/* The tree of a flat guest of @cfg in a new buffer; 0 or -errno, said. */
static int build_tree(const struct vm_config *cfg, unsigned int nr_cpus,
		      const struct device_desc *devices, unsigned int n,
		      void **tree, size_t *size)
{
	uint32_t *apic_ids = calloc(nr_cpus ? nr_cpus : 1, sizeof(*apic_ids));
	struct x86_fdt_machine m;
	int ret = -ENOMEM;

	*tree = malloc(X86_BENCH_DTB_MAX);
	if (apic_ids && *tree) {
		describe_machine(cfg, nr_cpus, apic_ids, devices, n, &m);
		ret = x86_bench_fdt_build(&m, *tree, X86_BENCH_DTB_MAX);
	}
	free(apic_ids);
	if (ret) {
		tv_errno(ret, "building the device tree%s",
			 ret == -E2BIG ? " (over one page: fewer --cpus or a "
					 "shorter --cmdline or --bench-only)"
				       : "");
		free(*tree);
		*tree = NULL;
		return ret;
	}
	*size = fdt_totalsize(*tree);
	return 0;
}

static int build_dtb(struct vm *vm)
{
	struct device_desc devices[VM_MAX_DEVICES + X86_VIRTIO_SLOTS];
	int n = vm_describe_devices(vm, devices,
				    sizeof(devices) / sizeof(devices[0]));

	if (n < 0) {
		tv_errno(n, "describing the devices for the device tree");
		return n;
	}
	return build_tree(vm->cfg, vm->nr_vcpus, devices, (unsigned int)n,
			  &vm->arch.dtb, &vm->arch.dtb_size);
}

int arch_machine_description_offline(const struct vm_config *cfg,
				     const struct device_desc *devices,
				     unsigned int nr, void **blob, size_t *len)
{
	/* Nothing KVM-probed: the tree is the one a flat guest gets. */
	return build_tree(cfg, cfg->nr_cpus, devices, nr, blob, len);
}

/* Refuses what is clearly no flat image, rather than run it as code. */
static int flat_image_check(const struct boot_src *image)
{
	uint8_t head[X86_FLAT_IMAGE_HEAD];
	uint64_t len = image->size < sizeof(head) ? image->size : sizeof(head);
	const char *why = NULL;
	int ret = boot_src_read(image, head, len, 0);

	if (!ret)
		ret = x86_flat_image_check(head, len, &why);
	if (ret == -ENOEXEC)
		tv_err("%s %s: %s", image->what, image->path, why);
	return ret;
}

static int boot_flat(struct vm *vm, const struct boot_src *image)
{
	struct x86_long_mode_entry e = entry_at(X86_KERNEL_ADDR);
	int ret = flat_image_check(image);

	if (ret)
		return ret;
	if (vm->cfg->initrd_path) {
		tv_err("--initrd %s: only a Linux bzImage takes an initrd, and "
		       "%s %s is not one (no \"HdrS\" at 0x202)",
		       vm->cfg->initrd_path, image->what, image->path);
		return -EINVAL;
	}
	ret = boot_src_load(&vm->mem, image, X86_KERNEL_ADDR);
	if (!ret)
		ret = build_dtb(vm);
	if (!ret)
		ret = guest_mem_write(&vm->mem, X86_BENCH_DTB_ADDR,
				      vm->arch.dtb, vm->arch.dtb_size);
	if (!ret)
		ret = write_long_mode_tables(vm);
	if (!ret) {
		tv_info("kernel: flat image %s at 0x%" PRIx64 "-0x%" PRIx64
			" (%" PRIu64 " bytes), entered at its first byte",
			image->path, (uint64_t)X86_KERNEL_ADDR,
			(uint64_t)X86_KERNEL_ADDR + image->size, image->size);
		tv_info("device tree: at 0x%" PRIx64 " (%zu bytes)",
			(uint64_t)X86_BENCH_DTB_ADDR, vm->arch.dtb_size);
	}
	/* Every vCPU starts now, at the first byte, told its index. */
	e.rdi = X86_BENCH_DTB_ADDR;
	for (unsigned int i = 0; !ret && i < vm->nr_vcpus; i++) {
		e.rsi = i;
		ret = x86_vcpu_start_at(&vm->vcpus[i], &e);
	}
	return ret;
}

/* ---- Linux bzImage ---- */

struct linux_boot {
	struct x86_bzimage img;
	struct x86_boot_plan plan;
	const char *cmdline;
};

static int bzimage_read(const struct vm *vm, const struct boot_src *k,
			struct x86_bzimage *img, uint8_t **file)
{
	const char *why = NULL;
	int ret;

	/* More than guest RAM can never load; also bounds the malloc. */
	if (k->size > vm->cfg->mem_size) {
		tv_err("%s %s: %" PRIu64 " MiB, more than --mem %" PRIu64 "M",
		       k->what, k->path, k->size >> 20,
		       vm->cfg->mem_size >> 20);
		return -ENOSPC;
	}
	*file = malloc(k->size);
	if (!*file)
		return -ENOMEM;
	ret = boot_src_read(k, *file, k->size, 0);
	if (ret)
		return ret;
	ret = x86_bzimage_parse(*file, k->size, img, &why);
	if (ret)
		tv_err("%s %s: %s", k->what, k->path,
		       why ? why : "not a bootable bzImage");
	return ret;
}

/* Why x86_boot_plan() refused, with the sizes involved. */
static void linux_plan_refusal(const struct vm *vm, const struct linux_boot *lb,
			       const struct boot_src *kernel,
			       const struct boot_src *initrd, int err,
			       const char *why)
{
	uint64_t end, limit, mib = vm->cfg->mem_size >> 20;

	if (x86_boot_bounds(&lb->img, vm->cfg->mem_size, &end, &limit))
		err = -EOVERFLOW; /* no sizes to give */
	if (err == -E2BIG)
		tv_err("--initrd %s: %" PRIu64 " bytes, and the room for it "
		       "is %" PRIu64
		       " bytes: from the kernel's end at 0x%" PRIx64
		       " to 0x%" PRIx64 " (--mem %" PRIu64
		       "M, or the kernel's initrd_addr_max if lower)",
		       initrd->path, initrd->size, x86_initrd_room(end, limit),
		       end, limit, mib);
	else if (err == -ENOSPC)
		tv_err("%s %s: needs guest RAM up to 0x%" PRIx64 " (%" PRIu64
		       " MiB: its load address and init_size), more than "
		       "--mem %" PRIu64 "M",
		       kernel->what, kernel->path, end,
		       (end + (1 << 20) - 1) >> 20, mib);
	else
		tv_err("%s %s%s%s: %s", kernel->what, kernel->path,
		       initrd->path ? " with --initrd " : "",
		       initrd->path ? initrd->path : "",
		       why ? why : "does not fit in guest RAM");
}

static int linux_plan(const struct vm *vm, struct linux_boot *lb,
		      const struct boot_src *kernel,
		      const struct boot_src *initrd)
{
	const char *why = NULL;
	size_t len = strlen(lb->cmdline);
	int ret = x86_cmdline_check(&lb->img, len, &why);

	if (ret && len > lb->img.cmdline_size)
		tv_err("--cmdline: %zu bytes, longer than the kernel's "
		       "cmdline_size of %" PRIu32 " bytes",
		       len, lb->img.cmdline_size);
	else if (ret)
		tv_err("--cmdline: %zu bytes, %s", len, why ? why : "too long");
	if (ret)
		return ret;
	ret = x86_boot_plan(&lb->img, vm->cfg->mem_size, initrd->size,
			    &lb->plan, &why);
	if (ret)
		linux_plan_refusal(vm, lb, kernel, initrd, ret, why);
	return ret;
}

/*
 * The devices of the machine's description that ACPI announces: those
 * with an ACPI id, which today are the virtio-mmio transports (the ACPI
 * builder writes each as an LNRO0005 device). Returns how many or -errno.
 */
static int acpi_devices(const struct vm *vm, struct x86_acpi_virtio *out,
			unsigned int max)
{
	struct device_desc devices[VM_MAX_DEVICES + X86_VIRTIO_SLOTS];
	int n = vm_describe_devices(vm, devices,
				    sizeof(devices) / sizeof(devices[0]));
	unsigned int nr = 0;

	for (int i = 0; i < n; i++) {
		if (!devices[i].acpi_hid)
			continue;
		if (nr == max || !devices[i].has_irq)
			return -EINVAL;
		out[nr++] = (struct x86_acpi_virtio){
			.base = devices[i].base,
			.size = devices[i].size,
			.gsi = devices[i].irq,
		};
	}
	return n < 0 ? n : (int)nr;
}

/* The ACPI tables: one local APIC per vCPU, the devices with an ACPI id. */
static int write_acpi(struct vm *vm)
{
	struct x86_acpi_virtio virtio[X86_VIRTIO_SLOTS];
	struct x86_acpi_machine m = {
		.nr_cpus = vm->nr_vcpus,
		.virtio = virtio,
		.has_com1 = 1,
	};
	void *buf = guest_mem_ptr(&vm->mem, X86_ACPI_ADDR, X86_ACPI_MAX);
	int len = acpi_devices(vm, virtio, sizeof(virtio) / sizeof(virtio[0]));

	if (len >= 0) {
		m.nr_virtio = (unsigned int)len;
		len = buf ? x86_acpi_build(&m, X86_ACPI_ADDR, buf, X86_ACPI_MAX)
			  : -EFAULT;
	}
	if (len < 0) {
		tv_errno(len,
			 "building the ACPI tables for %u vCPUs and %u "
			 "virtio devices",
			 vm->nr_vcpus, vm->nr_virtio);
		return len;
	}
	return 0;
}

static int write_zero_page(struct vm *vm, const struct linux_boot *lb)
{
	const struct x86_boot_params_config cfg = {
		.img = &lb->img,
		.ram_size = vm->cfg->mem_size,
		.cmdline_addr = X86_CMDLINE_ADDR,
		.initrd_addr = lb->plan.initrd_addr,
		.initrd_size = lb->plan.initrd_size,
		.acpi_rsdp_addr = X86_ACPI_ADDR, /* the RSDP comes first */
	};
	void *zp = guest_mem_ptr(&vm->mem, X86_BOOT_PARAMS_ADDR,
				 X86_ZERO_PAGE_SIZE);
	int ret = zp ? x86_boot_params_build(&cfg, zp) : -EFAULT;

	if (!ret)
		ret = guest_mem_write(&vm->mem, X86_CMDLINE_ADDR, lb->cmdline,
				      strlen(lb->cmdline) + 1);
	if (ret)
		tv_errno(ret, "writing the zero page and command line");
	return ret;
}

/* -v: where the guest's pieces went in guest-physical memory. */
static void note_linux_layout(const struct vm *vm,
			      const struct boot_src *kernel,
			      const struct boot_src *initrd,
			      const struct linux_boot *lb)
{
	const struct x86_boot_plan *p = &lb->plan;

	tv_info("kernel: bzImage %s, protected-mode part at 0x%" PRIx64
		"-0x%" PRIx64 " (%" PRIu64 " bytes), running up to 0x%" PRIx64
		" (init_size), entry 0x%" PRIx64,
		kernel->path, p->kernel_addr,
		p->kernel_addr + lb->img.payload_size, lb->img.payload_size,
		p->kernel_end, p->entry64);
	if (initrd->size)
		tv_info("initrd: %s at 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64
			" bytes)",
			initrd->path, p->initrd_addr,
			p->initrd_addr + p->initrd_size, p->initrd_size);
	tv_info("zero page at 0x%" PRIx64 ", command line at 0x%" PRIx64
		" (%zu bytes), ACPI tables at 0x%" PRIx64 " (RSDP first, up to "
		"%" PRIu64 " bytes)",
		(uint64_t)X86_BOOT_PARAMS_ADDR, (uint64_t)X86_CMDLINE_ADDR,
		strlen(lb->cmdline) + 1, (uint64_t)X86_ACPI_ADDR,
		(uint64_t)X86_ACPI_MAX);
}

static int boot_linux(struct vm *vm, const struct boot_src *kernel,
		      const struct boot_src *initrd)
{
	struct linux_boot lb = { .cmdline = vm->cfg->cmdline ? vm->cfg->cmdline
							     : "" };
	struct x86_long_mode_entry e;
	uint8_t *file = NULL;
	int ret = bzimage_read(vm, kernel, &lb.img, &file);

	if (!ret)
		ret = linux_plan(vm, &lb, kernel, initrd);
	if (!ret) {
		ret = guest_mem_write(&vm->mem, lb.plan.kernel_addr,
				      file + lb.img.payload_offset,
				      lb.img.payload_size);
		if (ret)
			tv_errno(ret, "copying the kernel to 0x%" PRIx64,
				 lb.plan.kernel_addr);
	}
	free(file);
	if (!ret && initrd->size)
		ret = boot_src_load(&vm->mem, initrd, lb.plan.initrd_addr);
	if (!ret)
		ret = write_acpi(vm);
	if (!ret)
		ret = write_zero_page(vm, &lb);
	if (!ret)
		ret = write_long_mode_tables(vm);
	if (ret)
		return ret;
	note_linux_layout(vm, kernel, initrd, &lb);
	/* Only the boot CPU: the APs wait for INIT/SIPI (KVM's default). */
	e = entry_at(lb.plan.entry64);
	e.rsi = X86_BOOT_PARAMS_ADDR;
	ret = x86_vcpu_fd_enter_long_mode(vm->vcpus[0].fd, &e);
	if (ret)
		tv_errno(ret, "setting the boot vCPU's 64-bit entry state");
	return ret;
}

/* ---- which one ---- */

static int is_bzimage(const struct boot_src *k, bool *yes)
{
	char magic[4];
	int ret;

	*yes = false;
	if (k->size < BZIMAGE_MAGIC_OFFSET + sizeof(magic))
		return 0;
	ret = boot_src_read(k, magic, sizeof(magic), BZIMAGE_MAGIC_OFFSET);
	if (!ret)
		*yes = !memcmp(magic, BZIMAGE_MAGIC, sizeof(magic));
	return ret;
}

int arch_boot_setup(struct vm *vm)
{
	struct boot_src kernel = BOOT_SRC_NONE, initrd = BOOT_SRC_NONE;
	bool linux_image = false;
	int ret;

	/* Without a guest: the flat guests' device tree alone, for --dtb-out. */
	if (!vm_config_has_guest(vm->cfg))
		return build_dtb(vm);
	ret = boot_src_open_guest(
		&kernel, &initrd, vm->cfg->kernel_path, vm->cfg->kernel_image,
		vm->cfg->kernel_image_len, vm->cfg->initrd_path);
	if (!ret)
		ret = is_bzimage(&kernel, &linux_image);
	if (!ret)
		ret = linux_image ? boot_linux(vm, &kernel, &initrd)
				  : boot_flat(vm, &kernel);
	boot_src_close(&initrd);
	boot_src_close(&kernel);
	return ret;
}
