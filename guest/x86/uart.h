/* SPDX-License-Identifier: MIT */
#ifndef TINYVMM_GUEST_X86_UART_H
#define TINYVMM_GUEST_X86_UART_H

#include "libguest.h"

/*
 * Points @con at the first available "ns16550a" node of the tree: at its
 * I/O port when the node has "tinyvmm,pio" (tinyvmm's COM1), else at its
 * MMIO address. Returns 0, or a -FDT_ERR_* code (NOTFOUND: no console).
 */
int uart_console_probe(const struct fdt *fdt, struct console *con);

#endif
