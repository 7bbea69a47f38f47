// SPDX-License-Identifier: MIT
/*
 * Power cut for virtio-blk: the real device (virtio/blk.c and its io_uring
 * dataplane) runs in a child process on an image file, driven through the
 * test driver (tests/unit/virtio_driver.h) with a write workload and
 * FLUSHes, and is killed with SIGKILL at a random moment. Then the image
 * is checked against what the driver was told, and the next kill point
 * starts a new child on the image as the last one left it.
 *
 * The log. The driver records, in memory shared with the parent
 * (MAP_SHARED), each write (its blocks) before it makes it available,
 * each FLUSH (with the number of writes recorded before it) likewise, and
 * marks either acknowledged only after the used ring returned it with
 * VIRTIO_BLK_S_OK. Writes to a block never overlap in flight (as a file
 * system's would not): each block's writes are ordered, newest last.
 *
 * Blocks are 4 KiB. Each version of a block is its number, a write id
 * (kill point << 32 | write index + 1; 0 for the initial content) and
 * 4 KiB of bytes derived from both: what a block holds names the version,
 * and any other byte in it is corruption. The image's first and last
 * quarters are never written.
 *
 * The invariant checked after each kill, per block:
 *  1. it holds, byte for byte, one version ever written to it: the one
 *     it held when this child started, or one of this child's writes
 *     that covered it (no torn block, no other block's data);
 *  2. that version is no older than the newest write to it that was
 *     submitted before the last FLUSH the device acknowledged (virtio
 *     5.2.6.1 needs only the writes completed before the FLUSH; blk.h
 *     promises every write popped before it, which this checks);
 *  3. nor older than the newest write to it the device acknowledged;
 *  4. a block outside the written half still holds its initial content.
 * 2 is the power-cut guarantee. A SIGKILL kills tinyvmm, not the host
 * kernel, whose page cache keeps every write that completed, so here 3
 * must hold as well; 2 stays the stronger claim on the device's ordering
 * (a FLUSH answered before an earlier write ran). What a process kill
 * cannot show is the host kernel losing data that fdatasync did not
 * cover; that is the kernel's and the disk's part.
 *
 * Before checking, the parent waits until nobody has the image open for
 * writing (a read lease): a dead process's io_uring is torn down
 * asynchronously, and the check must not race it.
 *
 * The check is tested too: on images made by hand (each kind of damage
 * must be found, allowed states must pass), and end to end by a child
 * whose log claims a write it never made.
 *
 * TINYVMM_POWERCUT_SEED repeats a run's workloads and kill delays (the
 * threads' timing still varies); TINYVMM_POWERCUT_SECONDS (default 20)
 * and TINYVMM_POWERCUT_KILLS (default 200) bound it.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/virtio_blk.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "virtio/blk.h"
#include "tests/unit/virtio_driver.h"

#define BLOCK 4096u
#define NR_BLOCKS 1024u /* a 4 MiB image */
#define HOT_FIRST 256u	/* blocks [HOT_FIRST, HOT_END) are written */
#define HOT_END 768u
#define MAX_RUN 8u /* blocks per write */
#define MAGIC 0x7475637277707674ULL

/* Guest RAM of the child: rings, request slots, data buffers. */
#define QD 32u	 /* requests in flight at most */
#define QSZ 128u /* ring entries: 3 descriptors per slot */
#define BASE 0x40000000ULL
#define MEM_SIZE (4ULL << 20)
#define DESC BASE
#define AVAIL (BASE + 0x1000)
#define USED (BASE + 0x2000)
#define HDRS (BASE + 0x4000)  /* slot k: header at +32k, status at +16 */
#define DATA (BASE + 0x10000) /* slot k: MAX_RUN blocks at +32 KiB * k */

#define F(bit) (1ULL << (bit))
#define FEATURES                                            \
	(F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_BLK_SIZE) | \
	 F(VIRTIO_BLK_F_SEG_MAX) | F(VIRTIO_RING_F_EVENT_IDX))

/* ---- The log the child writes and the parent reads ---- */

#define MAX_WRITES (1u << 16)
#define MAX_FLUSHES (1u << 14)

enum {
	REQ_SUBMITTED = 1,
	REQ_ACKED,
	REQ_FAILED
};

struct log_write {
	uint32_t first, count; /* blocks */
	_Atomic uint32_t state;
};

struct log_flush {
	uint32_t covers; /* writes recorded before it */
	_Atomic uint32_t state;
};

struct pc_log {
	/* The parent's, before the fork. */
	uint32_t kill_point;
	uint64_t seed;
	bool lie; /* record one write as acknowledged that is never made */
	/* The child's. */
	_Atomic uint32_t ready; /* the driver is about to post requests */
	_Atomic int32_t child_err;
	_Atomic uint32_t nr_writes, nr_flushes;
	struct log_write w[MAX_WRITES];
	struct log_flush f[MAX_FLUSHES];
};

/* ---- Block versions ---- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t write_id(uint32_t kill_point, uint32_t index)
{
	return (uint64_t)kill_point << 32 | (index + 1);
}

/* Version @id of block @block: header words, then derived bytes. */
static void block_fill(uint8_t *buf, uint32_t block, uint64_t id)
{
	uint64_t w[BLOCK / 8], x = block * 0x2545f4914f6cdd1dULL ^ id;

	w[0] = MAGIC;
	w[1] = block;
	w[2] = id;
	for (unsigned int i = 3; i < BLOCK / 8; i++)
		w[i] = splitmix(&x);
	memcpy(buf, w, BLOCK);
}

static uint64_t block_id(const uint8_t *buf)
{
	uint64_t id;

	memcpy(&id, buf + 16, sizeof(id));
	return id;
}

static bool block_is(const uint8_t *buf, uint32_t block, uint64_t id)
{
	uint8_t want[BLOCK];

	block_fill(want, block, id);
	return memcmp(buf, want, BLOCK) == 0;
}

/* ---- The child: the device and a guest driver writing to it ---- */

struct slot {
	bool busy, flush;
	uint32_t index; /* into the log's writes or flushes */
};

struct driver {
	struct guest_mem mem;
	struct vdrv_vq vq;
	struct virtio_mmio_dev *dev;
	int kick_fd, irq_fd;
	struct pc_log *log;
	uint64_t rng;
	uint16_t last_used;
	unsigned int in_flight;
	struct slot slot[QD];
	bool block_busy[NR_BLOCKS];
};

static uint32_t rnd(struct driver *d, uint32_t n)
{
	return (uint32_t)(splitmix(&d->rng) % n);
}

/*
 * The child calls no Check function: every ck_assert() that passes still
 * writes a location message to Check's channel, which the child shares
 * with this process, and a SIGKILL in the middle of one garbled it
 * ("check_pack.c: Bad message type", seen under ASan). Its guest-RAM
 * helpers end the child instead (exit status 4: a bug of this test).
 */
#define CHILD_BUG_EXIT 4

static void *gptr(struct driver *d, uint64_t gpa, uint64_t len)
{
	void *p = guest_mem_ptr(&d->mem, gpa, len);

	if (!p)
		_exit(CHILD_BUG_EXIT);
	return p;
}

static void child_desc(struct driver *d, uint16_t i, uint64_t addr,
		       uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc raw = { htole64(addr), htole32(len), htole16(flags),
				  htole16(next) };

	if (guest_mem_write(&d->mem, DESC + 16ULL * i, &raw, sizeof(raw)))
		_exit(CHILD_BUG_EXIT);
}

/* Slot @k's chain: header, data (if any), status; it is not yet posted. */
static void slot_chain(struct driver *d, unsigned int k, uint32_t type,
		       uint64_t sector, uint32_t len)
{
	struct virtio_blk_outhdr h = { htole32(type), 0, htole64(sector) };
	uint64_t hdr = HDRS + 32ULL * k, data = DATA + MAX_RUN * BLOCK * k;
	uint16_t i = (uint16_t)(3 * k);

	memcpy(gptr(d, hdr, sizeof(h)), &h, sizeof(h));
	*(uint8_t *)gptr(d, hdr + 16, 1) = 0xee;
	if (len) {
		child_desc(d, i, hdr, 16, VRING_DESC_F_NEXT, i + 1);
		child_desc(d, i + 1, data, len, VRING_DESC_F_NEXT, i + 2);
		child_desc(d, i + 2, hdr + 16, 1, VRING_DESC_F_WRITE, 0);
	} else {
		child_desc(d, i, hdr, 16, VRING_DESC_F_NEXT, i + 1);
		child_desc(d, i + 1, hdr + 16, 1, VRING_DESC_F_WRITE, 0);
	}
	d->slot[k].busy = true;
	d->in_flight++;
	vdrv_vq_put(&d->vq, i);
}

/* A run of free blocks in the written half, or false. */
static bool pick_run(struct driver *d, uint32_t *first, uint32_t *count)
{
	for (unsigned int tries = 0; tries < 8; tries++) {
		uint32_t f = HOT_FIRST + rnd(d, HOT_END - HOT_FIRST);
		uint32_t n = 1 + rnd(d, MAX_RUN), b;

		if (n > HOT_END - f)
			n = HOT_END - f;
		for (b = f; b < f + n && !d->block_busy[b]; b++)
			;
		if (b == f + n) {
			*first = f;
			*count = n;
			return true;
		}
	}
	return false;
}

/* Records a write in the log, then lays it out in slot @k. */
static bool post_write(struct driver *d, unsigned int k)
{
	struct pc_log *log = d->log;
	uint32_t i = atomic_load(&log->nr_writes), first, count;
	uint8_t *data;

	if (i == MAX_WRITES || !pick_run(d, &first, &count))
		return false;
	log->w[i].first = first;
	log->w[i].count = count;
	atomic_store(&log->w[i].state, REQ_SUBMITTED);
	atomic_store(&log->nr_writes, i + 1); /* before the device sees it */
	data = gptr(d, DATA + MAX_RUN * BLOCK * k, count * BLOCK);
	for (uint32_t b = 0; b < count; b++) {
		block_fill(data + b * BLOCK, first + b,
			   write_id(log->kill_point, i));
		d->block_busy[first + b] = true;
	}
	d->slot[k] = (struct slot){ .flush = false, .index = i };
	slot_chain(d, k, VIRTIO_BLK_T_OUT, first * (BLOCK / 512ULL),
		   count * BLOCK);
	return true;
}

static bool post_flush(struct driver *d, unsigned int k)
{
	struct pc_log *log = d->log;
	uint32_t i = atomic_load(&log->nr_flushes);

	if (i == MAX_FLUSHES)
		return false;
	log->f[i].covers = atomic_load(&log->nr_writes);
	atomic_store(&log->f[i].state, REQ_SUBMITTED);
	atomic_store(&log->nr_flushes, i + 1);
	d->slot[k] = (struct slot){ .flush = true, .index = i };
	slot_chain(d, k, VIRTIO_BLK_T_FLUSH, 0, 0);
	return true;
}

/* Up to a random number of new requests, about one in eight a FLUSH. */
static unsigned int post_some(struct driver *d)
{
	unsigned int want = 1 + rnd(d, QD), n = 0;

	for (unsigned int k = 0; k < QD && n < want; k++) {
		if (d->slot[k].busy)
			continue;
		if (rnd(d, 8) == 0 ? post_flush(d, k) : post_write(d, k))
			n++;
	}
	return n;
}

/* Every new used entry, recorded only now that the device returned it. */
static void reap(struct driver *d)
{
	while (d->last_used != vdrv_vq_used_idx(&d->vq)) {
		struct vring_used_elem e =
			vdrv_vq_used_elem(&d->vq, d->last_used++);
		unsigned int k = e.id / 3;
		struct slot *s = &d->slot[k];
		uint8_t status = *(uint8_t *)gptr(d, HDRS + 32ULL * k + 16, 1);
		uint32_t state =
			status == VIRTIO_BLK_S_OK ? REQ_ACKED : REQ_FAILED;

		if (s->flush) {
			atomic_store(&d->log->f[s->index].state, state);
		} else {
			const struct log_write *w = &d->log->w[s->index];

			atomic_store(&d->log->w[s->index].state, state);
			memset(&d->block_busy[w->first], 0, w->count);
		}
		s->busy = false;
		d->in_flight--;
	}
}

/* Sleeps until the used ring moves (EVENT_IDX: interrupt on the next). */
static void wait_used(struct driver *d)
{
	struct pollfd p = { .fd = d->irq_fd, .events = POLLIN };
	eventfd_t v;

	d->vq.avail_ring->ring[QSZ] = htole16(d->last_used);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (d->last_used != vdrv_vq_used_idx(&d->vq))
		return;
	if (poll(&p, 1, 50) > 0)
		eventfd_read(d->irq_fd, &v);
}

/* The one write the negative control claims: recorded, never made. */
static void lie(struct driver *d)
{
	uint32_t i = atomic_load(&d->log->nr_writes);

	d->log->w[i] = (struct log_write){ .first = HOT_FIRST, .count = 1 };
	atomic_store(&d->log->w[i].state, REQ_ACKED);
	atomic_store(&d->log->nr_writes, i + 1);
	d->block_busy[HOT_FIRST] = true; /* and never written really */
}

/* vdrv_probe() for the child, without Check: the features, 0 on failure. */
static uint64_t child_probe(struct driver *d)
{
	struct vdrv_vq *vq = &d->vq;
	uint64_t f = (FEATURES & vdrv_device_features(d->dev)) |
		     1ULL << VIRTIO_F_VERSION_1;

	/* Fresh guest RAM is zero: the rings need no reset. */
	*vq = (struct vdrv_vq){ .mem = &d->mem,
				.num = QSZ,
				.desc = DESC,
				.avail = AVAIL,
				.used = USED };
	gptr(d, DESC, 16ULL * QSZ);
	vq->avail_ring = gptr(d, AVAIL, 6 + 2ULL * QSZ);
	vq->used_ring = gptr(d, USED, 6 + 8ULL * QSZ);
	vdrv_wr(d->dev, VIRTIO_MMIO_STATUS, 0);
	vdrv_negotiate(d->dev, f);
	if (vdrv_rd(d->dev, VIRTIO_MMIO_STATUS) !=
	    (VDRV_STATUS_LIVE & ~VIRTIO_CONFIG_S_DRIVER_OK))
		return 0;
	if (vdrv_vq_setup(d->dev, 0, vq) < QSZ)
		return 0;
	vdrv_driver_ok(d->dev);
	return vdrv_rd(d->dev, VIRTIO_MMIO_STATUS) == VDRV_STATUS_LIVE ? f : 0;
}

static int child_setup(struct driver *d, const char *path,
		       enum disk_cache cache)
{
	struct disk_spec spec = { .cache = cache };
	struct virtio_mmio_irq irq = { vdrv_eventfd_signal, &d->irq_fd };
	struct virtio_blk *blk;
	uint64_t f;
	int ret;

	snprintf(spec.path, sizeof(spec.path), "%s", path);
	d->kick_fd = eventfd(0, EFD_CLOEXEC);
	d->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->kick_fd < 0 || d->irq_fd < 0)
		return -errno;
	ret = guest_mem_add(&d->mem, BASE, MEM_SIZE);
	if (ret)
		return ret;
	ret = virtio_blk_create(&spec, &d->mem, &irq, &d->kick_fd, NULL, &blk);
	if (ret)
		return ret;
	d->dev = virtio_blk_mmio(blk);
	f = child_probe(d);
	if (!f)
		return -EPROTO;
	if (!(f & F(VIRTIO_BLK_F_FLUSH)))
		return -ENOTSUP; /* write-through: not what is tested here */
	return 0;
}

/* The child's whole life: it ends by SIGKILL, or _exit() on an error. */
static void child_run(struct pc_log *log, const char *path,
		      enum disk_cache cache)
{
	static struct driver d; /* the child's own copy of this process */
	int ret;

	memset(&d, 0, sizeof(d));
	d.log = log;
	d.rng = log->seed;
	ret = child_setup(&d, path, cache);
	if (ret) {
		atomic_store(&log->child_err, ret);
		_exit(3);
	}
	if (log->lie)
		lie(&d);
	atomic_store(&log->ready, 1);
	for (;;) {
		reap(&d);
		if (post_some(&d)) {
			vdrv_vq_publish(&d.vq);
			eventfd_write(d.kick_fd, 1);
		}
		if (d.in_flight)
			wait_used(&d);
		else
			usleep(1000); /* the log is full: wait for the kill */
	}
}

/* ---- The parent: images, kills, verification ---- */

struct image {
	const char *label; /* what failure lines start with */
	const char *cache_name;
	enum disk_cache cache;
	char *path;
	uint32_t kill_points;
	uint64_t id[NR_BLOCKS]; /* the version each block held last */
	/* Totals over the kill points, for the summary. */
	uint64_t writes, acked, flushes, flushes_done;
	uint32_t kills_flush_in_flight, kills_write_in_flight;
};

static char *image_create(void)
{
	char *path = unit_temp_file("");
	static uint8_t buf[NR_BLOCKS * BLOCK];
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	for (uint32_t b = 0; b < NR_BLOCKS; b++)
		block_fill(buf + (size_t)b * BLOCK, b, 0);
	ck_assert_int_eq(pwrite(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
	return path;
}

static void image_init(struct image *img, enum disk_cache cache)
{
	memset(img, 0, sizeof(*img));
	img->cache = cache;
	img->cache_name = cache == DISK_CACHE_NONE ? "none" : "writeback";
	img->label =
		cache == DISK_CACHE_NONE ? "cache=none" : "cache=writeback";
	img->path = image_create();
}

static void image_free(struct image *img)
{
	unlink(img->path);
	free(img->path);
}

/* What the log says about one block: indices into the writes, or -1. */
struct block_claims {
	int64_t acked;	 /* newest write acknowledged */
	int64_t flushed; /* newest write submitted before the last FLUSH done */
};

/* The writes below the last acknowledged FLUSH's mark. */
static uint32_t flushed_mark(const struct pc_log *log)
{
	uint32_t mark = 0;

	for (uint32_t j = 0; j < atomic_load(&log->nr_flushes); j++)
		if (atomic_load(&log->f[j].state) == REQ_ACKED &&
		    log->f[j].covers > mark)
			mark = log->f[j].covers;
	return mark;
}

static void claims_build(const struct pc_log *log, struct block_claims *c)
{
	uint32_t mark = flushed_mark(log);

	for (uint32_t b = 0; b < NR_BLOCKS; b++)
		c[b] = (struct block_claims){ -1, -1 };
	for (uint32_t i = 0; i < atomic_load(&log->nr_writes); i++) {
		const struct log_write *w = &log->w[i];

		for (uint32_t b = w->first; b < w->first + w->count; b++) {
			if (i < mark)
				c[b].flushed = i;
			if (atomic_load(&w->state) == REQ_ACKED)
				c[b].acked = i;
		}
	}
}

/*
 * Where version @id of block @b stands among the block's versions: -1
 * for what it held at the start, the write's index for this kill
 * point's writes; -2 when @id was never written to @b.
 */
static int64_t version_rank(const struct image *img, const struct pc_log *log,
			    uint32_t b, uint64_t id)
{
	uint32_t i = (uint32_t)id - 1;
	const struct log_write *w;

	if (id == img->id[b])
		return -1;
	if (id >> 32 != log->kill_point || (uint32_t)id == 0 ||
	    i >= atomic_load(&log->nr_writes))
		return -2;
	w = &log->w[i];
	return b >= w->first && b - w->first < w->count ? (int64_t)i : -2;
}

#define SAY_MAX 5

static unsigned int failed(unsigned int *n, const struct image *img,
			   const char *fmt, ...) TV_PRINTF(3, 4);

/* Counts a failure; prints the first few, after the image's label. */
static unsigned int failed(unsigned int *n, const struct image *img,
			   const char *fmt, ...)
{
	va_list ap;

	if ((*n)++ < SAY_MAX) {
		fprintf(stderr, "powercut: %s, kill point %u: ", img->label,
			img->kill_points);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	return *n;
}

/* Invariants 1-3 for block @b of the written half (the header's list). */
static void verify_hot(struct image *img, const struct pc_log *log,
		       const struct block_claims *c, uint32_t b,
		       const uint8_t *buf, unsigned int *n)
{
	uint64_t id = block_id(buf), named;
	int64_t rank = version_rank(img, log, b, id);

	if (rank == -2 || !block_is(buf, b, id)) {
		memcpy(&named, buf + 8, sizeof(named));
		failed(n, img,
		       "block %u holds no version ever written to it (its header: block %" PRIu64
		       ", id %#" PRIx64 ")",
		       b, named, id);
		return;
	}
	if (rank < c->flushed)
		failed(n, img,
		       "block %u lost write %" PRId64
		       ", submitted before a FLUSH that completed (it holds id %#" PRIx64
		       ")",
		       b, c->flushed, id);
	else if (rank < c->acked)
		failed(n, img,
		       "block %u lost write %" PRId64
		       ", which was acknowledged (it holds id %#" PRIx64 ")",
		       b, c->acked, id);
	img->id[b] = id;
}

/* Requests the device failed: the workload is valid, so none may fail. */
static void verify_statuses(const struct image *img, const struct pc_log *log,
			    unsigned int *n)
{
	for (uint32_t i = 0; i < atomic_load(&log->nr_writes); i++)
		if (atomic_load(&log->w[i].state) == REQ_FAILED)
			failed(n, img, "write %u failed", i);
	for (uint32_t j = 0; j < atomic_load(&log->nr_flushes); j++)
		if (atomic_load(&log->f[j].state) == REQ_FAILED)
			failed(n, img, "FLUSH %u failed", j);
}

/*
 * Checks the image against the log of the child that last ran on it;
 * returns the number of failures (the first few printed) and takes each
 * block's version as the next child's starting point.
 */
static unsigned int verify(struct image *img, const struct pc_log *log)
{
	static uint8_t buf[NR_BLOCKS * BLOCK];
	static struct block_claims c[NR_BLOCKS];
	unsigned int n = 0;
	int fd = open(img->path, O_RDONLY);
	struct stat st;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	if (st.st_size != (off_t)sizeof(buf))
		failed(&n, img, "the image is %lld bytes, not %zu",
		       (long long)st.st_size, sizeof(buf));
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	close(fd);
	claims_build(log, c);
	for (uint32_t b = 0; b < NR_BLOCKS; b++) {
		const uint8_t *p = buf + (size_t)b * BLOCK;

		if (b >= HOT_FIRST && b < HOT_END)
			verify_hot(img, log, &c[b], b, p, &n);
		else if (!block_is(p, b, 0))
			failed(&n, img, "block %u, never written, changed", b);
	}
	verify_statuses(img, log, &n);
	return n;
}

/*
 * Waits until no process has the image open for writing (a read lease
 * is refused until then). A killed process's io_uring is torn down after
 * the process was reaped (its image stays open 20-60 ms longer here);
 * only then is it sure that none of its I/O can still land. Without
 * leases, a fixed grace period.
 */
static void settle(const char *path)
{
	struct timespec ms = { 0, 1000000 };
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	for (unsigned int i = 0; i < 10000; i++) {
		if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
			fcntl(fd, F_SETLEASE, F_UNLCK);
			close(fd);
			return;
		}
		if (errno != EAGAIN)
			break;
		nanosleep(&ms, NULL);
	}
	ck_assert_msg(errno != EAGAIN, "%s still open for writing after 10 s",
		      path);
	close(fd);
	ms.tv_nsec = 200000000;
	nanosleep(&ms, NULL);
}

static bool ready_wait(const struct pc_log *log, pid_t pid)
{
	struct timespec t = { 0, 100000 };

	for (unsigned int i = 0; i < 50000; i++) {
		if (atomic_load(&log->ready))
			return true;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return false;
		nanosleep(&t, NULL);
	}
	return false;
}

/* Totals of one kill point for the summary. */
static void tally(struct image *img, const struct pc_log *log)
{
	uint32_t nw = atomic_load(&log->nr_writes);
	uint32_t nf = atomic_load(&log->nr_flushes);
	bool wif = false, fif = false;

	img->writes += nw;
	img->flushes += nf;
	for (uint32_t i = 0; i < nw; i++) {
		img->acked += atomic_load(&log->w[i].state) == REQ_ACKED;
		wif |= atomic_load(&log->w[i].state) == REQ_SUBMITTED;
	}
	for (uint32_t j = 0; j < nf; j++) {
		img->flushes_done += atomic_load(&log->f[j].state) == REQ_ACKED;
		fif |= atomic_load(&log->f[j].state) == REQ_SUBMITTED;
	}
	img->kills_write_in_flight += wif;
	img->kills_flush_in_flight += fif;
}

/*
 * One kill point: a child serves @img until SIGKILL after @delay_us of
 * its workload (or, with @early, that long after the fork: during
 * set-up); with @lie its log claims one write that never happened.
 * Returns the failures verify() found.
 */
static unsigned int kill_point(struct image *img, struct pc_log *log,
			       uint64_t seed, uint32_t delay_us, bool early,
			       bool lie)
{
	struct timespec t = { delay_us / 1000000, delay_us % 1000000 * 1000L };
	int status;
	pid_t pid;

	memset(log, 0, sizeof(*log));
	log->kill_point = ++img->kill_points;
	log->seed = seed;
	log->lie = lie;
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_run(log, img->path, img->cache);
	if (!early && !ready_wait(log, pid))
		ck_abort_msg("cache=%s: the device did not come up (%d)",
			     img->cache_name, atomic_load(&log->child_err));
	nanosleep(&t, NULL);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(
		WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		"cache=%s: the child ended by itself (status %#x, error %d)",
		img->cache_name, status, atomic_load(&log->child_err));
	settle(img->path);
	tally(img, log);
	return verify(img, log);
}

static struct pc_log *log_map(void)
{
	void *p = mmap(NULL, sizeof(struct pc_log), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Whether $TMPDIR's file system takes O_DIRECT on @path. */
static bool direct_io_works(const char *path)
{
	int fd = open(path, O_RDWR | O_DIRECT);

	if (fd < 0) {
		printf("powercut: cache=none skipped: the temp directory's file system refuses O_DIRECT (%s)\n",
		       strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static void summary(const struct image *img)
{
	printf("powercut: cache=%s: %u kill points, %" PRIu64
	       " writes (%" PRIu64 " acknowledged), %" PRIu64 " of %" PRIu64
	       " FLUSHes completed; killed with writes in flight %u times, with a FLUSH in flight %u times\n",
	       img->cache_name, img->kill_points, img->writes, img->acked,
	       img->flushes_done, img->flushes, img->kills_write_in_flight,
	       img->kills_flush_in_flight);
}

START_TEST(test_powercut)
{
	uint64_t now = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	uint64_t seed = env_u64("TINYVMM_POWERCUT_SEED", now);
	double budget = (double)env_u64("TINYVMM_POWERCUT_SECONDS", 20);
	uint64_t max_kills = env_u64("TINYVMM_POWERCUT_KILLS", 200), rng = seed;
	struct pc_log *log = log_map();
	static struct image img[2];
	unsigned int nr_img = 1, fails = 0, kills = 0;
	struct timespec t0;

	printf("powercut: seed %#" PRIx64 " (TINYVMM_POWERCUT_SEED=%#" PRIx64
	       " repeats the workloads and kill delays)\n",
	       seed, seed);
	image_init(&img[0], DISK_CACHE_WRITEBACK);
	image_init(&img[1], DISK_CACHE_NONE);
	if (direct_io_works(img[1].path))
		nr_img = 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (kills < max_kills && seconds_since(&t0) < budget && fails == 0) {
		struct image *i = &img[kills % nr_img];
		bool early = splitmix(&rng) % 8 == 0;
		/* Early kills land in set-up; the others up to 20 ms in. */
		uint32_t delay =
			(uint32_t)(splitmix(&rng) % (early ? 3000 : 20000));

		fails +=
			kill_point(i, log, splitmix(&rng), delay, early, false);
		kills++;
	}
	for (unsigned int k = 0; k < nr_img; k++)
		summary(&img[k]);
	printf("powercut: %u kill points in %.1f s: %s\n", kills,
	       seconds_since(&t0),
	       fails ? "FAILED (see above)"
		     : "nothing acknowledged or flushed was lost, no block corrupted");
	ck_assert_msg(fails == 0,
		      "%u failures at kill point %u; images kept: %s, %s",
		      fails, kills, img[0].path, img[1].path);
	ck_assert_uint_ge(kills, 10); /* too few to mean anything */
	for (unsigned int k = 0; k < 2; k++)
		image_free(&img[k]);
	munmap(log, sizeof(*log));
}
END_TEST

/*
 * The negative control, end to end: a child whose log claims a write
 * that it never made must fail the check, with that one failure.
 */
START_TEST(test_lost_write_is_caught)
{
	struct pc_log *log = log_map();
	static struct image img;

	image_init(&img, DISK_CACHE_WRITEBACK);
	img.label = "negative control, one lost write expected";
	ck_assert_uint_eq(kill_point(&img, log, 42, 5000, false, true), 1);
	img.label = "negative control, honest run";
	/* The same image, honestly driven, passes again. */
	ck_assert_uint_eq(kill_point(&img, log, 43, 5000, false, false), 0);
	image_free(&img);
	munmap(log, sizeof(*log));
}
END_TEST

/* ---- The check itself, on images made by hand ---- */

/*
 * Kill point 1 of an image, as its log tells it:
 *   write 0: blocks 300-301, acknowledged
 *   write 1: block 400, submitted;   FLUSH 0 (covers writes 0-1), done
 *   write 2: block 500, submitted
 *   write 3: block 300, submitted
 * and the image as the device left it: writes 0 and 1 on it.
 */
static struct image scen_img;
static struct pc_log *scen_log;

static void put_block(uint32_t b, uint64_t id)
{
	uint8_t buf[BLOCK];
	int fd = open(scen_img.path, O_WRONLY);

	block_fill(buf, b, id);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, buf, BLOCK, (off_t)b * BLOCK), BLOCK);
	close(fd);
}

/* Block @b's byte @off changed; the rest as it was. */
static void poke(uint32_t b, uint32_t off)
{
	uint8_t c;
	int fd = open(scen_img.path, O_RDWR);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &c, 1, (off_t)b * BLOCK + off), 1);
	c ^= 0x10;
	ck_assert_int_eq(pwrite(fd, &c, 1, (off_t)b * BLOCK + off), 1);
	close(fd);
}

static void scen_write(uint32_t i, uint32_t first, uint32_t count,
		       uint32_t state)
{
	scen_log->w[i] = (struct log_write){ .first = first, .count = count };
	atomic_store(&scen_log->w[i].state, state);
}

static void scenario(void)
{
	scen_log = log_map();
	memset(scen_log, 0, sizeof(*scen_log));
	image_init(&scen_img, DISK_CACHE_WRITEBACK);
	scen_img.label = "the check's own test, failures expected";
	scen_img.kill_points = scen_log->kill_point = 1;
	scen_write(0, 300, 2, REQ_ACKED);
	scen_write(1, 400, 1, REQ_SUBMITTED);
	scen_write(2, 500, 1, REQ_SUBMITTED);
	scen_write(3, 300, 1, REQ_SUBMITTED);
	atomic_store(&scen_log->nr_writes, 4);
	scen_log->f[0].covers = 2;
	atomic_store(&scen_log->f[0].state, REQ_ACKED);
	atomic_store(&scen_log->nr_flushes, 1);
	put_block(300, write_id(1, 0));
	put_block(301, write_id(1, 0));
	put_block(400, write_id(1, 1));
}

static void scenario_end(void)
{
	image_free(&scen_img);
	munmap(scen_log, sizeof(*scen_log));
}

static void m_none(void)
{
}
static void m_acked_lost(void)
{
	put_block(301, 0);
}
static void m_flushed_lost(void)
{
	put_block(400, 0);
}
static void m_unflushed_lost(void)
{
	atomic_store(&scen_log->f[0].state, REQ_SUBMITTED);
	put_block(400, 0);
}
static void m_newer_write(void)
{
	put_block(300, write_id(1, 3));
}
static void m_unacked_present(void)
{
	put_block(500, write_id(1, 2));
}
static void m_torn(void)
{
	uint8_t buf[BLOCK];
	int fd = open(scen_img.path, O_WRONLY);

	block_fill(buf, 301, 0); /* the old second half over the new block */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(
		pwrite(fd, buf + BLOCK / 2, BLOCK / 2, 301 * BLOCK + BLOCK / 2),
		BLOCK / 2);
	close(fd);
}
static void m_other_block(void)
{
	uint8_t buf[BLOCK];
	int fd = open(scen_img.path, O_WRONLY);

	block_fill(buf, 301, write_id(1, 0)); /* 301's data at 302 */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, buf, BLOCK, 302 * BLOCK), BLOCK);
	close(fd);
}
static void m_uncovered_id(void)
{
	put_block(303, write_id(1, 0)); /* write 0 ends at 301 */
}
static void m_old_kill_point(void)
{
	put_block(500, write_id(0, 2)); /* the right write, an old run's id */
}
static void m_cold_changed(void)
{
	poke(10, 100);
}
static void m_byte_flipped(void)
{
	poke(400, 2000);
}
static void m_failed_status(void)
{
	atomic_store(&scen_log->w[2].state, REQ_FAILED);
}

static const struct {
	const char *what;
	void (*mutate)(void);
	unsigned int failures;
} verify_cases[] = {
	{ "the image as the device left it", m_none, 0 },
	{ "an acknowledged write lost", m_acked_lost, 1 },
	{ "a write covered by a completed FLUSH lost", m_flushed_lost, 1 },
	{ "a write neither acknowledged nor flushed lost", m_unflushed_lost,
	  0 },
	{ "a newer submitted write in place of an acknowledged one",
	  m_newer_write, 0 },
	{ "a submitted write present before its acknowledgement",
	  m_unacked_present, 0 },
	{ "a torn block", m_torn, 1 },
	{ "another block's data", m_other_block, 1 },
	{ "a write that never covered the block", m_uncovered_id, 1 },
	{ "an id from another kill point", m_old_kill_point, 1 },
	{ "a never-written block changed", m_cold_changed, 1 },
	{ "a byte flipped in a written block", m_byte_flipped, 1 },
	{ "a write the device failed", m_failed_status, 1 },
};

START_TEST(test_verify_table)
{
	unsigned int got;

	scenario();
	verify_cases[_i].mutate();
	got = verify(&scen_img, scen_log);
	ck_assert_msg(got == verify_cases[_i].failures,
		      "%s: %u failures, want %u", verify_cases[_i].what, got,
		      verify_cases[_i].failures);
	scenario_end();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blk_powercut");
	TCase *check = tcase_create("verify");
	TCase *tc = tcase_create("powercut");

	tcase_add_loop_test(check, test_verify_table, 0,
			    sizeof(verify_cases) / sizeof(verify_cases[0]));
	tcase_add_test(check, test_lost_write_is_caught);
	suite_add_tcase(s, check);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_powercut);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
