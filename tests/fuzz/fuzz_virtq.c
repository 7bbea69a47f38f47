// SPDX-License-Identifier: MIT
/*
 * The split virtqueue's chain walker (virtio/queue.c) against rings the
 * input lays out in a fake guest RAM of two regions, each its own heap
 * block so that ASan sees any access outside them.
 *
 * Input: queue size (log2, or a raw value), ring features, the three
 * ring offsets, the chain capacity, the number of rounds; the rest fills
 * guest RAM, region 0 then region 1.
 */
#include <errno.h>
#include <linux/virtio_ring.h>

#include "tests/fuzz/fuzz.h"
#include "virtio/queue.h"

#define RAM0_GPA 0x10000ULL
#define RAM0_SIZE 0x4000ULL
#define RAM1_GPA 0x20000ULL
#define RAM1_SIZE 0x1000ULL
#define MAX_SEG 64
#define MAX_ROUNDS 32

struct ram {
	struct guest_mem mem;
};

static void ram_init(struct ram *r, struct fuzz_in *in)
{
	static const uint64_t gpa[2] = { RAM0_GPA, RAM1_GPA };
	static const uint64_t size[2] = { RAM0_SIZE, RAM1_SIZE };
	size_t len;

	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < 2; i++) {
		uint8_t *host = calloc(1, size[i]);
		const uint8_t *src = fuzz_take(in, size[i], &len);

		FUZZ_ASSERT(host);
		memcpy(host, src, len);
		r->mem.regions[i] = (struct guest_mem_region){
			.gpa = gpa[i],
			.size = size[i],
			.host = host,
			.fd = -1,
		};
	}
	r->mem.nr = 2;
}

static void ram_free(struct ram *r)
{
	for (unsigned int i = 0; i < r->mem.nr; i++)
		free(r->mem.regions[i].host);
}

/* Whether [p, p + len) lies inside one region of guest RAM. */
static int in_ram(const struct ram *r, const void *p, uint32_t len)
{
	for (unsigned int i = 0; i < r->mem.nr; i++) {
		const uint8_t *lo = r->mem.regions[i].host;

		if ((const uint8_t *)p >= lo &&
		    (const uint8_t *)p + len <= lo + r->mem.regions[i].size)
			return 1;
	}
	return 0;
}

/* What virtq_pop() promises about a chain it returns; then uses it. */
static uint32_t chain_check(const struct ram *r, const struct virtq *vq,
			    const struct virtq_chain *c, int head)
{
	uint64_t rd = 0, wr = 0;
	unsigned int n = c->nr_readable + c->nr_writable;

	FUZZ_ASSERT(head >= 0 && head < vq->size && c->head == head);
	FUZZ_ASSERT(n <= c->max_seg);
	for (unsigned int i = 0; i < n; i++) {
		const struct virtq_seg *s = &c->seg[i];
		volatile uint8_t *p = s->addr;

		FUZZ_ASSERT(s->writable == (i >= c->nr_readable));
		FUZZ_ASSERT(in_ram(r, s->addr, s->len));
		if (s->len) {
			(void)p[0];
			(void)p[s->len - 1];
		}
		if (s->writable && s->len)
			p[s->len - 1] = 0x5a;
		*(s->writable ? &wr : &rd) += s->len;
	}
	FUZZ_ASSERT(rd == c->readable_len && wr == c->writable_len);
	FUZZ_ASSERT(rd + wr <= UINT32_MAX);
	return (uint32_t)wr;
}

static uint16_t queue_size(uint8_t v, struct fuzz_in *in)
{
	/* Mostly powers of two up to twice the largest allowed. */
	return v & 0x80 ? fuzz_u16(in) : (uint16_t)(1u << (v % 12));
}

static void rounds(struct ram *r, struct virtq *vq, struct virtq_chain *c,
		   unsigned int n)
{
	int head, err;

	for (unsigned int i = 0; i < n; i++) {
		head = virtq_pop(vq, c);
		if (head >= 0) {
			uint32_t written = chain_check(r, vq, c, head);

			FUZZ_ASSERT(virtq_push(vq, (uint16_t)head, written) ==
				    0);
			(void)virtq_needs_notify(vq);
			continue;
		}
		if (head == -EAGAIN) {
			if (!virtq_enable_notify(vq))
				virtq_disable_notify(vq);
			continue;
		}
		/* Broken: the same error from now on, and no more walks. */
		FUZZ_ASSERT(c->why != NULL);
		err = head;
		FUZZ_ASSERT(virtq_pop(vq, c) == err);
		FUZZ_ASSERT(!virtq_has_avail(vq) && !virtq_enable_notify(vq));
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct virtq_seg seg[MAX_SEG];
	struct virtq_chain c = { .seg = seg };
	struct virtq vq = { 0 };
	struct virtq_layout l;
	uint64_t features = 0;
	const char *why = NULL;
	unsigned int nr_rounds;
	struct ram r;
	uint8_t f;

	l.size = queue_size(fuzz_u8(&in), &in);
	f = fuzz_u8(&in);
	if (f & 1)
		features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (f & 2)
		features |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	l.desc = RAM0_GPA + fuzz_u16(&in);
	l.avail = RAM0_GPA + fuzz_u16(&in);
	l.used = RAM0_GPA + fuzz_u16(&in);
	c.max_seg = fuzz_u8(&in) % (MAX_SEG + 1);
	nr_rounds = fuzz_u8(&in) % (MAX_ROUNDS + 1);
	ram_init(&r, &in);

	if (virtq_enable(&vq, &r.mem, &l, features, &why) == 0) {
		FUZZ_ASSERT(vq.ready && vq.size == l.size);
		rounds(&r, &vq, &c, nr_rounds);
	} else {
		FUZZ_ASSERT(why != NULL && !vq.ready);
		FUZZ_ASSERT(virtq_pop(&vq, &c) == -EAGAIN);
	}
	virtq_disable(&vq);
	ram_free(&r);
	return 0;
}
