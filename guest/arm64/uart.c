// SPDX-License-Identifier: MIT
/*
 * The console UART, found in the device tree: tinyvmm's 16550
 * ("ns16550a") or, for debugging the guest under plain QEMU, the virt
 * machine's PL011 ("arm,pl011"). Both accept a byte written at base + 0
 * (16550 THR with DLAB clear, PL011 UARTDR) without any set-up.
 * We do not poll for transmitter space: both emulations take each write
 * at once, and under KVM every poll would cost another exit.
 */
#include "arm64.h"
#include "mmio.h"
#include "uart.h"

static void uart_write(const struct console *con, char c)
{
	mmio_write8(con->base, (uint8_t)c);
}

/* The first available node compatible with @compat, with its reg base. */
static int uart_find(const struct fdt *fdt, const char *compat, uint64_t *base)
{
	int node = fdt_find_compatible(fdt, -1, compat);

	for (; node >= 0; node = fdt_find_compatible(fdt, node, compat)) {
		if (fdt_is_available(fdt, node))
			return fdt_reg(fdt, node, 0, base, NULL);
	}
	return node;
}

int uart_console_probe(const struct fdt *fdt, struct console *con)
{
	/* Arrays, not pointers, so the table needs no relocation. */
	static const char compats[][16] = { "ns16550a", "arm,pl011" };
	uint64_t base;
	int ret = -FDT_ERR_NOTFOUND;

	for (size_t i = 0; i < ARRAY_SIZE(compats) && ret; i++)
		ret = uart_find(fdt, compats[i], &base);
	if (ret)
		return ret;
	con->base = (uintptr_t)base;
	con->write = uart_write;
	return 0;
}
