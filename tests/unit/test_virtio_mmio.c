// SPDX-License-Identifier: MIT
/*
 * The virtio-mmio transport, driven through its register handlers the way
 * a guest driver would, with a fake device model behind it and a running
 * worker (the device manager) that carries out DRIVER_OK and reset, as in
 * tinyvmm: the test's thread plays the vCPU.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_config.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "tests/unit/virtio_driver.h"
#include "virtio/mmio_worker.h"

#define BASE 0x40000000ULL
#define SIZE 0x100000ULL
#define HIGH 0x100000000ULL /* RAM above 4 GiB: the HIGH halves matter */
#define HIGH_SIZE 0x10000ULL
#define DESC BASE
#define AVAIL (BASE + 0x1000)
#define USED (BASE + 0x2000)
#define BUF(n) (BASE + 0x10000 + (n)*0x100)
#define QSZ 16

#define BIT(n) (1ULL << (n))
#define DEV_BIT BIT(5) /* a device-type feature */
#define OFFERED \
	(DEV_BIT | BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_F_VERSION_1))

struct fake {
	struct virtio_mmio_dev dev;
	uint8_t config[8];
	int activates, resets, notifies, last_notify, signals;
	int activate_ret;
	uint64_t features;
	bool q0_at_activate, q1_at_activate, event_idx_at_activate;
	/* Which threads ran activate() and reset() last. */
	pthread_t activate_thread, reset_thread;
	/* While set, activate() waits: a test looks at what is pending. */
	atomic_bool hold_activate, in_activate;
	/* The optional dataplane thread. */
	bool with_thread, thread_on;
	pthread_t thread;
	atomic_bool stop, running;
	atomic_uint served;
};

static struct guest_mem mem;
static struct fake f;
static struct virtio_mmio_worker *worker;

static struct fake *fake_of(struct virtio_mmio_dev *dev)
{
	return dev->opaque;
}

static void fake_config_read(struct virtio_mmio_dev *dev, uint32_t off,
			     void *data, uint32_t len)
{
	memcpy(data, fake_of(dev)->config + off, len);
}

static void fake_config_write(struct virtio_mmio_dev *dev, uint32_t off,
			      const void *data, uint32_t len)
{
	memcpy(fake_of(dev)->config + off, data, len);
}

static void fake_notify(struct virtio_mmio_dev *dev, unsigned int index)
{
	fake_of(dev)->notifies++;
	fake_of(dev)->last_notify = (int)index;
}

/* A dataplane serving queue 0: fills each buffer, returns it. */
static void *fake_dataplane(void *arg)
{
	struct fake *fk = arg;
	struct virtq *vq = virtio_mmio_queue(&fk->dev, 0);
	struct virtq_seg seg[4];
	struct virtq_chain c = { .seg = seg, .max_seg = 4 };
	int head;

	while (!atomic_load(&fk->stop)) {
		head = virtq_pop(vq, &c);
		if (head == -EAGAIN) {
			sched_yield();
			continue;
		}
		if (head < 0 || c.nr_writable != 1) {
			virtio_mmio_queue_error(
				&fk->dev, 0, head < 0 ? head : -EINVAL, c.why);
			break;
		}
		memset(seg[0].addr, 0xab, seg[0].len);
		if (virtq_push(vq, (uint16_t)head, seg[0].len))
			break;
		if (virtq_needs_notify(vq))
			virtio_mmio_signal_used(&fk->dev);
		atomic_fetch_add(&fk->served, 1);
	}
	atomic_store(&fk->running, false);
	return NULL;
}

static int fake_activate(struct virtio_mmio_dev *dev, uint64_t features)
{
	struct fake *fk = fake_of(dev);
	struct virtq *q0 = virtio_mmio_queue(dev, 0);

	fk->activate_thread = pthread_self();
	atomic_store(&fk->in_activate, true);
	while (atomic_load(&fk->hold_activate))
		sched_yield();
	fk->activates++;
	fk->features = features;
	fk->q0_at_activate = q0 != NULL;
	fk->q1_at_activate = virtio_mmio_queue(dev, 1) != NULL;
	fk->event_idx_at_activate = q0 && q0->event_idx;
	if (fk->activate_ret || !fk->with_thread)
		return fk->activate_ret;
	atomic_store(&fk->stop, false);
	atomic_store(&fk->running, true);
	ck_assert_int_eq(pthread_create(&fk->thread, NULL, fake_dataplane, fk),
			 0);
	fk->thread_on = true;
	return 0;
}

/* The reset contract: the dataplane has stopped when this returns. */
static void fake_reset(struct virtio_mmio_dev *dev)
{
	struct fake *fk = fake_of(dev);

	fk->resets++;
	fk->reset_thread = pthread_self();
	if (!fk->thread_on)
		return;
	atomic_store(&fk->stop, true);
	pthread_join(fk->thread, NULL);
	fk->thread_on = false;
}

static int fake_signal(void *opaque)
{
	((struct fake *)opaque)->signals++;
	return 0;
}

static const struct virtio_mmio_ops fake_ops = {
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.queue_notify = fake_notify,
	.activate = fake_activate,
	.reset = fake_reset,
};

static const struct virtio_mmio_config fake_cfg = {
	.name = "virtio-fake",
	.device_id = 2,
	/* RING_PACKED is a transport bit the transport does not implement. */
	.features = DEV_BIT | BIT(VIRTIO_RING_F_EVENT_IDX) |
		    BIT(VIRTIO_F_RING_PACKED),
	.nr_queues = 2,
	.queue_max = { QSZ, 8 },
	.config_size = sizeof(f.config),
};

static void setup(void)
{
	const struct virtio_mmio_irq irq = { fake_signal, &f };

	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(guest_mem_add(&mem, BASE, SIZE), 0);
	ck_assert_int_eq(guest_mem_add(&mem, HIGH, HIGH_SIZE), 0);
	memset(&f, 0, sizeof(f));
	memcpy(f.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	ck_assert_int_eq(
		virtio_mmio_init(&f.dev, &fake_cfg, &fake_ops, &f, &mem, &irq),
		0);
	ck_assert_int_eq(virtio_mmio_worker_create(NULL, &worker), 0);
	virtio_mmio_set_worker(&f.dev, worker);
	ck_assert_int_eq(virtio_mmio_worker_start(worker), 0);
}

/* tinyvmm's order: the worker stops before the device goes. */
static void teardown(void)
{
	virtio_mmio_worker_stop(worker);
	virtio_mmio_destroy(&f.dev);
	virtio_mmio_worker_destroy(worker);
	guest_mem_destroy(&mem);
}

/*
 * DRIVER_OK, then a Status read: it waits for the worker to finish the
 * activation, so what the fake recorded is settled.
 */
static uint32_t driver_ok(void)
{
	vdrv_driver_ok(&f.dev);
	return vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS);
}

/* Negotiated, queue 0 ready, DRIVER_OK. */
static void bring_up(void)
{
	int before = f.activates;

	vdrv_negotiate(&f.dev, OFFERED);
	vdrv_queue_setup(&f.dev, 0, QSZ, DESC, AVAIL, USED);
	ck_assert_uint_eq(driver_ok(), VDRV_STATUS_LIVE);
	ck_assert_int_eq(f.activates, before + 1);
}

START_TEST(test_identity)
{
	uint64_t feat;

	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_DEVICE_ID), 2);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_VENDOR_ID),
			  VIRTIO_MMIO_VENDOR);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS), 0);
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_READY), 0);
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_NUM_MAX), 8);
	/* No such queue: not available. */
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_SEL, 2);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	/* VERSION_1 added, RING_PACKED dropped, INDIRECT not asked for. */
	feat = vdrv_device_features(&f.dev);
	ck_assert_uint_eq(feat, OFFERED);
	vdrv_wr(&f.dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_DEVICE_FEATURES), 0);
}
END_TEST

static const struct feature_case {
	uint64_t driver;
	bool accepted;
} feature_cases[] = {
	{ OFFERED, true },
	{ BIT(VIRTIO_F_VERSION_1), true },
	{ BIT(VIRTIO_F_VERSION_1) | DEV_BIT, true },
	{ DEV_BIT, false }, /* legacy driver */
	{ 0, false },
	{ BIT(VIRTIO_F_VERSION_1) | BIT(6), false },	       /* not offered */
	{ OFFERED | BIT(VIRTIO_RING_F_INDIRECT_DESC), false }, /* not offered */
	{ OFFERED | BIT(VIRTIO_F_RING_PACKED), false },	       /* device-only */
};

START_TEST(test_feature_negotiation)
{
	const struct feature_case *c = &feature_cases[_i];

	vdrv_negotiate(&f.dev, c->driver);
	ck_assert_int_eq(!!(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS) &
			    VIRTIO_CONFIG_S_FEATURES_OK),
			 c->accepted);
	driver_ok();
	if (c->accepted) {
		ck_assert_int_eq(f.activates, 1);
		ck_assert_uint_eq(f.features, c->driver);
		ck_assert(!vdrv_needs_reset(&f.dev));
	} else {
		ck_assert_int_eq(f.activates, 0);
		ck_assert(vdrv_needs_reset(&f.dev));
	}
}
END_TEST

START_TEST(test_features_frozen_after_features_ok)
{
	vdrv_negotiate(&f.dev, OFFERED);
	vdrv_wr(&f.dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_wr(&f.dev, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	driver_ok();
	ck_assert_uint_eq(f.features, OFFERED);
}
END_TEST

START_TEST(test_feature_bits_above_63_refused)
{
	vdrv_wr(&f.dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	vdrv_wr(&f.dev, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	vdrv_negotiate(&f.dev, OFFERED);
	ck_assert(!(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS) &
		    VIRTIO_CONFIG_S_FEATURES_OK));
}
END_TEST

START_TEST(test_queue_setup)
{
	vdrv_negotiate(&f.dev, OFFERED);
	/* Rings above 4 GiB: both register halves are used. */
	vdrv_queue_setup(&f.dev, 0, QSZ, HIGH, HIGH + 0x1000, HIGH + 0x2000);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(f.dev.queues[0].vq.gpa.avail, HIGH + 0x1000);
	/* Queue registers are frozen while it is ready. */
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_NUM, 4);
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
	ck_assert_uint_eq(f.dev.queues[0].num, QSZ);
	ck_assert_uint_eq(f.dev.queues[0].addr[0], HIGH);
	driver_ok();
	ck_assert_int_eq(f.activates, 1);
	ck_assert(f.q0_at_activate);
	ck_assert(!f.q1_at_activate);
	ck_assert(f.event_idx_at_activate);
	/* No VIRTIO_F_RING_RESET: QueueReady is fixed after DRIVER_OK. */
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert(!vdrv_needs_reset(&f.dev));
}
END_TEST

static const struct ring_case {
	const char *name;
	uint32_t queue, num;
	uint64_t desc, avail, used;
} bad_rings[] = {
	{ "descriptor table past RAM", 0, QSZ, BASE + SIZE, AVAIL, USED },
	{ "available ring misaligned", 0, QSZ, DESC, AVAIL + 1, USED },
	{ "used ring wraps 2^64", 0, QSZ, DESC, AVAIL, UINT64_MAX - 3 },
	{ "used ring in the MMIO hole", 0, QSZ, DESC, AVAIL, 0x9000000 },
	{ "size 0", 0, 0, DESC, AVAIL, USED },
	{ "size not a power of two", 0, 12, DESC, AVAIL, USED },
	{ "size above QueueNumMax", 1, QSZ, DESC, AVAIL, USED },
	{ "size above 16 bits", 0, 0x10010, DESC, AVAIL, USED },
};

START_TEST(test_queue_bad_rings)
{
	const struct ring_case *c = &bad_rings[_i];

	vdrv_negotiate(&f.dev, OFFERED);
	vdrv_queue_setup(&f.dev, c->queue, c->num, c->desc, c->avail, c->used);
	ck_assert_msg(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_READY) == 0, "%s",
		      c->name);
	ck_assert_msg(vdrv_needs_reset(&f.dev), "%s", c->name);
	ck_assert_ptr_null(virtio_mmio_queue(&f.dev, c->queue));
	/* DRIVER_OK cannot start a device that needs a reset. */
	driver_ok();
	ck_assert_int_eq(f.activates, 0);
	/* A reset mends it. */
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert(!vdrv_needs_reset(&f.dev));
	bring_up();
}
END_TEST

START_TEST(test_queue_before_features_ok)
{
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vdrv_queue_setup(&f.dev, 0, QSZ, DESC, AVAIL, USED);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(vdrv_needs_reset(&f.dev));
}
END_TEST

START_TEST(test_reset_midway)
{
	bring_up();
	virtio_mmio_signal_used(&f.dev);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_int_eq(f.resets, 1);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_ptr_null(virtio_mmio_queue(&f.dev, 0));
	ck_assert_uint_eq(f.dev.queues[0].num, 0);
	ck_assert_uint_eq(f.dev.queues[0].addr[2], 0);
	ck_assert_uint_eq(f.dev.driver_features, 0);
	/* Kicks reach no one until the driver starts over. */
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(f.notifies, 0);
	bring_up();
	ck_assert_int_eq(f.activates, 2);
	ck_assert_int_eq(f.resets, 1);
}
END_TEST

/* The driver side of the dataplane test: offers chains as room allows. */
static void offer_one(struct vdrv_vq *vq)
{
	uint16_t slot = vq->avail_idx % QSZ;

	vdrv_desc(&mem, DESC, slot, BUF(slot), 64, VRING_DESC_F_WRITE, 0);
	vdrv_vq_offer(vq, slot);
}

START_TEST(test_reset_with_io_in_flight)
{
	struct vdrv_vq vq;
	uint16_t used_idx;

	vdrv_vq_init(&vq, &mem, QSZ, DESC, AVAIL, USED);
	f.with_thread = true;
	bring_up();
	while (atomic_load(&f.served) < 200) {
		used_idx = vdrv_vq_used_idx(&vq);
		if ((uint16_t)(vq.avail_idx - used_idx) < QSZ)
			offer_one(&vq);
		else
			sched_yield();
	}
	/* Status 0 while chains are still queued and the thread runs. */
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert(!atomic_load(&f.running));
	ck_assert_int_eq(f.resets, 1);
	ck_assert(!vdrv_needs_reset(&f.dev));
	used_idx = vdrv_vq_used_idx(&vq);
	ck_assert_uint_ge(used_idx, 200);
	ck_assert_uint_le((uint16_t)(vq.avail_idx - used_idx), QSZ);
	ck_assert_ptr_null(virtio_mmio_queue(&f.dev, 0));
}
END_TEST

/* Runs @fn with stderr going to a file; returns how many lines it got. */
static int count_stderr_lines(void (*fn)(void), char *last, size_t cap)
{
	char *path = unit_temp_file("");
	int saved = dup(STDERR_FILENO), fd = open(path, O_WRONLY | O_TRUNC);
	char *text, *line;
	int lines = 0;

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	close(fd);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	text = unit_slurp(path, NULL);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		snprintf(last, cap, "%s", line);
		lines++;
	}
	free(text);
	unlink(path);
	free(path);
	return lines;
}

static void twenty_bad_accesses(void)
{
	uint8_t b = 1;

	for (int i = 0; i < 20; i++)
		virtio_mmio_write(&f.dev, VIRTIO_MMIO_STATUS, &b, 1);
}

START_TEST(test_access_width)
{
	uint64_t v8 = 0;
	uint16_t v2 = 0xffff;
	uint8_t v1 = 0xff;

	/* Registers: only aligned 32-bit; refused reads give 0. */
	virtio_mmio_read(&f.dev, VIRTIO_MMIO_MAGIC_VALUE, &v2, 2);
	ck_assert_uint_eq(v2, 0);
	virtio_mmio_read(&f.dev, VIRTIO_MMIO_MAGIC_VALUE, &v1, 1);
	ck_assert_uint_eq(v1, 0);
	virtio_mmio_read(&f.dev, VIRTIO_MMIO_MAGIC_VALUE, &v8, 8);
	ck_assert_uint_eq(v8, 0);
	/* Unaligned. */
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_MAGIC_VALUE + 2), 0);
	v2 = htole16(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_mmio_write(&f.dev, VIRTIO_MMIO_STATUS, &v2, 2);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS), 0);
}
END_TEST

START_TEST(test_reports_rate_limited)
{
	char last[512] = "";

	ck_assert_int_eq(
		count_stderr_lines(twenty_bad_accesses, last, sizeof(last)),
		VIRTIO_MMIO_MAX_REPORTS);
	ck_assert_ptr_nonnull(strstr(last, "virtio-fake at 0x0: 1-byte write"));
	ck_assert_ptr_nonnull(strstr(last, "not reporting more"));
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS), 0);
}
END_TEST

START_TEST(test_config_space)
{
	uint32_t v4 = 0;
	uint16_t v2 = 0;
	uint8_t v1 = 0;
	uint64_t v8 = 1;

	virtio_mmio_read(&f.dev, VIRTIO_MMIO_CONFIG + 1, &v1, 1);
	ck_assert_uint_eq(v1, 0x22);
	virtio_mmio_read(&f.dev, VIRTIO_MMIO_CONFIG + 2, &v2, 2);
	ck_assert_uint_eq(le16toh(v2), 0x4433);
	virtio_mmio_read(&f.dev, VIRTIO_MMIO_CONFIG + 4, &v4, 4);
	ck_assert_uint_eq(le32toh(v4), 0x88776655);
	v1 = 0x99;
	virtio_mmio_write(&f.dev, VIRTIO_MMIO_CONFIG + 7, &v1, 1);
	ck_assert_uint_eq(f.config[7], 0x99);
	/* 8 bytes, or past the end of config space: refused. */
	virtio_mmio_read(&f.dev, VIRTIO_MMIO_CONFIG, &v8, 8);
	ck_assert_uint_eq(v8, 0);
	v4 = 1;
	virtio_mmio_read(&f.dev, VIRTIO_MMIO_CONFIG + 6, &v4, 4);
	ck_assert_uint_eq(v4, 0);
	virtio_mmio_read(&f.dev, VIRTIO_MMIO_CONFIG + 8, &v1, 1);
	ck_assert_uint_eq(v1, 0);
	v4 = 0;
	virtio_mmio_write(&f.dev, VIRTIO_MMIO_CONFIG + 6, &v4, 4);
	ck_assert_uint_eq(f.config[6], 0x77);
}
END_TEST

START_TEST(test_interrupts)
{
	virtio_mmio_signal_used(&f.dev);
	ck_assert_int_eq(f.signals, 1);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	vdrv_wr(&f.dev, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* Config changes: the generation moves; no interrupt before DRIVER_OK. */
	virtio_mmio_config_changed(&f.dev);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	ck_assert_int_eq(f.signals, 1);
	bring_up();
	virtio_mmio_config_changed(&f.dev);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_CONFIG_GENERATION), 2);
	ck_assert_int_eq(f.signals, 2);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
}
END_TEST

/*
 * A backend that writes the irqfd itself (vhost, vhost-user): the VRING
 * bit reads as set though the transport never raised it, and stays set
 * through an ACK; the config-change bit still works as usual.
 */
START_TEST(test_used_irq_external)
{
	const struct virtio_mmio_irq irq = { fake_signal, &f };
	struct virtio_mmio_config cfg = fake_cfg;

	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	virtio_mmio_destroy(&f.dev);
	cfg.used_irq_external = true;
	ck_assert_int_eq(
		virtio_mmio_init(&f.dev, &cfg, &fake_ops, &f, &mem, &irq), 0);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	vdrv_wr(&f.dev, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	bring_up();
	virtio_mmio_config_changed(&f.dev);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	vdrv_wr(&f.dev, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	/* A reset keeps it: it is what the device is. */
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
}
END_TEST

START_TEST(test_queue_notify)
{
	vdrv_negotiate(&f.dev, OFFERED);
	vdrv_queue_setup(&f.dev, 0, QSZ, DESC, AVAIL, USED);
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* before DRIVER_OK */
	ck_assert_int_eq(f.notifies, 0);
	driver_ok();
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(f.notifies, 1);
	ck_assert_int_eq(f.last_notify, 0);
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 1); /* not ready */
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 5); /* no such queue */
	ck_assert_int_eq(f.notifies, 1);
}
END_TEST

START_TEST(test_queue_error_from_dataplane)
{
	bring_up();
	virtio_mmio_queue_error(&f.dev, 0, -ELOOP, "a loop");
	ck_assert(vdrv_needs_reset(&f.dev));
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(f.signals, 1);
	virtio_mmio_queue_error(&f.dev, 0, -ELOOP, "a loop");
	ck_assert_int_eq(f.signals, 1); /* said once */
}
END_TEST

START_TEST(test_activate_failure)
{
	f.activate_ret = -EIO;
	vdrv_negotiate(&f.dev, OFFERED);
	vdrv_queue_setup(&f.dev, 0, QSZ, DESC, AVAIL, USED);
	driver_ok();
	ck_assert(vdrv_needs_reset(&f.dev));
	ck_assert_int_eq(f.signals,
			 1); /* DRIVER_OK was set: config interrupt */
	vdrv_wr(&f.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(f.notifies, 0);
}
END_TEST

START_TEST(test_status_bits_only_added)
{
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS),
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	/* DEVICE_NEEDS_RESET is the device's to set. */
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS,
		vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS) |
			VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert(!vdrv_needs_reset(&f.dev));
}
END_TEST

/*
 * DRIVER_OK only queues the activation: the write returns while
 * activate() has not finished, which runs on the worker's thread, and
 * the next access (here a Status read) waits for it.
 */
START_TEST(test_activation_on_the_worker)
{
	atomic_store(&f.hold_activate, true);
	vdrv_negotiate(&f.dev, OFFERED);
	vdrv_queue_setup(&f.dev, 0, QSZ, DESC, AVAIL, USED);
	vdrv_driver_ok(&f.dev); /* returns although activate() is held */
	while (!atomic_load(&f.in_activate))
		sched_yield();
	ck_assert_int_eq(f.activates, 0);
	ck_assert(!pthread_equal(f.activate_thread, pthread_self()));
	atomic_store(&f.hold_activate, false);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS),
			  VDRV_STATUS_LIVE);
	ck_assert_int_eq(f.activates, 1);
}
END_TEST

/* A reset write returns once reset() has, which ran on the worker. */
START_TEST(test_reset_on_the_worker)
{
	f.with_thread = true;
	bring_up();
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_int_eq(f.resets, 1);
	ck_assert(!atomic_load(&f.running));
	ck_assert(!pthread_equal(f.reset_thread, pthread_self()));
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_STATUS), 0);
}
END_TEST

/* A failed activation reads as DEVICE_NEEDS_RESET at the first look. */
START_TEST(test_failed_activation_seen_at_once)
{
	f.activate_ret = -ENOMEM;
	vdrv_negotiate(&f.dev, OFFERED);
	vdrv_queue_setup(&f.dev, 0, QSZ, DESC, AVAIL, USED);
	ck_assert_uint_eq(driver_ok(),
			  VDRV_STATUS_LIVE | VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_uint_eq(vdrv_rd(&f.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
}
END_TEST

/* Once the worker has stopped (teardown), the writer does the work. */
START_TEST(test_no_worker_running)
{
	virtio_mmio_worker_stop(worker);
	f.with_thread = true;
	bring_up();
	ck_assert(pthread_equal(f.activate_thread, pthread_self()));
	vdrv_wr(&f.dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert(pthread_equal(f.reset_thread, pthread_self()));
	ck_assert(!atomic_load(&f.running));
}
END_TEST

START_TEST(test_on_a_bus)
{
	struct bus bus;
	uint32_t v = 0;
	uint8_t b = 0;

	bus_init(&bus, "mmio");
	ck_assert_int_eq(virtio_mmio_register(&f.dev, &bus, 0xa000000), 0);
	ck_assert(bus_access(&bus, 0xa000000, &v, 4, false));
	ck_assert_uint_eq(le32toh(v), 0x74726976);
	ck_assert(
		bus_access(&bus, 0xa000000 + VIRTIO_MMIO_CONFIG, &b, 1, false));
	ck_assert_uint_eq(b, 0x11);
	ck_assert(
		!bus_access(&bus, 0xa000000 + VIRTIO_MMIO_SIZE, &v, 4, false));
	bus_destroy(&bus);
}
END_TEST

START_TEST(test_init_rejects)
{
	struct virtio_mmio_dev dev;
	struct virtio_mmio_config cfg = fake_cfg;
	const struct virtio_mmio_irq irq = { fake_signal, &f };

	cfg.nr_queues = VIRTIO_MMIO_MAX_QUEUES + 1;
	ck_assert_int_eq(
		virtio_mmio_init(&dev, &cfg, &fake_ops, &f, &mem, &irq),
		-EINVAL);
	cfg = fake_cfg;
	cfg.config_size = VIRTIO_MMIO_CONFIG_MAX + 1;
	ck_assert_int_eq(
		virtio_mmio_init(&dev, &cfg, &fake_ops, &f, &mem, &irq),
		-EINVAL);
	cfg = fake_cfg;
	cfg.queue_max[1] = 12;
	ck_assert_int_eq(
		virtio_mmio_init(&dev, &cfg, &fake_ops, &f, &mem, &irq),
		-EINVAL);
	cfg.queue_max[1] = 2 * VIRTQ_MAX_SIZE;
	ck_assert_int_eq(
		virtio_mmio_init(&dev, &cfg, &fake_ops, &f, &mem, &irq),
		-EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_identity);
	tcase_add_loop_test(tc, test_feature_negotiation, 0,
			    sizeof(feature_cases) / sizeof(feature_cases[0]));
	tcase_add_test(tc, test_features_frozen_after_features_ok);
	tcase_add_test(tc, test_feature_bits_above_63_refused);
	tcase_add_test(tc, test_queue_setup);
	tcase_add_loop_test(tc, test_queue_bad_rings, 0,
			    sizeof(bad_rings) / sizeof(bad_rings[0]));
	tcase_add_test(tc, test_queue_before_features_ok);
	tcase_add_test(tc, test_reset_midway);
	tcase_add_test(tc, test_reset_with_io_in_flight);
	tcase_add_test(tc, test_access_width);
	tcase_add_test(tc, test_reports_rate_limited);
	tcase_add_test(tc, test_config_space);
	tcase_add_test(tc, test_interrupts);
	tcase_add_test(tc, test_used_irq_external);
	tcase_add_test(tc, test_queue_notify);
	tcase_add_test(tc, test_queue_error_from_dataplane);
	tcase_add_test(tc, test_activate_failure);
	tcase_add_test(tc, test_status_bits_only_added);
	tcase_add_test(tc, test_activation_on_the_worker);
	tcase_add_test(tc, test_reset_on_the_worker);
	tcase_add_test(tc, test_failed_activation_seen_at_once);
	tcase_add_test(tc, test_no_worker_running);
	tcase_add_test(tc, test_on_a_bus);
	tcase_add_test(tc, test_init_rejects);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
