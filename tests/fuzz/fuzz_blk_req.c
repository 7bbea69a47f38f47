// SPDX-License-Identifier: MIT
/*
 * The virtio-blk request parser (virtio/blk_req.c) on chains as
 * virtq_pop() hands them over (readable segments first, at most
 * BLK_REQ_MAX_SEG), each segment its own heap block of its exact length
 * with the input's bytes, against a disk the input describes. What
 * blk_req.h promises is checked: every iovec inside the chain's
 * segments of the right direction, reads and writes inside the disk,
 * the status byte the last writable byte.
 *
 * Input: disk (capacity, flags, alignments), the number of segments,
 * each segment's length and direction, the I/O result; the rest fills
 * the segments in order.
 */
#include <errno.h>

#include "virtio/blk_req.h"
#include "tests/fuzz/fuzz.h"

struct chain {
	struct virtq_seg seg[BLK_REQ_MAX_SEG];
	struct virtq_chain c;
};

static void chain_read(struct chain *ch, struct fuzz_in *in)
{
	struct virtq_chain *c = &ch->c;
	unsigned int n = fuzz_u8(in) % (BLK_REQ_MAX_SEG + 1);
	uint32_t len[BLK_REQ_MAX_SEG];
	unsigned int nr_readable = 0;
	size_t got;

	*c = (struct virtq_chain){ .seg = ch->seg, .max_seg = BLK_REQ_MAX_SEG };
	/*
	 * Lengths first, up to 4 KiB (eight sectors: enough for every rule,
	 * and cheap); bit 15: device-writable (sorted after readable).
	 */
	for (unsigned int i = 0; i < n; i++) {
		uint16_t v = fuzz_u16(in);

		len[i] = v & 0x0fff;
		if (!(v & 0x8000))
			nr_readable++;
		else
			len[i] |= 0x80000000u; /* mark writable */
	}
	for (unsigned int i = 0, r = 0, w = nr_readable; i < n; i++) {
		bool writable = len[i] & 0x80000000u;
		uint32_t l = len[i] & 0x0fff;
		struct virtq_seg *s = &ch->seg[writable ? w++ : r++];
		const uint8_t *src = fuzz_take(in, l, &got);

		s->addr = calloc(1, l ? l : 1);
		FUZZ_ASSERT(s->addr);
		memcpy(s->addr, src, got);
		s->len = l;
		s->writable = writable;
		if (writable) {
			c->nr_writable++;
			c->writable_len += l;
		} else {
			c->nr_readable++;
			c->readable_len += l;
		}
	}
}

static void chain_free(struct chain *ch)
{
	for (unsigned int i = 0; i < ch->c.nr_readable + ch->c.nr_writable; i++)
		free(ch->seg[i].addr);
}

/* The segment of @c holding [p, p + len), or NULL. */
static const struct virtq_seg *seg_of(const struct virtq_chain *c,
				      const void *p, size_t len)
{
	for (unsigned int i = 0; i < c->nr_readable + c->nr_writable; i++) {
		const uint8_t *lo = c->seg[i].addr;

		if ((const uint8_t *)p >= lo &&
		    (const uint8_t *)p + len <= lo + c->seg[i].len)
			return &c->seg[i];
	}
	return NULL;
}

static void req_check(const struct blk_disk *d, const struct virtq_chain *c,
		      const struct blk_req *r)
{
	uint64_t sum = 0;
	const struct virtq_seg *s = seg_of(c, r->status_byte, 1);

	/* The status byte: the last byte of the last non-empty writable seg. */
	FUZZ_ASSERT(s && s->writable);
	FUZZ_ASSERT(r->nr_iov <= BLK_REQ_MAX_SEG);
	for (unsigned int i = 0; i < r->nr_iov; i++) {
		const struct virtq_seg *is =
			seg_of(c, r->iov[i].iov_base, r->iov[i].iov_len);

		FUZZ_ASSERT(is && r->iov[i].iov_len > 0);
		/* Data all one way: out of readable, or into writable. */
		if (r->op == BLK_OP_WRITE || r->op == BLK_OP_READ)
			FUZZ_ASSERT(is->writable == (r->op == BLK_OP_READ));
		FUZZ_ASSERT(is->writable ==
			    seg_of(c, r->iov[0].iov_base, 1)->writable);
		/* Neither the header nor the status byte is data. */
		FUZZ_ASSERT((const uint8_t *)r->iov[i].iov_base +
					    r->iov[i].iov_len <=
				    r->status_byte ||
			    (const uint8_t *)r->iov[i].iov_base >
				    r->status_byte);
		sum += r->iov[i].iov_len;
	}
	if (r->op == BLK_OP_READ || r->op == BLK_OP_WRITE) {
		FUZZ_ASSERT(sum == r->len && r->len > 0 && r->len % 512 == 0);
		FUZZ_ASSERT(r->offset % 512 == 0 &&
			    r->offset / 512 + r->len / 512 <= d->capacity);
		FUZZ_ASSERT(!(r->op == BLK_OP_WRITE && d->read_only));
		FUZZ_ASSERT(r->written ==
			    (r->op == BLK_OP_READ ? r->len + 1 : 1));
	}
	if (r->op == BLK_OP_DONE)
		FUZZ_ASSERT(r->written >= 1 && r->written <= c->writable_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct blk_disk disk = { 0 };
	struct chain ch;
	struct blk_req req;
	const char *why = NULL;
	uint8_t flags;
	int res;

	/* blk.c caps capacity below 2^55 sectors. */
	disk.capacity = fuzz_u64(&in) & ((1ULL << 55) - 1);
	flags = fuzz_u8(&in);
	disk.read_only = flags & 1;
	if (flags & 2) {
		disk.dio_mem_align = 1u << (fuzz_u8(&in) % 13);
		disk.dio_len_align = 1u << (fuzz_u8(&in) % 13);
	}
	memcpy(disk.id, "fuzz-disk-id-0123456", sizeof(disk.id));
	res = (int32_t)fuzz_u32(&in);
	chain_read(&ch, &in);
	if (blk_req_parse(&disk, &ch.c, &req, &why) == 0) {
		req_check(&disk, &ch.c, &req);
		FUZZ_ASSERT(blk_req_finish(&req, res) <= ch.c.writable_len);
	} else {
		FUZZ_ASSERT(why &&
			    (ch.c.readable_len < 16 || ch.c.writable_len == 0));
	}
	chain_free(&ch);
	return 0;
}
