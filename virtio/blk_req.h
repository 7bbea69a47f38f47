/* SPDX-License-Identifier: MIT */
/*
 * One virtio-blk request (spec 5.2.6): a popped chain read into what the
 * dataplane needs, every guest value checked first. No I/O here: the
 * caller runs the read, write or flush and hands back its result.
 *
 * Layout of a chain: the 16-byte struct virtio_blk_outhdr at the start of
 * the device-readable part (split over segments, or sharing one with
 * write data, as the driver likes); write data after it; read data (or
 * the GET_ID string) in the device-writable part; the status byte is the
 * last byte of the device-writable part (it may share a segment with read
 * data).
 */
#ifndef TINYVMM_VIRTIO_BLK_REQ_H
#define TINYVMM_VIRTIO_BLK_REQ_H

#include <linux/virtio_blk.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtio/blk.h"
#include "vmm/base/log.h"
#include "virtio/queue.h"

/* Segments of a chain the device takes: data plus header and status. */
#define BLK_REQ_MAX_SEG (VIRTIO_BLK_SEG_MAX + 2)

/* What requests are checked against; constant while the device lives. */
struct blk_disk {
	uint64_t capacity; /* 512-byte sectors */
	bool read_only;
	/*
	 * Direct I/O (cache=none): buffer address alignment and the
	 * alignment of file offsets and lengths, powers of two. 0: no
	 * O_DIRECT, any alignment goes.
	 */
	uint32_t dio_mem_align, dio_len_align;
	char id[VIRTIO_BLK_ID_BYTES]; /* GET_ID's answer, NUL-padded */
};

enum blk_op {
	BLK_OP_DONE,  /* answered without I/O: status is final */
	BLK_OP_READ,  /* preadv(iov, offset) of len bytes */
	BLK_OP_WRITE, /* pwritev(iov, offset) of len bytes */
	BLK_OP_FLUSH, /* fdatasync */
};

struct blk_req {
	enum blk_op op;
	uint8_t status;	      /* VIRTIO_BLK_S_*; final for BLK_OP_DONE */
	uint8_t *status_byte; /* in guest RAM */
	uint64_t offset;      /* bytes into the image */
	uint32_t len;	      /* data bytes, the sum of iov[] */
	uint32_t written;     /* used length when the request succeeds */
	unsigned int nr_iov;
	struct iovec iov[BLK_REQ_MAX_SEG]; /* in guest RAM */
};

/*
 * Reads the request in @chain (popped with max_seg <= BLK_REQ_MAX_SEG)
 * into @req. Returns 0 when it can be answered: then @req->op says what
 * to do, and a request that breaks a rule is already BLK_OP_DONE with
 * VIRTIO_BLK_S_IOERR or _UNSUPP. Returns -EINVAL with *@why set when the
 * chain has no 16-byte readable header or no writable status byte.
 */
TV_MUST_CHECK int blk_req_parse(const struct blk_disk *disk,
				const struct virtq_chain *chain,
				struct blk_req *req, const char **why);

/*
 * Settles @req after its I/O returned @res (an io_uring result: bytes,
 * or 0 for a flush, or -errno; ignored for BLK_OP_DONE): writes the
 * status byte into guest RAM and returns the used length to push. A
 * short transfer is an error.
 */
uint32_t blk_req_finish(struct blk_req *req, int res);

#endif
