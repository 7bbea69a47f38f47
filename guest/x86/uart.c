// SPDX-License-Identifier: MIT
/*
 * The console UART: tinyvmm's 16550 (COM1 at port 0x3f8), found in the
 * device tree. A byte written to THR (base + 0, DLAB clear) goes out
 * without any set-up. We do not poll LSR for transmitter space: the
 * emulation takes each write at once, and every poll would be another
 * exit to tinyvmm.
 */
#include "mmio.h"
#include "uart.h"
#include "x86.h"

static void uart_write_pio(const struct console *con, char c)
{
	outb((uint16_t)con->base, (uint8_t)c);
}

static void uart_write_mmio(const struct console *con, char c)
{
	mmio_write8(con->base, (uint8_t)c);
}

int uart_console_probe(const struct fdt *fdt, struct console *con)
{
	int node = fdt_find_compatible(fdt, -1, "ns16550a");
	uint64_t base;
	int ret;

	while (node >= 0 && !fdt_is_available(fdt, node))
		node = fdt_find_compatible(fdt, node, "ns16550a");
	if (node < 0)
		return node;
	ret = fdt_reg(fdt, node, 0, &base, NULL);
	if (ret)
		return ret;
	if (fdt_prop(fdt, node, "tinyvmm,pio", NULL)) {
		if (base > 0xffff)
			return -FDT_ERR_BADVALUE;
		con->write = uart_write_pio;
	} else {
		con->write = uart_write_mmio;
	}
	con->base = (uintptr_t)base;
	return 0;
}
