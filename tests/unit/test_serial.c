// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/base/bus.h"
#include "vmm/devices/serial.h"
#include "tests/unit/unit.h"

#define UART 0x9000000ULL

struct irq_log {
	int level, changes;
};

static int irq_set(void *opaque, int level)
{
	struct irq_log *l = opaque;

	l->level = level;
	l->changes++;
	return 0;
}

static struct bus bus;
static struct serial *uart;
static struct irq_log irq;
static int out[2];

static void setup(void)
{
	struct serial_irq si = { irq_set, &irq };

	memset(&irq, 0, sizeof(irq));
	ck_assert_int_eq(pipe2(out, O_NONBLOCK), 0);
	bus_init(&bus, "mmio");
	ck_assert_int_eq(serial_create(&bus, UART, 0x1000, &si, out[1], &uart),
			 0);
}

static void teardown(void)
{
	serial_destroy(uart);
	bus_destroy(&bus);
	close(out[0]);
	close(out[1]);
}

static uint8_t rd(unsigned int reg)
{
	uint8_t v;

	ck_assert(bus_access(&bus, UART + reg, &v, 1, false));
	return v;
}

static void wr(unsigned int reg, uint8_t v)
{
	ck_assert(bus_access(&bus, UART + reg, &v, 1, true));
}

START_TEST(test_transmit)
{
	char got[8] = { 0 };

	wr(0, 'h');
	wr(0, 'i');
	ck_assert_int_eq(read(out[0], got, sizeof(got)), 2);
	ck_assert_str_eq(got, "hi");
	ck_assert_uint_eq(rd(5) & 0x60, 0x60); /* THRE | TEMT: always ready */
}
END_TEST

START_TEST(test_stop_drops_output)
{
	char got[4];

	wr(0, 'a');
	serial_stop(uart);
	wr(0, 'b'); /* the VM is stopping: nothing more reaches stdout */
	ck_assert_int_eq(read(out[0], got, sizeof(got)), 1);
	ck_assert_int_eq(got[0], 'a');
	ck_assert_uint_eq(rd(5) & 0x60,
			  0x60); /* the guest still sees it sent */
}
END_TEST

/* A full disk: the bytes are counted lost, the first error kept. */
START_TEST(test_output_error_counted)
{
	struct serial_irq si = { irq_set, &irq };
	struct serial *full;
	struct bus b2;
	uint64_t lost = 99;
	uint8_t v = 'x';
	int fd = open("/dev/full", O_WRONLY);

	ck_assert_msg(fd >= 0, "opening /dev/full: %s", strerror(errno));
	ck_assert_int_eq(serial_output_error(uart, &lost), 0);
	ck_assert_uint_eq(lost, 0);
	bus_init(&b2, "mmio");
	ck_assert_int_eq(serial_create(&b2, UART, 0x1000, &si, fd, &full), 0);
	for (int i = 0; i < 3; i++)
		ck_assert(bus_access(&b2, UART, &v, 1, true));
	ck_assert_int_eq(serial_output_error(full, &lost), -ENOSPC);
	ck_assert_uint_eq(lost, 3);
	serial_destroy(full);
	bus_destroy(&b2);
	close(fd);
}
END_TEST

/* A stalled reader (EAGAIN on this non-blocking pipe) loses bytes too. */
START_TEST(test_output_stalled_counted)
{
	uint64_t lost = 0;
	long cap = fcntl(out[1], F_GETPIPE_SZ);

	ck_assert_int_gt(cap, 0);
	for (long i = 0; i < cap + 5; i++)
		wr(0, 'y');
	ck_assert_int_eq(serial_output_error(uart, &lost), -EAGAIN);
	ck_assert_uint_eq(lost, 5);
}
END_TEST

START_TEST(test_receive_fifo_and_irq)
{
	uint8_t in[20];

	memset(in, 'x', sizeof(in));
	in[0] = 'a';
	ck_assert_uint_eq(rd(5) & 1, 0);
	ck_assert_uint_eq(serial_receive(uart, in, sizeof(in)), 16);
	ck_assert_uint_eq(serial_receive(uart, in, 1), 0); /* FIFO full */
	ck_assert_int_eq(irq.level, 0); /* IER off: no interrupt */
	wr(1, 0x01);			/* enable RDI */
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x04);
	ck_assert_uint_eq(rd(5) & 1, 1);
	ck_assert_uint_eq(rd(0), 'a');
	for (int i = 1; i < 16; i++)
		ck_assert_uint_eq(rd(0), 'x');
	ck_assert_uint_eq(rd(5) & 1, 0);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x01);
	ck_assert_uint_eq(serial_receive(uart, in, 1), 1); /* room again */
}
END_TEST

START_TEST(test_thre_interrupt)
{
	wr(1, 0x02); /* enable THRI: THR empty, so it fires */
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x02);
	ck_assert_int_eq(irq.level, 0); /* reading IIR acknowledged it */
	ck_assert_uint_eq(rd(2) & 0x0f, 0x01);
	wr(0, 'z'); /* sent at once: fires again */
	ck_assert_int_eq(irq.level, 1);
	wr(1, 0x00);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(test_divisor_latch_and_scratch)
{
	char got[4];

	wr(3, 0x83); /* DLAB on */
	wr(0, 0x01);
	wr(1, 0x02);
	ck_assert_uint_eq(rd(0), 0x01);
	ck_assert_uint_eq(rd(1), 0x02);
	wr(3, 0x03);
	ck_assert_uint_eq(rd(1), 0x00); /* IER untouched by the DLM write */
	ck_assert_int_eq(read(out[0], got, sizeof(got)), -1); /* nothing sent */
	wr(7, 0x5a);
	ck_assert_uint_eq(rd(7), 0x5a);
}
END_TEST

START_TEST(test_loopback)
{
	char got[4];

	wr(4, 0x10 | 0x0b); /* loop, OUT2, RTS, DTR */
	wr(0, 'q');
	ck_assert_int_eq(read(out[0], got, sizeof(got)), -1);
	ck_assert_uint_eq(rd(5) & 1, 1);
	ck_assert_uint_eq(rd(0), 'q');
	ck_assert_uint_eq(rd(6) & 0xb0, 0xb0); /* DCD, DSR, CTS mirrored */
}
END_TEST

START_TEST(test_register_window_repeats)
{
	uint32_t wide = 0;

	/* The 4 KiB window repeats the 8 registers; wide reads get the byte. */
	wr(0x100 + 7, 0x42);
	ck_assert_uint_eq(rd(7), 0x42);
	ck_assert(bus_access(&bus, UART + 0x5, &wide, 1, false));
	ck_assert_uint_eq(wide & 0x60, 0x60);
	ck_assert(bus_access(&bus, UART + 0x4, &wide, 4, false));
	ck_assert_uint_eq(wide >> 8, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("serial");
	TCase *tc = tcase_create("16550");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_transmit);
	tcase_add_test(tc, test_stop_drops_output);
	tcase_add_test(tc, test_output_error_counted);
	tcase_add_test(tc, test_output_stalled_counted);
	tcase_add_test(tc, test_receive_fifo_and_irq);
	tcase_add_test(tc, test_thre_interrupt);
	tcase_add_test(tc, test_divisor_latch_and_scratch);
	tcase_add_test(tc, test_loopback);
	tcase_add_test(tc, test_register_window_repeats);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
