/* SPDX-License-Identifier: MIT */
#ifndef TINYVMM_GUEST_ARM64_UART_H
#define TINYVMM_GUEST_ARM64_UART_H

#include "libguest.h"

/*
 * Points @con at the first available "ns16550a", else "arm,pl011", node
 * of the tree. Returns 0, or a -FDT_ERR_* code (NOTFOUND: no console).
 */
int uart_console_probe(const struct fdt *fdt, struct console *con);

#endif
