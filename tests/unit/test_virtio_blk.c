// SPDX-License-Identifier: MIT
/*
 * virtio-blk driven as a guest driver would, without KVM: split rings in
 * a guest_mem region, the transport set up through register writes, kicks
 * through the kick eventfd, the interrupt counted on an eventfd of ours.
 * Data is checked against the image file itself (pread).
 */
#include <check.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/unit/unit.h"
#include "virtio/blk.h"
#include "virtio/blk_image.h"
#include "virtio/blk_sync.h"
#include "virtio/blk_uring.h"
#include "tests/unit/virtio_driver.h"

#define BASE 0x40000000ULL
#define MEM_SIZE (16ULL << 20)
#define QSZ 256
#define DESC BASE
#define AVAIL (BASE + 0x1000)
#define USED (BASE + 0x2000)
#define HDRS (BASE + 0x10000)  /* request k: header at +32k, status +16 */
#define TABLE (BASE + 0x20000) /* an indirect table */
#define DATA (BASE + 0x100000) /* data buffers, page aligned */
#define IMG_SECTORS 16384      /* 8 MiB */
#define W VRING_DESC_F_WRITE
#define TIMEOUT_MS 5000

#define F(bit) (1ULL << (bit))
#define BLK_FEATURES                                       \
	(F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_SEG_MAX) | \
	 F(VIRTIO_BLK_F_BLK_SIZE) | F(VIRTIO_BLK_F_RO) |   \
	 F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_RING_F_INDIRECT_DESC))

static struct guest_mem mem;
static struct virtio_blk *blk;
static struct virtio_mmio_dev *dev;
static struct virtio_mmio_worker *worker; /* the device manager */
static int kick_fd = -1, irq_fd = -1;
static char *img;
static struct vdrv_vq vq; /* the driver's side of queue 0 */
/* Set by the fixture: each case runs once per way of doing the I/O. */
static enum disk_io io_mode;

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)((off / 512) * 31 + off % 251);
}

static void *gptr(uint64_t gpa)
{
	return vdrv_ptr(&mem, gpa, 1);
}

/* An image of @size bytes in $TMPDIR holding pattern(). */
static char *image_new(uint64_t size)
{
	char *path = unit_temp_file("");
	int fd = open(path, O_WRONLY);
	uint8_t buf[4096];

	ck_assert_int_ge(fd, 0);
	for (uint64_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		ck_assert_int_eq(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
	}
	close(fd);
	return path;
}

/*
 * What a driver does at probe (spec 3.1.1): reset, negotiate @want (of
 * what is offered) plus VERSION_1, set up queue 0 on zeroed rings, go.
 */
static void driver_init(uint64_t want)
{
	vdrv_probe(dev, want, &vq, 1);
	/* Queue 0 is still selected: its size is exactly the maximum. */
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
}

static void device_new(const char *path, bool ro, enum disk_cache cache)
{
	struct disk_spec spec = { .read_only = ro,
				  .cache = cache,
				  .io = io_mode };
	struct virtio_mmio_irq irq = { vdrv_eventfd_signal, &irq_fd };

	snprintf(spec.path, sizeof(spec.path), "%s", path);
	ck_assert_int_eq(
		virtio_blk_create(&spec, &mem, &irq, &kick_fd, NULL, &blk), 0);
	dev = virtio_blk_mmio(blk);
	virtio_mmio_set_worker(dev, worker);
}

/* A disk on an image of IMG_SECTORS, driven with @want features. */
static void disk_up(bool ro, enum disk_cache cache, uint64_t want)
{
	img = image_new(IMG_SECTORS * 512ULL);
	device_new(img, ro, cache);
	driver_init(want);
}

static void setup(void)
{
	io_mode = DISK_IO_URING; /* whatever file system $TMPDIR is */
	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(guest_mem_add(&mem, BASE, MEM_SIZE), 0);
	vdrv_vq_init(&vq, &mem, QSZ, DESC, AVAIL, USED);
	kick_fd = eventfd(0, EFD_CLOEXEC);
	irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(kick_fd, 0);
	ck_assert_int_ge(irq_fd, 0);
	blk = NULL;
	img = NULL;
	worker = vdrv_worker_start();
}

static void teardown(void)
{
	virtio_mmio_worker_stop(worker);
	virtio_blk_destroy(blk);
	virtio_mmio_worker_destroy(worker);
	if (img)
		unlink(img);
	free(img);
	close(kick_fd);
	close(irq_fd);
	guest_mem_destroy(&mem);
}

static void setup_sync(void)
{
	setup();
	io_mode = DISK_IO_SYNC;
}

/* Lays @n buffers out as one chain and makes it available (unpublished). */
static uint16_t post(const struct vdrv_seg *s, unsigned int n)
{
	uint16_t head = vdrv_vq_chain(&vq, s, n);

	vdrv_vq_put(&vq, head);
	return head;
}

static void kick(void)
{
	ck_assert_int_eq(eventfd_write(kick_fd, 1), 0);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Sleeps on the interrupt until @done(), for at most TIMEOUT_MS. */
static bool wait_irq_until(bool (*done)(void))
{
	struct pollfd p = { .fd = irq_fd, .events = POLLIN };
	struct timespec t0;
	eventfd_t v;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done()) {
		/* EVENT_IDX: interrupt me on the next used entry. */
		vq.avail_ring->ring[QSZ] = htole16(vdrv_vq_used_idx(&vq));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (done())
			break;
		if (ms_since(&t0) > TIMEOUT_MS)
			return false;
		if (poll(&p, 1, 100) > 0)
			eventfd_read(irq_fd, &v);
	}
	return true;
}

static bool all_used(void)
{
	return vdrv_vq_used_idx(&vq) == vq.avail_idx;
}

static void wait_used(void)
{
	ck_assert_msg(wait_irq_until(all_used), "used idx %u, want %u",
		      vdrv_vq_used_idx(&vq), vq.avail_idx);
}

static bool needs_reset(void)
{
	return vdrv_needs_reset(dev);
}

/* Request k's header (type, sector) and status byte (set to 0xee). */
static uint64_t hdr_put(unsigned int k, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = {
		.type = htole32(type),
		.sector = htole64(sector),
	};

	ck_assert_int_eq(guest_mem_write(&mem, HDRS + 32 * k, &h, sizeof(h)),
			 0);
	*(uint8_t *)gptr(HDRS + 32 * k + 16) = 0xee;
	return HDRS + 32 * k;
}

static uint8_t status_of(unsigned int k)
{
	return *(uint8_t *)gptr(HDRS + 32 * k + 16);
}

/* Request k as a driver builds it: header, data (if any), status. */
static uint16_t post_req(unsigned int k, uint32_t type, uint64_t sector,
			 uint64_t data, uint32_t len)
{
	bool in = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	uint64_t h = hdr_put(k, type, sector);
	struct vdrv_seg s[3] = {
		{ h, 16, 0 },
		{ data, len, in ? W : 0 },
		{ h + 16, 1, W },
	};

	if (len)
		return post(s, 3);
	s[1] = s[2];
	return post(s, 2);
}

/* Publishes what was posted, kicks, and waits until all of it is used. */
static void run_posted(void)
{
	vdrv_vq_publish(&vq);
	kick();
	wait_used();
}

/* A read whose status byte follows its @len bytes in one segment. */
static void post_read_status_after(unsigned int k, uint64_t sector,
				   uint64_t data, uint32_t len)
{
	struct vdrv_seg s[2] = {
		{ hdr_put(k, VIRTIO_BLK_T_IN, sector), 16, 0 },
		{ data, len + 1, W },
	};

	post(s, 2);
}

/* One request, start to end; its status byte. */
static uint8_t run_req(uint32_t type, uint64_t sector, uint64_t data,
		       uint32_t len)
{
	post_req(0, type, sector, data, len);
	run_posted();
	return status_of(0);
}

/* The used length of the last used entry. */
static uint32_t last_used_len(void)
{
	return vdrv_vq_used_elem(&vq, vdrv_vq_used_idx(&vq) - 1).len;
}

/* Index of the first byte of @p[0 .. @len) unlike pattern(@off + i). */
static uint32_t pattern_diff(const uint8_t *p, uint64_t off, uint32_t len)
{
	uint32_t i = 0;

	while (i < len && p[i] == pattern(off + i))
		i++;
	return i;
}

/* Guest memory at @gpa holds the image's original bytes at @off. */
static void assert_pattern(uint64_t gpa, uint64_t off, uint32_t len)
{
	uint32_t i = pattern_diff(gptr(gpa), off, len);

	ck_assert_msg(i == len,
		      "byte %u of %u from image offset 0x%llx differs", i, len,
		      (unsigned long long)off);
}

static uint8_t *file_read(uint64_t off, uint32_t len)
{
	uint8_t *buf = malloc(len);
	int fd = open(img, O_RDONLY);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
	return buf;
}

/* The image at @off holds what guest memory at @gpa holds. */
static void assert_file(uint64_t off, uint64_t gpa, uint32_t len)
{
	uint8_t *buf = file_read(off, len);

	ck_assert_int_eq(memcmp(buf, gptr(gpa), len), 0);
	free(buf);
}

/* The image at @off still holds its original bytes. */
static void assert_file_untouched(uint64_t off, uint32_t len)
{
	uint8_t *buf = file_read(off, len);

	ck_assert_uint_eq(pattern_diff(buf, off, len), len);
	free(buf);
}

/* All @len bytes at @gpa are @v. */
static void assert_bytes(uint64_t gpa, uint8_t v, uint64_t len)
{
	const uint8_t *p = gptr(gpa);
	uint64_t i = 0;

	while (i < len && p[i] == v)
		i++;
	ck_assert_msg(i == len, "byte %llu of %llu changed",
		      (unsigned long long)i, (unsigned long long)len);
}

static void fill(uint64_t gpa, uint8_t seed, uint32_t len)
{
	uint8_t *p = gptr(gpa);

	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static uint64_t config64(uint32_t off)
{
	uint32_t lo, hi;

	virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG + off, &lo, 4);
	virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG + off + 4, &hi, 4);
	return (uint64_t)le32toh(hi) << 32 | le32toh(lo);
}

static uint32_t config32(uint32_t off)
{
	uint32_t v;

	virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG + off, &v, 4);
	return le32toh(v);
}

#define CFG(field) offsetof(struct virtio_blk_config, field)

START_TEST(test_config)
{
	struct virtio_blk_info info;
	uint64_t f;

	/* 1 MiB and 100 bytes: the tail is not part of the disk. */
	img = image_new((1 << 20) + 100);
	device_new(img, false, DISK_CACHE_WRITEBACK);
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	f = vdrv_device_features(dev);
	ck_assert_uint_eq(f & BLK_FEATURES, BLK_FEATURES & ~F(VIRTIO_BLK_F_RO));
	ck_assert(f & F(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(config64(CFG(capacity)), 2048);
	ck_assert_uint_eq(config32(CFG(seg_max)), VIRTIO_BLK_SEG_MAX);
	ck_assert_uint_eq(config32(CFG(blk_size)), 512);
	virtio_blk_get_info(blk, &info);
	ck_assert_uint_eq(info.capacity, 2048);
	ck_assert_uint_eq(info.blk_size, 512);
	ck_assert(!info.read_only);
	ck_assert_int_eq(info.cache, DISK_CACHE_WRITEBACK);
	ck_assert(info.sync_io == (io_mode == DISK_IO_SYNC));
	ck_assert_str_eq(info.path, img);
}
END_TEST

START_TEST(test_read)
{
	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_IN, 3, DATA, 4096),
			  VIRTIO_BLK_S_OK);
	assert_pattern(DATA, 3 * 512, 4096);
	ck_assert_uint_eq(last_used_len(), 4097);
}
END_TEST

START_TEST(test_write)
{
	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	fill(DATA, 1, 1024);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_OUT, 10, DATA, 1024),
			  VIRTIO_BLK_S_OK);
	assert_file(10 * 512, DATA, 1024);
	assert_file_untouched(9 * 512, 512);
	assert_file_untouched(12 * 512, 512);
	ck_assert_uint_eq(last_used_len(), 1);
}
END_TEST

/* Two writes and a FLUSH in one batch: the flush waits for both. */
START_TEST(test_write_flush)
{
	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	fill(DATA, 2, 8192);
	fill(DATA + 0x10000, 3, 4096);
	post_req(0, VIRTIO_BLK_T_OUT, 100, DATA, 8192);
	post_req(1, VIRTIO_BLK_T_OUT, 300, DATA + 0x10000, 4096);
	post_req(2, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	run_posted();
	for (unsigned int k = 0; k < 3; k++)
		ck_assert_uint_eq(status_of(k), VIRTIO_BLK_S_OK);
	/* The flush is answered after the writes it covers. */
	ck_assert_uint_eq(vdrv_vq_used_elem(&vq, 2).id, 6);
	assert_file(100 * 512, DATA, 8192);
	assert_file(300 * 512, DATA + 0x10000, 4096);
}
END_TEST

START_TEST(test_get_id)
{
	const char *base;
	char want[VIRTIO_BLK_ID_BYTES] = { 0 };

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	base = strrchr(img, '/') + 1;
	memcpy(want, base,
	       strlen(base) < sizeof(want) ? strlen(base) : sizeof(want));
	memset(gptr(DATA), 0xaa, 64);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_GET_ID, 0, DATA, 64),
			  VIRTIO_BLK_S_OK);
	ck_assert_int_eq(memcmp(gptr(DATA), want, sizeof(want)), 0);
	ck_assert_uint_eq(*(uint8_t *)gptr(DATA + 20), 0xaa);
	ck_assert_uint_eq(last_used_len(), 21);
}
END_TEST

/* Requests whose range or length break the rules: IOERR, table-driven. */
static const struct {
	uint32_t type;
	uint64_t sector;
	uint32_t len;
	uint8_t status;
} range_cases[] = {
	{ VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 512, VIRTIO_BLK_S_OK },
	{ VIRTIO_BLK_T_IN, IMG_SECTORS, 0, VIRTIO_BLK_S_OK },
	{ VIRTIO_BLK_T_IN, IMG_SECTORS, 512, VIRTIO_BLK_S_IOERR },
	{ VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 1024, VIRTIO_BLK_S_IOERR },
	{ VIRTIO_BLK_T_OUT, IMG_SECTORS + 1, 0, VIRTIO_BLK_S_IOERR },
	{ VIRTIO_BLK_T_OUT, IMG_SECTORS - 1, 1024, VIRTIO_BLK_S_IOERR },
	/* sector * 512 wraps past 2^64 */
	{ VIRTIO_BLK_T_IN, 1ULL << 55, 512, VIRTIO_BLK_S_IOERR },
	{ VIRTIO_BLK_T_OUT, UINT64_MAX, 512, VIRTIO_BLK_S_IOERR },
	{ VIRTIO_BLK_T_IN, UINT64_MAX / 512 - 1, 1024, VIRTIO_BLK_S_IOERR },
	/* not whole sectors */
	{ VIRTIO_BLK_T_IN, 0, 100, VIRTIO_BLK_S_IOERR },
	{ VIRTIO_BLK_T_OUT, 0, 513, VIRTIO_BLK_S_IOERR },
	/* not ours */
	{ VIRTIO_BLK_T_DISCARD, 0, 16, VIRTIO_BLK_S_UNSUPP },
	{ VIRTIO_BLK_T_SCSI_CMD, 0, 0, VIRTIO_BLK_S_UNSUPP },
	{ VIRTIO_BLK_T_BARRIER | VIRTIO_BLK_T_IN, 0, 512, VIRTIO_BLK_S_UNSUPP },
};

START_TEST(test_bad_range)
{
	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	memset(gptr(DATA), 0x77, 1024);
	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]);
	     i++) {
		ck_assert_msg(run_req(range_cases[i].type,
				      range_cases[i].sector, DATA,
				      range_cases[i].len) ==
				      range_cases[i].status,
			      "case %zu: status %u", i, status_of(0));
	}
	/* No failed write reached the file. */
	assert_file_untouched(0, 1024);
	assert_file_untouched((IMG_SECTORS - 2) * 512, 1024);
	ck_assert(!needs_reset());
}
END_TEST

START_TEST(test_read_only)
{
	img = image_new(IMG_SECTORS * 512ULL);
	device_new(img, true, DISK_CACHE_WRITEBACK);
	ck_assert(vdrv_device_features(dev) & F(VIRTIO_BLK_F_RO));
	driver_init(BLK_FEATURES);
	fill(DATA, 9, 512);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_OUT, 1, DATA, 512),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_IN, 1, DATA, 512),
			  VIRTIO_BLK_S_OK);
	assert_pattern(DATA, 512, 512);
	assert_file_untouched(512, 512);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_FLUSH, 0, 0, 0),
			  VIRTIO_BLK_S_OK);
}
END_TEST

/* The header in two pieces; a write's header sharing data's segment. */
START_TEST(test_split_header)
{
	uint64_t h;

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	h = hdr_put(0, VIRTIO_BLK_T_IN, 5);
	post((struct vdrv_seg[]){ { h, 8, 0 },
				  { h + 8, 8, 0 },
				  { DATA, 512, W },
				  { h + 16, 1, W } },
	     4);
	run_posted();
	ck_assert_uint_eq(status_of(0), VIRTIO_BLK_S_OK);
	assert_pattern(DATA, 5 * 512, 512);

	/* One readable segment: 16 header bytes, then 512 of data. */
	h = hdr_put(1, VIRTIO_BLK_T_OUT, 7);
	memcpy(gptr(DATA + 0x1000), gptr(h), 16);
	fill(DATA + 0x1000 + 16, 4, 512);
	post((struct vdrv_seg[]){ { DATA + 0x1000, 16 + 512, 0 },
				  { h + 16, 1, W } },
	     2);
	run_posted();
	ck_assert_uint_eq(status_of(1), VIRTIO_BLK_S_OK);
	assert_file(7 * 512, DATA + 0x1000 + 16, 512);
}
END_TEST

/* Read data and the status byte in one writable segment. */
START_TEST(test_status_shares_data)
{
	uint8_t *p;

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	p = gptr(DATA);
	p[1024] = 0xee;
	post_read_status_after(0, 2, DATA, 1024);
	run_posted();
	assert_pattern(DATA, 2 * 512, 1024);
	ck_assert_uint_eq(p[1024], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(last_used_len(), 1025);
}
END_TEST

/* The same read through an indirect table. */
START_TEST(test_indirect)
{
	struct vring_desc *t = gptr(TABLE);
	uint64_t h;

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	h = hdr_put(0, VIRTIO_BLK_T_IN, 40);
	t[0] = (struct vring_desc){ htole64(h), htole32(16),
				    htole16(VRING_DESC_F_NEXT), htole16(1) };
	t[1] = (struct vring_desc){ htole64(DATA), htole32(2048),
				    htole16(W | VRING_DESC_F_NEXT),
				    htole16(2) };
	t[2] = (struct vring_desc){ htole64(h + 16), htole32(1), htole16(W),
				    0 };
	post((struct vdrv_seg[]){ { TABLE, 48, VRING_DESC_F_INDIRECT } }, 1);
	run_posted();
	ck_assert_uint_eq(status_of(0), VIRTIO_BLK_S_OK);
	assert_pattern(DATA, 40 * 512, 2048);
}
END_TEST

/* After a broken chain: reset, and the device serves again. */
static void assert_recovers(void)
{
	driver_init(BLK_FEATURES);
	ck_assert(!needs_reset());
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_IN, 8, DATA, 512),
			  VIRTIO_BLK_S_OK);
	assert_pattern(DATA, 8 * 512, 512);
}

/* 0 -> 1 -> 0: in the ring, then in an indirect table. */
START_TEST(test_loop_chain)
{
	struct vring_desc *t = gptr(TABLE);

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	vdrv_desc(&mem, DESC, 0, HDRS, 16, VRING_DESC_F_NEXT, 1);
	vdrv_desc(&mem, DESC, 1, HDRS, 16, VRING_DESC_F_NEXT, 0);
	vdrv_vq_offer(&vq, 0);
	kick();
	ck_assert(wait_irq_until(needs_reset));
	ck_assert_uint_eq(vdrv_vq_used_idx(&vq), 0);
	assert_recovers();

	for (uint16_t i = 0; i < 2; i++)
		t[i] = (struct vring_desc){ htole64(HDRS), htole32(16),
					    htole16(VRING_DESC_F_NEXT),
					    htole16(1 - i) };
	post((struct vdrv_seg[]){ { TABLE, 32, VRING_DESC_F_INDIRECT } }, 1);
	vdrv_vq_publish(&vq);
	kick();
	ck_assert(wait_irq_until(needs_reset));
	assert_recovers();
}
END_TEST

/* Chains the device cannot answer: no status byte, a short header. */
START_TEST(test_unanswerable)
{
	uint64_t h;

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	h = hdr_put(0, VIRTIO_BLK_T_IN, 0);
	post((struct vdrv_seg[]){ { h, 16, 0 }, { DATA, 512, 0 } }, 2);
	vdrv_vq_publish(&vq);
	kick();
	ck_assert(wait_irq_until(needs_reset));
	assert_recovers();

	h = hdr_put(1, VIRTIO_BLK_T_IN, 0);
	post((struct vdrv_seg[]){ { h, 12, 0 }, { DATA, 513, W } }, 2);
	vdrv_vq_publish(&vq);
	kick();
	ck_assert(wait_irq_until(needs_reset));
	assert_recovers();
}
END_TEST

/*
 * 64 reads made available at once: one kick, one io_uring submit (none
 * with io=sync).
 */
START_TEST(test_batch)
{
	struct virtio_blk_stats before, after;

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	virtio_blk_get_stats(blk, &before);
	for (unsigned int k = 0; k < 64; k++)
		post_req(k, VIRTIO_BLK_T_IN, 8 * (k * 5 % 64), DATA + 4096 * k,
			 4096);
	run_posted();
	for (unsigned int k = 0; k < 64; k++) {
		ck_assert_uint_eq(status_of(k), VIRTIO_BLK_S_OK);
		assert_pattern(DATA + 4096 * k, 4096ULL * (k * 5 % 64), 4096);
	}
	virtio_blk_get_stats(blk, &after);
	ck_assert_uint_eq(after.requests - before.requests, 64);
	ck_assert_uint_eq(after.batches - before.batches,
			  io_mode == DISK_IO_SYNC ? 0 : 1);
	/* The interrupt follows the last used entry: wait for it. */
	for (int ms = 0; after.interrupts == before.interrupts; ms++) {
		ck_assert_int_lt(ms, TIMEOUT_MS);
		usleep(1000);
		virtio_blk_get_stats(blk, &after);
	}
	/* The I/O thread's CPU time counts, and outlives the thread. */
	ck_assert_uint_gt(after.io_cpu_ns, before.io_cpu_ns);
	driver_init(BLK_FEATURES); /* reset: a new thread */
	virtio_blk_get_stats(blk, &before);
	ck_assert_uint_ge(before.io_cpu_ns, after.io_cpu_ns);
}
END_TEST

/* Without EVENT_IDX (flags instead), and kicked through QueueNotify. */
START_TEST(test_plain_ring_notify_register)
{
	disk_up(false, DISK_CACHE_WRITEBACK,
		BLK_FEATURES & ~F(VIRTIO_RING_F_EVENT_IDX));
	for (unsigned int k = 0; k < 8; k++)
		post_req(k, VIRTIO_BLK_T_IN, k, DATA + 4096 * k, 512);
	vdrv_vq_publish(&vq);
	vdrv_notify(dev, 0);
	wait_used();
	for (unsigned int k = 0; k < 8; k++) {
		ck_assert_uint_eq(status_of(k), VIRTIO_BLK_S_OK);
		assert_pattern(DATA + 4096 * k, 512ULL * k, 512);
	}
}
END_TEST

/* cache=none: aligned requests work; unaligned ones fail, no crash. */
START_TEST(test_cache_none)
{
	struct virtio_blk_info info;

	/* No FLUSH: writes are then write-through (RWF_DSYNC). */
	disk_up(false, DISK_CACHE_NONE, BLK_FEATURES & ~F(VIRTIO_BLK_F_FLUSH));
	virtio_blk_get_info(blk, &info);
	ck_assert_int_eq(info.cache, DISK_CACHE_NONE);
	ck_assert_uint_ge(info.blk_size, 512);
	ck_assert_uint_eq(config32(CFG(blk_size)), info.blk_size);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_IN, 16, DATA, 8192),
			  VIRTIO_BLK_S_OK);
	assert_pattern(DATA, 16 * 512, 8192);
	fill(DATA + 0x4000, 5, 4096);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_OUT, 64, DATA + 0x4000, 4096),
			  VIRTIO_BLK_S_OK);
	assert_file(64 * 512, DATA + 0x4000, 4096);
	/* A buffer one byte off its alignment. */
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_IN, 16, DATA + 1, 4096),
			  VIRTIO_BLK_S_IOERR);
	/* Aligned read data sharing a segment with the status byte. */
	post_read_status_after(1, 0, DATA, 4096);
	run_posted();
	ck_assert_uint_eq(*(uint8_t *)gptr(DATA + 4096), VIRTIO_BLK_S_OK);
	assert_pattern(DATA, 0, 4096);
	/* Write data right after the header, 16 bytes off alignment. */
	memcpy(gptr(DATA + 0x8000), gptr(hdr_put(2, VIRTIO_BLK_T_OUT, 0)), 16);
	post((struct vdrv_seg[]){ { DATA + 0x8000, 16 + 512, 0 },
				  { HDRS + 2 * 32 + 16, 1, W } },
	     2);
	run_posted();
	ck_assert_uint_eq(status_of(2), VIRTIO_BLK_S_IOERR);
	assert_file_untouched(0, 512);
}
END_TEST

/*
 * Status 0 while reads are in flight: reset() returns with nothing in
 * flight, and nothing writes guest memory afterwards; the device then
 * serves again. Repeated, with both caches, to hit the window.
 */
static void reset_round(unsigned int round)
{
	const uint32_t len = 64 * 1024;
	struct timespec pause = { 0, (long)round * 20000 };
	uint16_t idx;

	driver_init(BLK_FEATURES);
	for (unsigned int k = 0; k < 64; k++)
		post_req(k, VIRTIO_BLK_T_IN,
			 (k * 128 + round) % (IMG_SECTORS - 128),
			 DATA + (uint64_t)len * k, len);
	vdrv_vq_publish(&vq);
	kick();
	nanosleep(&pause, NULL);
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_STATUS), 0);
	idx = vdrv_vq_used_idx(&vq);
	memset(gptr(DATA), 0x5a, 64 * len);
	memset(gptr(HDRS), 0x5a, 64 * 32);
	pause.tv_nsec = 20 * 1000 * 1000;
	nanosleep(&pause, NULL);
	ck_assert_uint_eq(vdrv_vq_used_idx(&vq), idx);
	assert_bytes(DATA, 0x5a, 64 * len);
	assert_bytes(HDRS, 0x5a, 64 * 32);
}

START_TEST(test_reset_in_flight)
{
	enum disk_cache cache = _i ? DISK_CACHE_NONE : DISK_CACHE_WRITEBACK;

	img = image_new(IMG_SECTORS * 512ULL);
	device_new(img, false, cache);
	for (unsigned int round = 0; round < 16; round++)
		reset_round(round);
	assert_recovers();
}
END_TEST

/* Destroyed with requests in flight and the driver never resetting. */
START_TEST(test_destroy_in_flight)
{
	disk_up(false, DISK_CACHE_NONE, BLK_FEATURES);
	for (unsigned int k = 0; k < 64; k++)
		post_req(k, VIRTIO_BLK_T_IN, k * 128, DATA + 65536ULL * k,
			 65536);
	vdrv_vq_publish(&vq);
	kick();
	virtio_blk_destroy(blk);
	blk = NULL;
}
END_TEST

/*
 * Leaves exactly @n file descriptors to open: fills every free number
 * below the highest open one (with /dev/null) and sets RLIMIT_NOFILE
 * just above it, plus @n. Check runs each test in a process of its own.
 */
static void fd_budget(unsigned int n)
{
	struct rlimit lim;
	struct dirent *e;
	DIR *d;
	int fd, top = 0;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &lim), 0);
	lim.rlim_cur = lim.rlim_max; /* a budget set before: lift it */
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (atoi(e->d_name) > top && atoi(e->d_name) != dirfd(d))
			top = atoi(e->d_name);
	closedir(d);
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0 && fd < top)
		;
	ck_assert_int_gt(fd, top);
	close(fd);
	lim.rlim_cur = (rlim_t)top + 1 + n;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
}

/* Open file descriptors, under fd_budget()'s limit; needs none free. */
static int fds_open(void)
{
	struct rlimit lim;
	int n = 0;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &lim), 0);
	ck_assert(lim.rlim_cur < (1u << 20));
	for (int fd = 0; fd < (int)lim.rlim_cur; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

/*
 * The host refusing file descriptors at each step of creating a disk
 * that takes one: the image's lock, the image, the stop eventfd, the
 * io_uring. Each failure is one line naming the step and why, and closes
 * what it opened; with four to spare the disk comes up, holding four. Under
 * ASan, memory leaked on those paths fails too.
 */
START_TEST(test_create_out_of_fds)
{
	static const char *const says[] = {
		": Too many open files", /* the image's lock (blk_image.h) */
		": Too many open files", /* the image for I/O */
		"creating its stop eventfd: Too many open files; RLIMIT_NOFILE (ulimit -n) is ",
		"creating its io_uring (512 entries): Too many open files; RLIMIT_NOFILE (ulimit -n) is ",
	};
	struct disk_spec spec = { .cache = DISK_CACHE_WRITEBACK };
	struct virtio_mmio_irq irq = { vdrv_eventfd_signal, &irq_fd };
	char *cap_path = unit_temp_file(""), out[1024];
	int cap = open(cap_path, O_RDWR | O_APPEND), saved = dup(2), ret;
	ssize_t len;
	int before;

	ck_assert_int_ge(cap, 0);
	ck_assert_int_ge(saved, 0);
	img = image_new(IMG_SECTORS * 512ULL);
	snprintf(spec.path, sizeof(spec.path), "%s", img);
	for (unsigned int n = 0; n <= 4; n++) {
		fd_budget(n);
		ck_assert_int_eq(ftruncate(cap, 0), 0);
		before = fds_open();
		dup2(cap, 2);
		ret = virtio_blk_create(&spec, &mem, &irq, &kick_fd, NULL,
					&blk);
		dup2(saved, 2);
		ck_assert_int_eq(fds_open(), before + (ret ? 0 : 4));
		len = pread(cap, out, sizeof(out) - 1, 0);
		ck_assert_int_ge(len, 0);
		out[len] = '\0';
		if (n == 4) {
			ck_assert_msg(ret == 0 && len == 0, "%d: %s", ret, out);
			break;
		}
		ck_assert_int_eq(ret, -EMFILE);
		ck_assert_msg(strncmp(out, "tinyvmm: virtio-blk", 19) == 0 &&
				      strchr(out, '\n') == out + len - 1 &&
				      strstr(out, says[n]),
			      "%u fds: \"%s\"", n, out);
	}
	close(cap);
	close(saved);
	unlink(cap_path);
	free(cap_path);
}
END_TEST

/* What an -ENOMEM from io_uring_setup() is put down to, with the limit. */
START_TEST(test_uring_enomem_hint)
{
	struct rlimit lim;
	char hint[256];

	ck_assert_int_eq(getrlimit(RLIMIT_MEMLOCK, &lim), 0);
	lim.rlim_cur = 64 * 1024;
	ck_assert_int_eq(setrlimit(RLIMIT_MEMLOCK, &lim), 0);
	blk_uring_setup_hint(-ENOMEM, hint, sizeof(hint));
	ck_assert_msg(
		strstr(hint, "memory cgroup") &&
			strstr(hint,
			       "RLIMIT_MEMLOCK is too low (ulimit -l: 64 KiB)"),
		"%s", hint);
	blk_uring_setup_hint(-EPERM, hint, sizeof(hint));
	ck_assert_ptr_nonnull(strstr(hint, "kernel.io_uring_disabled"));
	ck_assert_str_eq(blk_uring_setup_hint(-EINVAL, hint, sizeof(hint)), "");
}
END_TEST

/* Submits the one SQE prepared on @ring; returns its CQE's result. */
static int submit_one(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res;

	ck_assert_int_eq(io_uring_submit(ring), 1);
	ck_assert_int_eq(io_uring_wait_cqe(ring, &cqe), 0);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/*
 * The dataplane's ring serves the dataplane and nothing else, so a
 * thread taken over cannot use it to get around seccomp: a read of the
 * registered image works; a read of a plain fd, opening a file, and
 * registering another file are refused with EACCES.
 */
START_TEST(test_uring_restricted)
{
	struct blk_disk disk = { .capacity = IMG_SECTORS };
	struct io_uring_sqe *sqe;
	struct blk_uring u;
	uint8_t buf[512];
	int fd;

	img = image_new(IMG_SECTORS * 512ULL);
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(
		blk_uring_init(&u, "t", NULL, &disk, fd, false, kick_fd, NULL),
		0);

	sqe = io_uring_get_sqe(&u.ring);
	io_uring_prep_read(sqe, 0, buf, sizeof(buf), 1024);
	sqe->flags |= IOSQE_FIXED_FILE;
	ck_assert_int_eq(submit_one(&u.ring), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], pattern(1024 + i));

	sqe = io_uring_get_sqe(&u.ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
	ck_assert_int_eq(submit_one(&u.ring), -EACCES);

	sqe = io_uring_get_sqe(&u.ring);
	io_uring_prep_openat(sqe, AT_FDCWD, img, O_RDONLY, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	ck_assert_int_eq(submit_one(&u.ring), -EACCES);

	ck_assert_int_eq(io_uring_register_files_update(&u.ring, 0, &fd, 1),
			 -EACCES);
	blk_uring_fini(&u);
	close(fd);
}
END_TEST

/* io=auto picks sync only for a file in memory that io_uring would punt. */
START_TEST(test_io_choice)
{
	static const struct {
		enum disk_io want;
		struct blk_file_kind kind;
		bool sync;
	} cases[] = {
		/* tmpfs without nowait reads: io_uring would punt each one */
		{ DISK_IO_AUTO, { TMPFS_MAGIC, false, true }, true },
		{ DISK_IO_AUTO, { RAMFS_MAGIC, false, true }, true },
		/* a tmpfs that can read without blocking: io_uring does it */
		{ DISK_IO_AUTO, { TMPFS_MAGIC, true, true }, false },
		/* the probe could not tell: keep io_uring */
		{ DISK_IO_AUTO, { TMPFS_MAGIC, false, false }, false },
		/* a disk file system may block: never on the I/O thread */
		{ DISK_IO_AUTO, { EXT4_SUPER_MAGIC, true, true }, false },
		{ DISK_IO_AUTO, { NFS_SUPER_MAGIC, false, true }, false },
		{ DISK_IO_AUTO, { 0, false, false }, false },
		/* what the user asks for wins */
		{ DISK_IO_SYNC, { EXT4_SUPER_MAGIC, true, true }, true },
		{ DISK_IO_URING, { TMPFS_MAGIC, false, true }, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;

		ck_assert_msg(blk_sync_chosen(cases[i].want, &cases[i].kind,
					      &why) == cases[i].sync,
			      "case %zu", i);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

/* A memfd is tmpfs, and the probe's read says whether nowait works. */
START_TEST(test_io_probe_memfd)
{
	struct blk_file_kind kind;
	int fd = memfd_create("tinyvmm-test", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 4096), 0);
	blk_file_probe(fd, 0, &kind);
	ck_assert_int_eq(kind.fs_type, (long)TMPFS_MAGIC);
	ck_assert(kind.nowait_known);
	close(fd);
}
END_TEST

/* A spec for @path: read-only or not, locked unless @no_lock. */
static struct disk_spec lock_spec(const char *path, bool ro, bool no_lock)
{
	struct disk_spec spec = { .read_only = ro, .no_lock = no_lock };

	snprintf(spec.path, sizeof(spec.path), "%s", path);
	return spec;
}

/* blk_image_open()'s result for @path; the image, if opened, in *@im. */
static int image_try(const char *path, bool ro, bool no_lock,
		     struct blk_image *im)
{
	struct disk_spec spec = lock_spec(path, ro, no_lock);

	return blk_image_open(&spec, im);
}

/* --disk d.img --disk d.img: the second device is refused, "in use". */
START_TEST(test_lock_double_attach)
{
	struct virtio_mmio_irq irq = { vdrv_eventfd_signal, &irq_fd };
	struct virtio_blk *second = NULL;
	struct disk_spec spec;

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	spec = lock_spec(img, false, false);
	ck_assert_int_eq(
		virtio_blk_create(&spec, &mem, &irq, &kick_fd, NULL, &second),
		-EBUSY);
	spec.read_only = true; /* a reader next to a writer: refused too */
	ck_assert_int_eq(
		virtio_blk_create(&spec, &mem, &irq, &kick_fd, NULL, &second),
		-EBUSY);
	/* lock=off on the second: let through, for those who know why. */
	spec = lock_spec(img, false, true);
	ck_assert_int_eq(
		virtio_blk_create(&spec, &mem, &irq, &kick_fd, NULL, &second),
		0);
	virtio_blk_destroy(second);
}
END_TEST

/*
 * A device that did I/O through io_uring and is destroyed leaves its
 * image free at once (the lock is not on the fd the ring holds).
 */
START_TEST(test_lock_released_after_io)
{
	struct blk_image im;

	disk_up(false, DISK_CACHE_WRITEBACK, BLK_FEATURES);
	ck_assert_int_eq(image_try(img, true, false, &im), -EBUSY);
	ck_assert_uint_eq(run_req(VIRTIO_BLK_T_IN, 0, DATA, 4096),
			  VIRTIO_BLK_S_OK);
	virtio_mmio_worker_stop(worker);
	virtio_blk_destroy(blk);
	virtio_mmio_worker_destroy(worker);
	blk = NULL;
	worker = vdrv_worker_start(); /* for the teardown */
	ck_assert_int_eq(image_try(img, false, false, &im), 0);
	blk_image_close(&im);
}
END_TEST

/* The check before /dev/kvm holds every image at once, then lets go. */
START_TEST(test_lock_check_all)
{
	struct disk_spec specs[3];
	struct blk_image im;

	img = image_new(4096);
	specs[0] = lock_spec(img, false, false);
	specs[1] = lock_spec("/nonexistent/vub.sock", false, false);
	specs[1].vhost_user = true; /* the backend's image: not ours */
	specs[2] = specs[0];
	ck_assert_int_eq(blk_image_check(specs, 2), 0);
	ck_assert_int_eq(blk_image_check(specs, 3), -EBUSY);
	specs[0].read_only = specs[2].read_only = true;
	ck_assert_int_eq(blk_image_check(specs, 3), 0); /* two readers */
	specs[2].no_lock = true;
	specs[0].read_only = specs[2].read_only = false;
	ck_assert_int_eq(blk_image_check(specs, 3), 0);
	/* Nothing stays locked after the check. */
	ck_assert_int_eq(image_try(img, false, false, &im), 0);
	blk_image_close(&im);
}
END_TEST

/* Read-only users share an image; a writer excludes them and they it. */
START_TEST(test_lock_read_only_pair)
{
	struct blk_image a, b, unused;

	img = image_new(4096);
	ck_assert_int_eq(image_try(img, true, false, &a), 0);
	ck_assert_int_eq(image_try(img, true, false, &b), 0);
	ck_assert_int_eq(image_try(img, false, false, &unused), -EBUSY);
	blk_image_close(&b);
	ck_assert_int_eq(image_try(img, false, false, &unused), -EBUSY);
	blk_image_close(&a); /* the last reader gone: a writer may come */
	ck_assert_int_eq(image_try(img, false, false, &a), 0);
	ck_assert_int_eq(image_try(img, true, false, &unused), -EBUSY);
	blk_image_close(&a);
}
END_TEST

/*
 * A second process (a second tinyvmm: the child takes the lock with the
 * same call) keeps the image until it exits, whatever the parent asks.
 */
START_TEST(test_lock_second_process)
{
	struct blk_image im, unused;
	int go[2], done[2], status;
	char c = 0;
	pid_t pid;

	img = image_new(4096);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(done), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(go[0]);
		close(done[1]);
		if (image_try(img, false, false, &im))
			_exit(1);
		if (write(go[1], "k", 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(2);
		_exit(0); /* the lock goes with the process */
	}
	close(go[1]);
	close(done[0]);
	ck_assert_int_eq(read(go[0], &c, 1), 1); /* the child holds it */
	ck_assert_int_eq(image_try(img, false, false, &unused), -EBUSY);
	ck_assert_int_eq(image_try(img, true, false, &unused), -EBUSY);
	ck_assert_int_eq(image_try(img, false, true, &im), 0); /* lock=off */
	ck_assert_int_eq(im.lock_fd, -1);
	blk_image_close(&im);
	close(done[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(image_try(img, false, false, &im), 0);
	blk_image_close(&im);
	close(go[0]);
}
END_TEST

/* The cases that move data: run once per way of doing the I/O. */
static TCase *data_case(const char *name, void (*fixture)(void))
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, fixture, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_write_flush);
	tcase_add_test(tc, test_bad_range);
	tcase_add_test(tc, test_read_only);
	tcase_add_test(tc, test_split_header);
	tcase_add_test(tc, test_indirect);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_cache_none);
	tcase_add_loop_test(tc, test_reset_in_flight, 0, 2);
	tcase_add_test(tc, test_destroy_in_flight);
	return tc;
}

static Suite *blk_suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = data_case("device", setup);

	/* The transport and the ring's own cases need one way only. */
	tcase_add_test(tc, test_get_id);
	tcase_add_test(tc, test_status_shares_data);
	tcase_add_test(tc, test_loop_chain);
	tcase_add_test(tc, test_unanswerable);
	tcase_add_test(tc, test_plain_ring_notify_register);
	tcase_add_test(tc, test_create_out_of_fds);
	tcase_add_test(tc, test_uring_enomem_hint);
	tcase_add_test(tc, test_uring_restricted);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, data_case("device-io-sync", setup_sync));
	tc = tcase_create("image-lock");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lock_double_attach);
	tcase_add_test(tc, test_lock_released_after_io);
	tcase_add_test(tc, test_lock_check_all);
	tcase_add_test(tc, test_lock_read_only_pair);
	tcase_add_test(tc, test_lock_second_process);
	suite_add_tcase(s, tc);
	tc = tcase_create("io-choice");
	tcase_add_test(tc, test_io_choice);
	tcase_add_test(tc, test_io_probe_memfd);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(blk_suite());
}
