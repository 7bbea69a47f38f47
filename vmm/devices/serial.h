/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART: the console on both arches (MMIO on arm64 with the
 * "ns16550a" binding, port 0x3f8 on x86). Transmitted bytes go to an
 * output fd; bytes fed with serial_receive() raise the receive interrupt.
 */
#ifndef TINYVMM_VMM_SERIAL_H
#define TINYVMM_VMM_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

struct bus;
struct serial;

/*
 * @set_irq drives the UART's interrupt line; it is called with the UART's
 * lock held and must not call back into the UART.
 */
struct serial_irq {
	int (*set)(void *opaque, int level);
	void *opaque;
};

/* Registers [base, base + size) on @bus; registers repeat past the eighth. */
TV_MUST_CHECK int serial_create(struct bus *bus, uint64_t base, uint64_t size,
				const struct serial_irq *irq, int out_fd,
				struct serial **out);
void serial_destroy(struct serial *s);

/*
 * Feeds input bytes; returns how many were taken (the receive FIFO holds
 * 16: the rest waits for the guest to drain it). Never blocks: while a
 * vCPU holds the UART it takes nothing, and the caller tries again.
 */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len);

/*
 * The first error writing transmitted bytes to the output fd (negative
 * errno; 0 when every write went through) and, in *@lost, how many bytes
 * failed writes dropped.
 */
int serial_output_error(struct serial *s, uint64_t *lost);

/* From now on transmitted bytes are dropped: the VM is stopping. */
void serial_stop(struct serial *s);

#endif
