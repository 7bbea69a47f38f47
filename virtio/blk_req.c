// SPDX-License-Identifier: MIT
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "virtio/blk_req.h"

#define SECTOR 512u
#define HDR_LEN ((uint32_t)sizeof(struct virtio_blk_outhdr))

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * Appends bytes [skip, skip + keep) of the segments @seg[0 .. @n) to
 * req->iov, leaving out empty pieces. At most one iovec per segment, and
 * the chain has at most BLK_REQ_MAX_SEG of them.
 */
static void iov_take(struct blk_req *req, const struct virtq_seg *seg,
		     unsigned int n, uint32_t skip, uint32_t keep)
{
	req->len += keep;
	for (unsigned int i = 0; i < n && keep; i++) {
		uint32_t len = seg[i].len;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		len = min_u32(len - skip, keep);
		req->iov[req->nr_iov++] = (struct iovec){
			.iov_base = (uint8_t *)seg[i].addr + skip,
			.iov_len = len,
		};
		keep -= len;
		skip = 0;
	}
}

/*
 * The header, gathered from however many readable segments hold it.
 * Copied once: the checks below must hold for the values used, whatever
 * the guest writes meanwhile (the fence keeps the compiler from reading
 * guest memory again in place of the copy).
 */
static void header_load(const struct virtq_chain *c, uint32_t *type,
			uint64_t *sector)
{
	struct virtio_blk_outhdr hdr;
	uint8_t raw[sizeof(hdr)];
	uint32_t got = 0;

	for (unsigned int i = 0; i < c->nr_readable && got < HDR_LEN; i++) {
		uint32_t n = min_u32(c->seg[i].len, HDR_LEN - got);

		memcpy(raw + got, c->seg[i].addr, n);
		got += n;
	}
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(&hdr, raw, sizeof(hdr));
	*type = le32toh(hdr.type);
	*sector = le64toh(hdr.sector);
}

/* The last byte of the device-writable part (writable_len >= 1). */
static uint8_t *status_byte(const struct virtq_chain *c)
{
	unsigned int i = c->nr_readable + c->nr_writable;

	while (c->seg[i - 1].len == 0)
		i--;
	return (uint8_t *)c->seg[i - 1].addr + c->seg[i - 1].len - 1;
}

static int req_done(struct blk_req *req, uint8_t status)
{
	req->op = BLK_OP_DONE;
	req->status = status;
	if (status != VIRTIO_BLK_S_OK)
		req->written = 1;
	return 0;
}

/* O_DIRECT's rules (cache=none): aligned offset, lengths and buffers. */
static bool dio_aligned(const struct blk_disk *disk, const struct blk_req *req)
{
	uint64_t len_mask = disk->dio_len_align - 1;
	uint64_t mem_mask = disk->dio_mem_align - 1;

	if ((req->offset | req->len) & len_mask)
		return false;
	for (unsigned int i = 0; i < req->nr_iov; i++)
		if (((uintptr_t)req->iov[i].iov_base & mem_mask) ||
		    (req->iov[i].iov_len & len_mask))
			return false;
	return true;
}

/* VIRTIO_BLK_T_IN and _OUT (spec 5.2.6.2: whole sectors, in range). */
static int parse_rw(const struct blk_disk *disk, const struct virtq_chain *c,
		    struct blk_req *req, uint64_t sector, bool write)
{
	if (write)
		iov_take(req, c->seg, c->nr_readable, HDR_LEN,
			 c->readable_len - HDR_LEN);
	else
		iov_take(req, c->seg + c->nr_readable, c->nr_writable, 0,
			 c->writable_len - 1);
	if (write && disk->read_only)
		return req_done(req, VIRTIO_BLK_S_IOERR);
	/* capacity < 2^55, so neither test overflows; the product fits. */
	if (req->len % SECTOR || sector > disk->capacity ||
	    req->len / SECTOR > disk->capacity - sector)
		return req_done(req, VIRTIO_BLK_S_IOERR);
	req->offset = sector * SECTOR;
	if (disk->dio_len_align && !dio_aligned(disk, req))
		return req_done(req, VIRTIO_BLK_S_IOERR);
	if (req->len == 0)
		return req_done(req, VIRTIO_BLK_S_OK);
	req->op = write ? BLK_OP_WRITE : BLK_OP_READ;
	req->written = write ? 1 : req->len + 1;
	return 0;
}

/* VIRTIO_BLK_T_GET_ID: as much of the 20-byte id as the buffer holds. */
static int get_id(const struct blk_disk *disk, const struct virtq_chain *c,
		  struct blk_req *req)
{
	uint32_t copied = 0;

	iov_take(req, c->seg + c->nr_readable, c->nr_writable, 0,
		 min_u32(c->writable_len - 1, VIRTIO_BLK_ID_BYTES));
	for (unsigned int i = 0; i < req->nr_iov; i++) {
		memcpy(req->iov[i].iov_base, disk->id + copied,
		       req->iov[i].iov_len);
		copied += req->iov[i].iov_len;
	}
	req->written = copied + 1;
	return req_done(req, VIRTIO_BLK_S_OK);
}

int blk_req_parse(const struct blk_disk *disk, const struct virtq_chain *c,
		  struct blk_req *req, const char **why)
{
	uint64_t sector;
	uint32_t type;

	req->nr_iov = 0;
	req->len = 0;
	req->offset = 0;
	req->written = 1;
	if (c->readable_len < HDR_LEN) {
		*why = "request without a 16-byte readable header";
		return -EINVAL;
	}
	if (c->writable_len == 0) {
		*why = "request without a writable status byte";
		return -EINVAL;
	}
	req->status_byte = status_byte(c);
	header_load(c, &type, &sector);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		return parse_rw(disk, c, req, sector, false);
	case VIRTIO_BLK_T_OUT:
		return parse_rw(disk, c, req, sector, true);
	case VIRTIO_BLK_T_FLUSH:
		req->op = BLK_OP_FLUSH;
		return 0;
	case VIRTIO_BLK_T_GET_ID:
		return get_id(disk, c, req);
	default:
		return req_done(req, VIRTIO_BLK_S_UNSUPP);
	}
}

uint32_t blk_req_finish(struct blk_req *req, int res)
{
	uint32_t want = req->op == BLK_OP_FLUSH ? 0 : req->len;

	if (req->op != BLK_OP_DONE)
		req_done(req, res >= 0 && (uint32_t)res == want
				      ? VIRTIO_BLK_S_OK
				      : VIRTIO_BLK_S_IOERR);
	__atomic_store_n(req->status_byte, req->status, __ATOMIC_RELAXED);
	return req->written;
}
