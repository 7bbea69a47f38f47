// SPDX-License-Identifier: MIT
/*
 * The x86 machine's small port devices, stateless but for one register:
 *   ACPI PM1a event and control blocks (the FADT's; acpi.h): SLP_EN with
 *     SLP_TYP = S5 powers the VM off (ACPI 6.x, 7.4.2 and 16.1.7); the
 *     event enable register keeps what is written
 *   0xcf8-0xcff: PCI configuration mechanism #1 with the reset control
 *     register at 0xcf9 inside (the FADT's RESET_REG): no PCI, so reads
 *     are all ones; RST_CPU written to 0xcf9 resets the VM
 *   i8042 0x60/0x64: command 0xfe pulses the reset line (Linux's
 *     reboot=k, tried after the ACPI reset register); status reads 0
 *   quiet stand-ins for ports Linux touches while it boots: POST code
 *     0x80 (its I/O delay), CMOS/RTC 0x70-0x71 (reads 0), and the
 *     legacy COM2-COM4, DMA page registers and Super I/O configuration
 *     ports it probes (absent: reads all ones)
 * Anything else stays unmapped and vcpu.c reports it, rate-limited.
 * The PIC, PIT, speaker port and ELCR are KVM's (irqchip.c).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "vmm/machine/arch.h"
#include "vmm/base/bus.h"
#include "arch/x86/x86_layout.h"
#include "vmm/machine/vm.h"
#include "arch/x86/x86.h"

#define PCI_CONF_PORT 0xcf8 /* CONFIG_ADDRESS 0xcf8, CONFIG_DATA 0xcfc */
#define PCI_CONF_LEN 8
#define RESET_CTRL_RST_CPU 0x04 /* 0xcf9 bit 2: reset now (bit 1: hard) */
#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define I8042_CMD_RESET 0xfe
#define CMOS_PORT 0x70
#define POST_PORT 0x80
#define DMA_PAGE_PORT 0x81 /* 0x81-0x8f beside the POST port */
#define SUPERIO_PORT 0x4e
#define SUPERIO_ALT_PORT 0x2e

_Static_assert(X86_RESET_PORT >= PCI_CONF_PORT &&
		       X86_RESET_PORT < PCI_CONF_PORT + PCI_CONF_LEN,
	       "the reset register sits inside the PCI configuration ports");

static uint32_t data_get(const void *data, uint32_t len)
{
	uint8_t b[4] = { 0 };

	memcpy(b, data, len < 4 ? len : 4);
	return b[0] | b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void data_put(void *data, uint32_t len, uint32_t val)
{
	memset(data, 0, len);
	for (uint32_t i = 0; i < len && i < 4; i++)
		((uint8_t *)data)[i] = (uint8_t)(val >> (8 * i));
}

static void read_zero(void *opaque, uint64_t offset, void *data, uint32_t len)
{
	memset(data, 0, len);
}

static void read_ones(void *opaque, uint64_t offset, void *data, uint32_t len)
{
	memset(data, 0xff, len);
}

static void write_ignore(void *opaque, uint64_t offset, const void *data,
			 uint32_t len)
{
}

/*
 * PM1a_EVT: status (2 bytes; nothing ever happens: reads 0, and writes
 * to clear bits have nothing to clear), then the enable register, which
 * keeps what the guest writes. No event fires, so an enable does nothing
 * else.
 */
#define PM1_EVT_ENABLE 2

static void pm1a_evt_read(void *opaque, uint64_t offset, void *data,
			  uint32_t len)
{
	struct vm *vm = opaque;
	uint32_t regs = (uint32_t)atomic_load(&vm->arch.pm1a_enable)
			<< (8 * PM1_EVT_ENABLE);

	data_put(data, len, regs >> (8 * offset));
}

static void pm1a_evt_write(void *opaque, uint64_t offset, const void *data,
			   uint32_t len)
{
	struct vm *vm = opaque;
	uint32_t regs = (uint32_t)atomic_load(&vm->arch.pm1a_enable)
			<< (8 * PM1_EVT_ENABLE);
	uint32_t mask = (len >= 4 ? 0xffffffffU : (1U << (8 * len)) - 1)
			<< (8 * offset);

	regs = (regs & ~mask) | ((data_get(data, len) << (8 * offset)) & mask);
	atomic_store(&vm->arch.pm1a_enable,
		     (uint16_t)(regs >> (8 * PM1_EVT_ENABLE)));
}

/* Always in ACPI mode: SCI_EN reads set (there is no SMI_CMD to ask). */
static void pm1a_cnt_read(void *opaque, uint64_t offset, void *data,
			  uint32_t len)
{
	data_put(data, len, offset == 0 ? X86_ACPI_PM1_SCI_EN : 0);
}

static void pm1a_cnt_write(void *opaque, uint64_t offset, const void *data,
			   uint32_t len)
{
	struct vm *vm = opaque;
	uint32_t val = data_get(data, len) << (8 * offset);
	uint32_t typ =
		(val & X86_ACPI_PM1_SLP_TYP_MASK) >> X86_ACPI_PM1_SLP_TYP_SHIFT;

	if (offset + len < 2 || !(val & X86_ACPI_PM1_SLP_EN))
		return; /* SLP_EN (bit 13) is in the high byte */
	if (typ == X86_ACPI_S5_SLP_TYP) {
		tv_info("guest powered off (ACPI S5)");
		vm_request_stop(vm, TINYVMM_EXIT_POWEROFF);
	}
	/* Other sleep states are not in the DSDT: a guest asking stays up. */
}

static void pci_conf_write(void *opaque, uint64_t offset, const void *data,
			   uint32_t len)
{
	struct vm *vm = opaque;

	if (PCI_CONF_PORT + offset != X86_RESET_PORT || len != 1)
		return; /* no PCI: configuration writes go nowhere */
	if (data_get(data, len) & RESET_CTRL_RST_CPU) {
		tv_info("guest reset the machine (port 0x%x)", X86_RESET_PORT);
		vm_request_stop(vm, TINYVMM_EXIT_RESET);
	}
}

static void i8042_cmd_write(void *opaque, uint64_t offset, const void *data,
			    uint32_t len)
{
	struct vm *vm = opaque;

	if (data_get(data, len) == I8042_CMD_RESET) {
		tv_info("guest reset the machine (i8042 command 0xfe)");
		vm_request_stop(vm, TINYVMM_EXIT_RESET);
	}
}

static const struct bus_device_ops zero_ops = {
	.read = read_zero,
	.write = write_ignore,
};
static const struct bus_device_ops absent_ops = {
	.read = read_ones,
	.write = write_ignore,
};
static const struct bus_device_ops pm1a_evt_ops = {
	.read = pm1a_evt_read,
	.write = pm1a_evt_write,
};
static const struct bus_device_ops pm1a_cnt_ops = {
	.read = pm1a_cnt_read,
	.write = pm1a_cnt_write,
};
static const struct bus_device_ops pci_conf_ops = {
	.read = read_ones,
	.write = pci_conf_write,
};
static const struct bus_device_ops i8042_cmd_ops = {
	.read = read_zero,
	.write = i8042_cmd_write,
};

static const struct pio_device {
	uint16_t port, len;
	const char *name;
	const struct bus_device_ops *ops;
} pio_devices[] = {
	{ X86_PM1A_EVT_PORT, 4, "acpi-pm1a-evt", &pm1a_evt_ops },
	{ X86_PM1A_CNT_PORT, 2, "acpi-pm1a-cnt", &pm1a_cnt_ops },
	{ PCI_CONF_PORT, PCI_CONF_LEN, "pci-conf+reset", &pci_conf_ops },
	{ I8042_DATA_PORT, 1, "i8042-data", &zero_ops },
	{ I8042_CMD_PORT, 1, "i8042-cmd", &i8042_cmd_ops },
	{ CMOS_PORT, 2, "cmos", &zero_ops },
	{ POST_PORT, 1, "post", &zero_ops },
	/* The DMA page registers around it (Linux's I/O delay reads 0x87)
	 * and the Super I/O index/data pairs it probes: absent. */
	{ DMA_PAGE_PORT, 0x10, "dma-page-absent", &absent_ops },
	{ SUPERIO_PORT, 2, "superio-absent", &absent_ops },
	{ SUPERIO_ALT_PORT, 2, "superio-alt-absent", &absent_ops },
	{ 0x2f8, 8, "com2-absent", &absent_ops },
	{ 0x3e8, 8, "com3-absent", &absent_ops },
	{ 0x2e8, 8, "com4-absent", &absent_ops },
};

int x86_pio_create(struct vm *vm)
{
	for (size_t i = 0; i < sizeof(pio_devices) / sizeof(pio_devices[0]);
	     i++) {
		const struct pio_device *d = &pio_devices[i];
		int ret = bus_register(&vm->pio, d->port, d->len, d->name,
				       d->ops, vm);

		if (ret) {
			tv_errno(ret, "registering %s at port 0x%x", d->name,
				 d->port);
			return ret;
		}
	}
	return 0;
}
