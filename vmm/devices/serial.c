// SPDX-License-Identifier: MIT
/*
 * A 16550A UART as Linux's 8250 driver and early consoles use it: THR,
 * RBR with a 16-byte receive FIFO, IER/IIR interrupt logic, LCR/DLAB
 * divisor latch, MCR loopback, LSR and MSR. Transmission is instant, so
 * the transmitter is always empty.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/base/bus.h"
#include "vmm/devices/serial.h"

enum {
	UART_RBR_THR = 0,
	UART_IER = 1,
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
	UART_NR_REGS = 8,
};

#define IER_RDI 0x01  /* receive data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_MASK 0x0f
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO_ON 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_DCD 0x80
#define MSR_DSR 0x20
#define MSR_CTS 0x10

#define RX_FIFO_SIZE 16

struct serial {
	pthread_mutex_t lock;
	atomic_bool stopped; /* set by serial_stop(): transmit nothing more */
	struct serial_irq irq;
	int irq_level;
	int out_fd;
	int out_error;	   /* the first failed write's -errno, or 0 */
	uint64_t out_lost; /* bytes a failed write dropped */
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thr_ipending;
	uint8_t rx[RX_FIFO_SIZE];
	unsigned int rx_head, rx_count;
};

static uint8_t serial_iir(const struct serial *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0;

	if ((s->ier & IER_RDI) && s->rx_count)
		return fifo | IIR_RDI;
	if ((s->ier & IER_THRI) && s->thr_ipending)
		return fifo | IIR_THRI;
	return fifo | IIR_NONE;
}

/* Called with the lock held after every state change. */
static void serial_update_irq(struct serial *s)
{
	int level = !(serial_iir(s) & IIR_NONE);

	if (level == s->irq_level || !s->irq.set)
		return;
	/* A failed injection loses an interrupt, not the VM: the guest polls LSR. */
	s->irq.set(s->irq.opaque, level);
	s->irq_level = level;
}

static void rx_push(struct serial *s, uint8_t byte)
{
	s->rx[(s->rx_head + s->rx_count) % RX_FIFO_SIZE] = byte;
	s->rx_count++;
}

static uint8_t rx_pop(struct serial *s)
{
	uint8_t byte;

	if (!s->rx_count)
		return 0;
	byte = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % RX_FIFO_SIZE;
	s->rx_count--;
	return byte;
}

static void serial_transmit(struct serial *s, uint8_t byte)
{
	if (s->mcr & MCR_LOOP) {
		if (s->rx_count < RX_FIFO_SIZE)
			rx_push(s, byte);
		return;
	}
	/*
	 * A closed pipe or a full disk drops output, counted, and the VM runs
	 * on. A stalled reader blocks this vCPU (back-pressure, as a real line
	 * would) until the VM stops: the stop's kick signal ends the write
	 * with EINTR, and a stopped UART writes nothing, so no vCPU waits on
	 * stdout forever.
	 */
	if (s->out_fd < 0 || atomic_load(&s->stopped))
		return;
	ssize_t n = write(s->out_fd, &byte, 1);

	if (n == 1 || (n < 0 && errno == EINTR))
		return;
	if (!s->out_error)
		s->out_error = n < 0 ? -errno : -EIO;
	s->out_lost++;
}

static void serial_write_reg(struct serial *s, unsigned int reg, uint8_t v)
{
	bool dlab = s->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab) {
			s->dll = v;
			break;
		}
		serial_transmit(s, v);
		s->thr_ipending = true; /* sent at once: THR is empty again */
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = v;
			break;
		}
		/* Enabling THRI with THR empty raises it at once, as on silicon. */
		if (!(s->ier & IER_THRI) && (v & IER_THRI))
			s->thr_ipending = true;
		s->ier = v & IER_MASK;
		break;
	case UART_IIR_FCR:
		if (v & FCR_CLEAR_RX)
			s->rx_head = s->rx_count = 0;
		s->fcr = v & FCR_ENABLE;
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
}

static uint8_t serial_msr(const struct serial *s)
{
	/* In loopback, RTS/DTR/OUT2 come back as CTS/DSR/DCD. */
	if (s->mcr & MCR_LOOP)
		return (uint8_t)(((s->mcr & 0x02) << 3) |
				 ((s->mcr & 0x01) << 5) |
				 ((s->mcr & 0x08) << 4));
	return MSR_DCD | MSR_DSR | MSR_CTS;
}

static uint8_t serial_read_reg(struct serial *s, unsigned int reg)
{
	bool dlab = s->lcr & LCR_DLAB;
	uint8_t iir;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? s->dll : rx_pop(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR_FCR:
		iir = serial_iir(s);
		/* Reading IIR acknowledges a THRE interrupt (16550 datasheet). */
		if ((iir & 0x0f) == IIR_THRI)
			s->thr_ipending = false;
		return iir;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0);
	case UART_MSR:
		return serial_msr(s);
	default:
		return s->scr;
	}
}

static void serial_mmio_read(void *opaque, uint64_t offset, void *data,
			     uint32_t len)
{
	struct serial *s = opaque;

	memset(data, 0, len);
	pthread_mutex_lock(&s->lock);
	*(uint8_t *)data = serial_read_reg(s, offset % UART_NR_REGS);
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static void serial_mmio_write(void *opaque, uint64_t offset, const void *data,
			      uint32_t len)
{
	struct serial *s = opaque;

	pthread_mutex_lock(&s->lock);
	/* Wider accesses write their low byte: registers are 8 bits wide. */
	serial_write_reg(s, offset % UART_NR_REGS, *(const uint8_t *)data);
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static const struct bus_device_ops serial_ops = {
	.read = serial_mmio_read,
	.write = serial_mmio_write,
};

int serial_create(struct bus *bus, uint64_t base, uint64_t size,
		  const struct serial_irq *irq, int out_fd, struct serial **out)
{
	struct serial *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->irq = *irq;
	s->out_fd = out_fd;
	s->lcr = 0x03; /* 8N1 */
	ret = bus_register(bus, base, size, "uart-16550", &serial_ops, s);
	if (ret) {
		serial_destroy(s);
		return ret;
	}
	*out = s;
	return 0;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int serial_output_error(struct serial *s, uint64_t *lost)
{
	int err;

	pthread_mutex_lock(&s->lock);
	err = s->out_error;
	*lost = s->out_lost;
	pthread_mutex_unlock(&s->lock);
	return err;
}

void serial_stop(struct serial *s)
{
	if (s)
		atomic_store(&s->stopped, true);
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t taken = 0;

	/* A vCPU may hold the lock while stdout is stalled: never wait on it. */
	if (pthread_mutex_trylock(&s->lock))
		return 0;
	while (taken < len && s->rx_count < RX_FIFO_SIZE)
		rx_push(s, buf[taken++]);
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return taken;
}
