// SPDX-License-Identifier: MIT
/*
 * The split virtqueue against rings built in a real guest_mem, the test
 * playing the guest driver. Hostile chains come as a table.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <linux/virtio_ring.h>
#include <string.h>

#include "tests/unit/unit.h"
#include "virtio/queue.h"
#include "tests/unit/virtio_driver.h"

#define BASE 0x40000000ULL
#define SIZE 0x100000ULL
#define QSZ 16
#define DESC BASE
#define AVAIL (BASE + 0x1000)
#define USED (BASE + 0x2000)
#define TABLE (BASE + 0x3000) /* indirect tables */
#define BUF(n) (BASE + 0x10000 + (n)*0x100)
#define N VRING_DESC_F_NEXT
#define W VRING_DESC_F_WRITE
#define I VRING_DESC_F_INDIRECT
#define RING_FEATURES                        \
	((1ULL << VIRTIO_RING_F_EVENT_IDX) | \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

static struct guest_mem mem;
static struct virtq vq;
static struct virtq_seg segs[32];
static struct virtq_chain chain;
static struct vdrv_vq drv; /* the driver's side of vq */

struct d {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void *gptr(uint64_t gpa)
{
	return vdrv_ptr(&mem, gpa, 1);
}

/* The rings, looked up once per test: the wrap test uses them 10^5 times. */
static struct vring_avail *avail(void)
{
	return drv.avail_ring;
}

static struct vring_used *used(void)
{
	return drv.used_ring;
}

static void enable(uint64_t features)
{
	struct virtq_layout l = { QSZ, DESC, AVAIL, USED };
	const char *why = NULL;

	ck_assert_int_eq(virtq_enable(&vq, &mem, &l, features, &why), 0);
	ck_assert(vq.ready);
}

static void setup(void)
{
	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(guest_mem_add(&mem, BASE, SIZE), 0);
	vdrv_vq_init(&drv, &mem, QSZ, DESC, AVAIL, USED);
	memset(&vq, 0, sizeof(vq));
	chain = (struct virtq_chain){ .seg = segs, .max_seg = 8 };
	enable(RING_FEATURES);
}

static void teardown(void)
{
	guest_mem_destroy(&mem);
}

/* The driver's side: descriptor @i of the table at @table. */
static void put_desc(uint64_t table, uint16_t i, struct d d)
{
	vdrv_desc(&mem, table, i, d.addr, d.len, d.flags, d.next);
}

static void assert_seg(unsigned int i, uint64_t gpa, uint32_t len, bool w)
{
	ck_assert_ptr_eq(segs[i].addr, gptr(gpa));
	ck_assert_uint_eq(segs[i].len, len);
	ck_assert_int_eq(segs[i].writable, w);
}

static void assert_counts(unsigned int readable, unsigned int writable,
			  uint32_t readable_len, uint32_t writable_len)
{
	ck_assert_uint_eq(chain.nr_readable, readable);
	ck_assert_uint_eq(chain.nr_writable, writable);
	ck_assert_uint_eq(chain.readable_len, readable_len);
	ck_assert_uint_eq(chain.writable_len, writable_len);
}

START_TEST(test_direct_chain)
{
	/* Head 5 -> 9 -> 2: any order of indices is a chain. */
	put_desc(DESC, 5, (struct d){ BUF(0), 10, N, 9 });
	put_desc(DESC, 9, (struct d){ BUF(1), 20, N, 2 });
	put_desc(DESC, 2, (struct d){ BUF(2), 30, W, 0 });
	vdrv_vq_offer(&drv, 5);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 5);
	ck_assert_uint_eq(chain.head, 5);
	assert_counts(2, 1, 30, 30);
	assert_seg(0, BUF(0), 10, false);
	assert_seg(1, BUF(1), 20, false);
	assert_seg(2, BUF(2), 30, true);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);

	ck_assert_int_eq(virtq_push(&vq, 5, 7), 0);
	ck_assert_uint_eq(le16toh(used()->idx), 1);
	ck_assert_uint_eq(le32toh(used()->ring[0].id), 5);
	ck_assert_uint_eq(le32toh(used()->ring[0].len), 7);
}
END_TEST

START_TEST(test_indirect_chain)
{
	/* The WRITE flag on the table's own descriptor must be ignored. */
	put_desc(DESC, 3, (struct d){ TABLE, 48, I | W, 0 });
	put_desc(TABLE, 0, (struct d){ BUF(0), 8, N, 2 });
	put_desc(TABLE, 2, (struct d){ BUF(1), 8, N, 1 });
	put_desc(TABLE, 1, (struct d){ BUF(2), 100, W, 0 });
	vdrv_vq_offer(&drv, 3);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 3);
	assert_counts(2, 1, 16, 100);
	assert_seg(0, BUF(0), 8, false);
	assert_seg(1, BUF(1), 8, false);
	assert_seg(2, BUF(2), 100, true);
}
END_TEST

START_TEST(test_indirect_table_unaligned)
{
	/* The spec asks no alignment of an indirect table. */
	put_desc(DESC, 0, (struct d){ TABLE + 5, 32, I, 0 });
	put_desc(TABLE + 5, 0, (struct d){ BUF(0), 3, N, 1 });
	put_desc(TABLE + 5, 1, (struct d){ BUF(1), 9, W, 0 });
	vdrv_vq_offer(&drv, 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	assert_counts(1, 1, 3, 9);
	assert_seg(1, BUF(1), 9, true);
}
END_TEST

START_TEST(test_direct_then_indirect)
{
	/* Spec 2.7.5.3.2: direct descriptors, then one indirect at the end. */
	put_desc(DESC, 0, (struct d){ BUF(0), 12, N, 1 });
	put_desc(DESC, 1, (struct d){ TABLE, 32, I, 0 });
	put_desc(TABLE, 0, (struct d){ BUF(1), 4, N, 1 });
	put_desc(TABLE, 1, (struct d){ BUF(2), 64, W, 0 });
	vdrv_vq_offer(&drv, 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	assert_counts(2, 1, 16, 64);
	assert_seg(0, BUF(0), 12, false);
	assert_seg(1, BUF(1), 4, false);
	assert_seg(2, BUF(2), 64, true);
}
END_TEST

START_TEST(test_empty_and_order)
{
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);
	ck_assert(!virtq_has_avail(&vq));
	for (uint16_t i = 0; i < 3; i++) {
		put_desc(DESC, i, (struct d){ BUF(i), 1, 0, 0 });
		vdrv_vq_offer(&drv, i);
	}
	ck_assert(virtq_has_avail(&vq));
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(virtq_pop(&vq, &chain), i);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);
	ck_assert(!virtq_has_avail(&vq));
}
END_TEST

/* A chain that breaks a rule: head 0 unless said, descriptors from 0. */
static const struct bad_chain {
	const char *name;
	struct d desc[3];
	struct d table[3]; /* the indirect table at TABLE */
	uint16_t head;
	unsigned int max_seg; /* 0: 32 */
	uint64_t features;    /* 0: RING_FEATURES */
	int err;
} bad_chains[] = {
	{ "self loop", { { BUF(0), 16, N, 0 } }, .err = -ELOOP },
	{ "two-descriptor loop",
	  { { BUF(0), 16, N, 1 }, { BUF(1), 16, N, 0 } },
	  .err = -ELOOP },
	{ "address past RAM", { { BASE + SIZE, 16, 0, 0 } }, .err = -EFAULT },
	{ "address below RAM", { { BASE - 8, 16, 0, 0 } }, .err = -EFAULT },
	{ "buffer straddles RAM end",
	  { { BASE + SIZE - 8, 16, 0, 0 } },
	  .err = -EFAULT },
	{ "address + len wraps 2^64",
	  { { UINT64_MAX - 7, 16, 0, 0 } },
	  .err = -EFAULT },
	{ "huge len", { { BUF(0), UINT32_MAX, 0, 0 } }, .err = -EFAULT },
	{ "head index >= size", .head = QSZ, .err = -EINVAL },
	{ "head index 0xffff", .head = 0xffff, .err = -EINVAL },
	{ "next index >= size", { { BUF(0), 16, N, QSZ } }, .err = -EINVAL },
	{ "readable after writable",
	  { { BUF(0), 16, W | N, 1 }, { BUF(1), 16, 0, 0 } },
	  .err = -EINVAL },
	{ "too many segments",
	  { { BUF(0), 1, N, 1 }, { BUF(1), 1, N, 2 }, { BUF(2), 1, 0, 0 } },
	  .max_seg = 2,
	  .err = -E2BIG },
	{ "indirect not negotiated",
	  { { TABLE, 16, I, 0 } },
	  { { BUF(0), 16, 0, 0 } },
	  .features = 1ULL << VIRTIO_RING_F_EVENT_IDX,
	  .err = -EINVAL },
	{ "indirect with NEXT",
	  { { TABLE, 16, I | N, 1 }, { BUF(1), 1, 0, 0 } },
	  { { BUF(0), 16, 0, 0 } },
	  .err = -EINVAL },
	{ "indirect len 0", { { TABLE, 0, I, 0 } }, .err = -EINVAL },
	{ "indirect len not a multiple of 16",
	  { { TABLE, 20, I, 0 } },
	  .err = -EINVAL },
	{ "indirect table too large",
	  { { TABLE, 16 * (VIRTQ_MAX_INDIRECT + 1), I, 0 } },
	  .err = -E2BIG },
	{ "indirect table past RAM",
	  { { BASE + SIZE - 16, 32, I, 0 } },
	  .err = -EFAULT },
	{ "indirect table wraps 2^64",
	  { { UINT64_MAX - 15, 32, I, 0 } },
	  .err = -EFAULT },
	{ "nested indirect",
	  { { TABLE, 32, I, 0 } },
	  { { TABLE + 0x100, 16, I, 0 } },
	  .err = -EINVAL },
	{ "loop inside an indirect table",
	  { { TABLE, 48, I, 0 } },
	  { { BUF(0), 4, N, 1 }, { BUF(1), 4, N, 0 } },
	  .err = -ELOOP },
	{ "indirect next beyond its table",
	  { { TABLE, 48, I, 0 } },
	  { { BUF(0), 4, N, 3 } },
	  .err = -EINVAL },
	{ "indirect buffer past RAM",
	  { { TABLE, 16, I, 0 } },
	  { { BASE + SIZE, 4, 0, 0 } },
	  .err = -EFAULT },
	{ "readable after writable across indirect",
	  { { BUF(0), 16, W | N, 1 }, { TABLE, 16, I, 0 } },
	  { { BUF(1), 16, 0, 0 } },
	  .err = -EINVAL },
};

START_TEST(test_bad_chain)
{
	const struct bad_chain *c = &bad_chains[_i];
	int ret;

	enable(c->features ? c->features : RING_FEATURES);
	chain.max_seg = c->max_seg ? c->max_seg : 32;
	for (uint16_t i = 0; i < 3; i++) {
		put_desc(DESC, i, c->desc[i]);
		put_desc(TABLE, i, c->table[i]);
	}
	vdrv_vq_offer(&drv, c->head);
	ret = virtq_pop(&vq, &chain);
	ck_assert_msg(ret == c->err, "%s: got %d, want %d", c->name, ret,
		      c->err);
	ck_assert_msg(chain.why && *chain.why, "%s: no reason", c->name);
	/* Broken for good: the same answer, nothing used, no more work. */
	ck_assert_int_eq(virtq_pop(&vq, &chain), c->err);
	ck_assert(!virtq_has_avail(&vq));
	ck_assert(!virtq_enable_notify(&vq));
	ck_assert_uint_eq(used()->idx, 0);
}
END_TEST

START_TEST(test_avail_idx_jump)
{
	put_desc(DESC, 0, (struct d){ BUF(0), 1, 0, 0 });
	avail()->idx = htole16(QSZ + 1);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -ERANGE);
	ck_assert_ptr_nonnull(chain.why);
	/* Putting idx back does not mend it; only re-enabling does. */
	avail()->idx = htole16(1);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -ERANGE);
	enable(RING_FEATURES);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
}
END_TEST

START_TEST(test_avail_idx_full_ring)
{
	/* Exactly size chains outstanding is legal. */
	for (uint16_t i = 0; i < QSZ; i++) {
		put_desc(DESC, i, (struct d){ BUF(i), 1, 0, 0 });
		vdrv_vq_offer(&drv, i);
	}
	for (int i = 0; i < QSZ; i++)
		ck_assert_int_eq(virtq_pop(&vq, &chain), i);
}
END_TEST

START_TEST(test_chain_of_4gib)
{
	/* Needs buffers that add up to 4 GiB: RAM of that size, untouched. */
	const uint64_t big = 0x100000000ULL, half = 0x80000000ULL;

	if (guest_mem_add(&mem, big, 2 * half)) {
		fprintf(stderr,
			"no 4 GiB mapping on this host; case skipped\n");
		return;
	}
	put_desc(DESC, 0, (struct d){ big, (uint32_t)half, N, 1 });
	put_desc(DESC, 1, (struct d){ big + half, (uint32_t)half, 0, 0 });
	vdrv_vq_offer(&drv, 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EOVERFLOW);
}
END_TEST

static const struct enable_case {
	uint16_t size;
	uint64_t desc, avail, used;
	int err;
} enable_cases[] = {
	{ QSZ, DESC, AVAIL, USED, 0 },
	{ VIRTQ_MAX_SIZE, BASE, BASE + 0x4000, BASE + 0x5000, 0 },
	{ 1, DESC, AVAIL, USED, 0 },
	{ 0, DESC, AVAIL, USED, -EINVAL },
	{ 3, DESC, AVAIL, USED, -EINVAL },
	{ 2 * VIRTQ_MAX_SIZE, DESC, AVAIL, USED, -EINVAL },
	{ QSZ, DESC + 8, AVAIL, USED, -EINVAL },
	{ QSZ, DESC, AVAIL + 1, USED, -EINVAL },
	{ QSZ, DESC, AVAIL, USED + 2, -EINVAL },
	{ QSZ, BASE + SIZE - 0x80, AVAIL, USED, -EFAULT }, /* straddles */
	{ QSZ, DESC, BASE - 0x1000, USED, -EFAULT },
	{ QSZ, DESC, AVAIL, UINT64_MAX - 3, -EFAULT },	   /* wraps */
	{ QSZ, DESC, BASE + SIZE - 6 - 2 * QSZ, USED, 0 }, /* ends at RAM end */
	{ QSZ, DESC, BASE + SIZE - 4 - 2 * QSZ, USED, -EFAULT },
	{ QSZ, DESC, AVAIL, BASE + SIZE - 136, 0 },
	{ QSZ, DESC, AVAIL, BASE + SIZE - 132, -EFAULT },
};

START_TEST(test_enable_table)
{
	const struct enable_case *c = &enable_cases[_i];
	struct virtq_layout l = { c->size, c->desc, c->avail, c->used };
	const char *why = NULL;
	int ret = virtq_enable(&vq, &mem, &l, 0, &why);

	ck_assert_msg(ret == c->err, "case %d: got %d", _i, ret);
	ck_assert_int_eq(vq.ready, ret == 0);
	if (ret) {
		ck_assert_ptr_nonnull(why);
		ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);
	}
}
END_TEST

START_TEST(test_push_checks)
{
	ck_assert_int_eq(virtq_push(&vq, QSZ, 0), -EINVAL);
	ck_assert_uint_eq(used()->idx, 0);
	virtq_disable(&vq);
	ck_assert_int_eq(virtq_push(&vq, 0, 0), -EINVAL);
}
END_TEST

START_TEST(test_notify_flags)
{
	enable(0); /* no EVENT_IDX: avail->flags decides */
	ck_assert(!virtq_needs_notify(&vq)); /* nothing pushed */
	ck_assert_int_eq(virtq_push(&vq, 0, 0), 0);
	ck_assert(virtq_needs_notify(&vq));
	ck_assert(!virtq_needs_notify(&vq)); /* already told */
	avail()->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(virtq_push(&vq, 0, 0), 0);
	ck_assert(!virtq_needs_notify(&vq));
}
END_TEST

/*
 * EVENT_IDX: push @before, look, set used_event, push @after, look again
 * (vring_need_event: notify when used_event lies in [old, new)).
 */
static const struct event_case {
	uint16_t before, used_event, after;
	bool notify;
} event_cases[] = {
	{ 0, 0, 1, true }, /* spec example: used_event 0, first buffer */
	{ 0, 1, 1, false },
	{ 0, 1, 2, true },
	{ 1, 0, 1, false }, /* already passed */
	{ 3, 3, 1, true },
	{ 3, 5, 2, false },
	{ 3, 5, 3, true },
	{ 65534, 65535, 2, true }, /* across the 16-bit wrap */
	{ 65534, 0, 1, false },
};

/* Many pushes; a passing ck_assert per push would cost a pipe write. */
static void push_n(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (virtq_push(&vq, 0, 0))
			ck_abort_msg("push %u failed", i);
}

START_TEST(test_notify_event_idx)
{
	const struct event_case *c = &event_cases[_i];

	push_n(c->before);
	(void)virtq_needs_notify(&vq);
	avail()->ring[QSZ] = htole16(c->used_event);	      /* used_event */
	avail()->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT); /* ignored */
	push_n(c->after);
	ck_assert_msg(virtq_needs_notify(&vq) == c->notify, "case %d", _i);
}
END_TEST

START_TEST(test_kick_suppression_flags)
{
	enable(0);
	virtq_disable_notify(&vq);
	ck_assert_uint_eq(le16toh(used()->flags), VRING_USED_F_NO_NOTIFY);
	ck_assert(!virtq_enable_notify(&vq)); /* empty: safe to sleep */
	ck_assert_uint_eq(used()->flags, 0);
	/* A buffer that came while kicks were off must not be slept on. */
	virtq_disable_notify(&vq);
	put_desc(DESC, 0, (struct d){ BUF(0), 1, 0, 0 });
	vdrv_vq_offer(&drv, 0);
	ck_assert(virtq_enable_notify(&vq));
}
END_TEST

START_TEST(test_kick_suppression_event_idx)
{
	uint16_t *avail_event = (uint16_t *)&used()->ring[QSZ];

	for (uint16_t i = 0; i < 2; i++) {
		put_desc(DESC, i, (struct d){ BUF(i), 1, 0, 0 });
		vdrv_vq_offer(&drv, i);
	}
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	virtq_disable_notify(&vq);
	ck_assert_uint_eq(used()->flags, 0); /* flags stay 0 with EVENT_IDX */
	ck_assert(!virtq_enable_notify(&vq));
	ck_assert_uint_eq(le16toh(*avail_event), 2);
	vdrv_vq_offer(&drv, 0);
	ck_assert(virtq_enable_notify(&vq));
}
END_TEST

START_TEST(test_index_wrap)
{
	/* 70000 requests through a 16-entry ring: both indices wrap. */
	put_desc(DESC, 7, (struct d){ BUF(0), 4, W, 0 });
	for (unsigned int i = 0; i < 70000; i++) {
		vdrv_vq_offer(&drv, 7);
		if (virtq_pop(&vq, &chain) != 7 || virtq_push(&vq, 7, i))
			ck_abort_msg("request %u not served", i);
		avail()->ring[QSZ] = htole16((uint16_t)i); /* want each one */
		if (!virtq_needs_notify(&vq))
			ck_abort_msg("request %u: no interrupt", i);
		if (le16toh(used()->idx) != (uint16_t)(i + 1) ||
		    le32toh(used()->ring[i % QSZ].len) != i)
			ck_abort_msg("request %u: used ring wrong", i);
	}
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_queue");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_direct_chain);
	tcase_add_test(tc, test_indirect_chain);
	tcase_add_test(tc, test_indirect_table_unaligned);
	tcase_add_test(tc, test_direct_then_indirect);
	tcase_add_test(tc, test_empty_and_order);
	tcase_add_loop_test(tc, test_bad_chain, 0,
			    sizeof(bad_chains) / sizeof(bad_chains[0]));
	tcase_add_test(tc, test_avail_idx_jump);
	tcase_add_test(tc, test_avail_idx_full_ring);
	tcase_add_test(tc, test_chain_of_4gib);
	tcase_add_loop_test(tc, test_enable_table, 0,
			    sizeof(enable_cases) / sizeof(enable_cases[0]));
	tcase_add_test(tc, test_push_checks);
	tcase_add_test(tc, test_notify_flags);
	tcase_add_loop_test(tc, test_notify_event_idx, 0,
			    sizeof(event_cases) / sizeof(event_cases[0]));
	tcase_add_test(tc, test_kick_suppression_flags);
	tcase_add_test(tc, test_kick_suppression_event_idx);
	tcase_add_test(tc, test_index_wrap);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
