// SPDX-License-Identifier: MIT
/*
 * The vhost-user-blk front-end, driven through its virtio-mmio registers
 * the way a guest driver would, with no KVM: plain eventfds stand in for
 * the ioeventfd (kick) and the irqfd (call).
 *
 *  - "qemu-storage-daemon": the real back-end serves a temporary image;
 *    the test posts virtio-blk requests in a split ring in shared guest
 *    RAM and checks status bytes, used entries and the image's bytes.
 *  - "fake back-end": a thread plays the back-end on a unix socket, by a
 *    table of cases, each breaking one reply in one way (or not at all);
 *    creation and activation must fail cleanly with the expected error.
 *  - "protocol": timeouts and refusals of the vhost-user layer itself.
 *
 * Without qemu-storage-daemon the rest still runs, and the program exits
 * 77 (meson's "skipped") to say the real back-end was not tried.
 */
#include <check.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "virtio/vhost_user.h"
#include "virtio/vhost_user_blk.h"
#include "tests/unit/virtio_driver.h"

#define BIT(n) (1ULL << (n))
#define BASE 0x40000000ULL
#define SIZE 0x100000ULL
#define QSZ 16
#define DESC BASE
#define AVAIL (BASE + 0x1000)
#define USED (BASE + 0x2000)
#define HDR (BASE + 0x10000)
#define STATUS (BASE + 0x11000)
#define DATA (BASE + 0x20000) /* 64 KiB of buffers */
#define DATA2 (BASE + 0x30000)
#define IMG_SIZE (16ULL << 20)
#define WAIT_MS 5000

/* ---- Shared state: one device at a time, set up per test. ---- */

static char dir[64], img[96], sock[96], qsd_bin[256];
static pid_t qsd_pid;
static struct guest_mem mem;
static int kick_fd = -1, call_fd = -1, irq_signals;
static struct vhost_user_blk *vub;
static struct virtio_mmio_dev *dev;
static struct vdrv_vq vq; /* the driver's side of queue 0 */

static int count_signal(void *opaque)
{
	irq_signals++;
	return 0;
}

static const struct virtio_mmio_irq irq = { count_signal, NULL };

static void make_dir(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/tvub-XXXXXX",
		 t && *t && strlen(t) < 40 ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	snprintf(sock, sizeof(sock), "%s/vub.sock", dir);
}

static void remove_dir(void)
{
	unlink(img);
	unlink(sock);
	rmdir(dir);
}

/* Shared guest RAM and the two eventfds; no device yet. */
static void mem_setup(void)
{
	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(guest_mem_add_shared(&mem, BASE, SIZE), 0);
	vdrv_vq_init(&vq, &mem, QSZ, DESC, AVAIL, USED);
	kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(kick_fd, 0);
	ck_assert_int_ge(call_fd, 0);
	irq_signals = 0;
	vub = NULL;
	dev = NULL;
}

static void mem_teardown(void)
{
	vhost_user_blk_destroy(vub);
	vub = NULL;
	guest_mem_destroy(&mem);
	close(kick_fd);
	close(call_fd);
}

static int create(bool read_only)
{
	struct disk_spec spec = { .vhost_user = true, .read_only = read_only };
	int ret;

	snprintf(spec.path, sizeof(spec.path), "%s", sock);
	ret = vhost_user_blk_create(&spec, &mem, &irq, &kick_fd, call_fd, NULL,
				    &vub);
	dev = ret ? NULL : vhost_user_blk_mmio(vub);
	if (ret)
		vub = NULL;
	return ret;
}

/* ---- The guest driver's side. ---- */

static void *gptr(uint64_t gpa, uint64_t len)
{
	return vdrv_ptr(&mem, gpa, len);
}

static bool needs_reset(void)
{
	return vdrv_needs_reset(dev);
}

/*
 * Spec 3.1.1, through DRIVER_OK, on fresh rings. No EVENT_IDX: with
 * flags 0 in the available ring, every used buffer interrupts.
 */
static void driver_up(void)
{
	uint64_t features =
		vdrv_device_features(dev) & ~BIT(VIRTIO_RING_F_EVENT_IDX);

	vdrv_vq_reset(&vq);
	vdrv_negotiate(dev, features);
	ck_assert(vdrv_rd(dev, VIRTIO_MMIO_STATUS) &
		  VIRTIO_CONFIG_S_FEATURES_OK);
	vdrv_vq_setup(dev, 0, &vq);
	vdrv_driver_ok(dev);
}

/* Sleeps on the call eventfd until the used index reaches @target. */
static void wait_used(uint16_t target)
{
	struct pollfd p = { .fd = call_fd, .events = POLLIN };
	uint64_t n;

	while (vdrv_vq_used_idx(&vq) != target) {
		ck_assert_msg(
			poll(&p, 1, WAIT_MS) == 1,
			"no interrupt within %d ms (used idx %u, want %u)",
			WAIT_MS, vdrv_vq_used_idx(&vq), target);
		ck_assert_int_eq(read(call_fd, &n, sizeof(n)), sizeof(n));
	}
}

/*
 * One virtio-blk request (spec 5.2.6): header, @len bytes at @data
 * (device-writable for reads), status byte. Returns the status.
 */
static uint8_t blk_request(uint32_t type, uint64_t sector, uint64_t data,
			   uint32_t len)
{
	struct virtio_blk_outhdr *h = gptr(HDR, sizeof(*h));
	uint8_t *status = gptr(STATUS, 1);
	uint16_t head = (uint16_t)((vq.avail_idx % 5) * 3);
	struct vdrv_seg segs[3] = {
		{ HDR, sizeof(*h), 0 },
		{ data, len, type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0 },
		{ STATUS, 1, VRING_DESC_F_WRITE },
	};

	*h = (struct virtio_blk_outhdr){ .type = htole32(type),
					 .sector = htole64(sector) };
	*status = 0xff;
	if (!len)
		segs[1] = segs[2];
	vq.next_desc = head;
	vdrv_vq_add(&vq, segs, len ? 3 : 2);
	/* No ioeventfd here: the transport passes the write on to kick_fd. */
	vdrv_notify(dev, 0);
	wait_used(vq.avail_idx);
	ck_assert_uint_eq(vdrv_vq_used_elem(&vq, vq.avail_idx - 1).id, head);
	return *status;
}

/* ---- qemu-storage-daemon ---- */

static bool find_qsd(void)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	bool found = false;

	copy = strdup(path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(copy, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(qsd_bin, sizeof(qsd_bin), "%s/qemu-storage-daemon", d);
		found = access(qsd_bin, X_OK) == 0;
	}
	free(copy);
	return found;
}

static bool can_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void qsd_start(void)
{
	char blockdev[256], export[256];
	int fd;

	make_dir();
	fd = open(img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)IMG_SIZE), 0);
	/* Sector 100 holds a pattern for the guest to read. */
	for (int i = 0; i < 512; i++)
		ck_assert_int_eq(pwrite(fd, &(uint8_t){ (uint8_t)(i * 7) }, 1,
					100 * 512 + i),
				 1);
	close(fd);
	snprintf(blockdev, sizeof(blockdev),
		 "driver=file,node-name=f,filename=%s", img);
	snprintf(
		export, sizeof(export),
		"type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=%s,writable=on",
		sock);
	qsd_pid = fork();
	ck_assert_int_ge(qsd_pid, 0);
	if (qsd_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(qsd_bin, qsd_bin, "--blockdev", blockdev, "--export",
		      export, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500 && !can_connect(sock); i++)
		usleep(20 * 1000);
	ck_assert_msg(can_connect(sock),
		      "qemu-storage-daemon did not listen on %s", sock);
}

static void qsd_stop(void)
{
	int status;

	if (qsd_pid > 0) {
		kill(qsd_pid, SIGTERM);
		waitpid(qsd_pid, &status, 0);
	}
	qsd_pid = 0;
	remove_dir();
}

static void read_image(uint64_t off, void *buf, size_t len)
{
	int fd = open(img, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

START_TEST(test_qsd_config)
{
	struct virtio_blk_config c;
	uint64_t f;

	ck_assert_int_eq(create(false), 0);
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	vdrv_wr(dev, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_QUEUE_NUM_MAX),
			  VHOST_USER_BLK_QUEUE_SIZE);
	f = vdrv_device_features(dev);
	ck_assert(f & BIT(VIRTIO_F_VERSION_1));
	ck_assert(!(f & BIT(VIRTIO_BLK_F_MQ))); /* one queue here */
	ck_assert(!(f & BIT(VIRTIO_BLK_F_CONFIG_WCE)));
	ck_assert(!(f & BIT(VHOST_USER_F_PROTOCOL_FEATURES)));
	ck_assert(!(f & BIT(VIRTIO_BLK_F_RO)));
	/* Config space as a driver reads it: 4 bytes at a time. */
	for (uint32_t off = 0; off < 20; off += 4)
		virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG + off,
				 (uint8_t *)&c + off, 4);
	ck_assert_uint_eq(le64toh(c.capacity), IMG_SIZE / 512);
	/* The back-end may interrupt behind the transport's back. */
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_INTERRUPT_STATUS) &
				  VIRTIO_MMIO_INT_VRING,
			  VIRTIO_MMIO_INT_VRING);
	vhost_user_blk_destroy(vub);
	vub = NULL;
	/* ",ro" is offered to the guest; the daemon takes a new client. */
	ck_assert_int_eq(create(true), 0);
	ck_assert(vdrv_device_features(dev) & BIT(VIRTIO_BLK_F_RO));
}
END_TEST

START_TEST(test_qsd_write_read)
{
	uint8_t *w = gptr(DATA, 4096), *r = gptr(DATA2, 4096), back[4096];

	ck_assert_int_eq(create(false), 0);
	driver_up();
	ck_assert(!needs_reset());
	for (int i = 0; i < 4096; i++)
		w[i] = (uint8_t)(i ^ 0x5a);
	ck_assert_uint_eq(blk_request(VIRTIO_BLK_T_OUT, 8, DATA, 4096),
			  VIRTIO_BLK_S_OK);
	read_image(8 * 512, back, sizeof(back));
	ck_assert_mem_eq(back, w, 4096);
	memset(r, 0, 4096);
	ck_assert_uint_eq(blk_request(VIRTIO_BLK_T_IN, 8, DATA2, 4096),
			  VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(r, w, 4096);
	/* What the image held before: the pattern at sector 100. */
	ck_assert_uint_eq(blk_request(VIRTIO_BLK_T_IN, 100, DATA2, 512),
			  VIRTIO_BLK_S_OK);
	for (int i = 0; i < 512; i++)
		ck_assert_uint_eq(r[i], (uint8_t)(i * 7));
	if (vdrv_device_features(dev) & BIT(VIRTIO_BLK_F_FLUSH))
		ck_assert_uint_eq(blk_request(VIRTIO_BLK_T_FLUSH, 0, 0, 0),
				  VIRTIO_BLK_S_OK);
	/* The back-end checks bounds: past the end is an error, not a write. */
	ck_assert_uint_eq(
		blk_request(VIRTIO_BLK_T_OUT, IMG_SIZE / 512, DATA, 512),
		VIRTIO_BLK_S_IOERR);
	ck_assert(!needs_reset());
}
END_TEST

/* Status 0 stops the ring (GET_VRING_BASE); a new driver starts over. */
START_TEST(test_qsd_reset_and_restart)
{
	uint8_t *w = gptr(DATA, 512), back[512];

	ck_assert_int_eq(create(false), 0);
	driver_up();
	memset(w, 0x11, 512);
	ck_assert_uint_eq(blk_request(VIRTIO_BLK_T_OUT, 1, DATA, 512),
			  VIRTIO_BLK_S_OK);
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_STATUS), 0);
	driver_up();
	ck_assert(!needs_reset());
	memset(w, 0x22, 512);
	ck_assert_uint_eq(blk_request(VIRTIO_BLK_T_OUT, 2, DATA, 512),
			  VIRTIO_BLK_S_OK);
	read_image(512, back, 512);
	ck_assert_uint_eq(back[0], 0x11);
	read_image(1024, back, 512);
	ck_assert_uint_eq(back[511], 0x22);
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
}
END_TEST

/* ---- A fake back-end ---- */

enum fault {
	F_NONE,
	F_WRONG_CODE,  /* the reply names another request */
	F_NOT_REPLY,   /* REPLY flag missing */
	F_BAD_VERSION, /* version 2 */
	F_TOO_BIG,     /* a size far above the request's reply */
	F_HUGE,	       /* size 0xffffffff */
	F_SHORT,       /* a well-formed reply, 4 bytes too short */
	F_TRUNCATED,   /* the header promises more than comes: then EOF */
	F_CLOSE,       /* hang up instead of answering */
	F_NACK,	       /* an ack with status 1 (stays in step) */
	F_EMPTY,       /* GET_CONFIG's "no": an empty reply (stays in step) */
	F_BAD_ECHO,    /* GET_CONFIG: another offset than asked */
	F_ZERO,	       /* GET_QUEUE_NUM: 0 */
	F_BAD_INDEX,   /* GET_VRING_BASE: about another ring */
	F_STRAY_FD,    /* a correct reply with an fd attached */
	F_LAST,	       /* a correct reply, then hang up */
};

#define FAKE_FEATURES                                                    \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VHOST_USER_F_PROTOCOL_FEATURES) | \
	 BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_BLK_F_MQ) |                \
	 BIT(VIRTIO_RING_F_EVENT_IDX))
#define FAKE_PROTOCOL                           \
	(BIT(VHOST_USER_PROTOCOL_F_CONFIG) |    \
	 BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) | \
	 BIT(VHOST_USER_PROTOCOL_F_MQ) |        \
	 BIT(1) /* LOG_SHMFD: not asked for */)
#define FAKE_CAPACITY 2048

struct fake_case {
	const char *name;
	uint32_t at; /* the request whose reply goes wrong */
	enum fault fault;
	uint64_t features, protocol; /* what the fake offers */
	int expect;		     /* vhost_user_blk_create()'s result */
};

static const struct fake_case create_cases[] = {
	{ "all well", 0, F_NONE, FAKE_FEATURES, FAKE_PROTOCOL, 0 },
	{ "no REPLY_ACK, no MQ", 0, F_NONE, FAKE_FEATURES,
	  BIT(VHOST_USER_PROTOCOL_F_CONFIG), 0 },
	{ "stray fd", VHOST_USER_GET_FEATURES, F_STRAY_FD, FAKE_FEATURES,
	  FAKE_PROTOCOL, 0 },
	{ "wrong code", VHOST_USER_GET_FEATURES, F_WRONG_CODE, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EPROTO },
	{ "no REPLY flag", VHOST_USER_GET_FEATURES, F_NOT_REPLY, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EPROTO },
	{ "version 2", VHOST_USER_GET_PROTOCOL_FEATURES, F_BAD_VERSION,
	  FAKE_FEATURES, FAKE_PROTOCOL, -EPROTO },
	{ "size too big", VHOST_USER_GET_FEATURES, F_TOO_BIG, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EPROTO },
	{ "size 4 GiB", VHOST_USER_GET_PROTOCOL_FEATURES, F_HUGE, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EPROTO },
	{ "size short", VHOST_USER_GET_FEATURES, F_SHORT, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EPROTO },
	{ "truncated", VHOST_USER_GET_FEATURES, F_TRUNCATED, FAKE_FEATURES,
	  FAKE_PROTOCOL, -ECONNRESET },
	{ "hang-up", VHOST_USER_GET_PROTOCOL_FEATURES, F_CLOSE, FAKE_FEATURES,
	  FAKE_PROTOCOL, -ECONNRESET },
	{ "hang-up on SET_OWNER", VHOST_USER_SET_OWNER, F_CLOSE, FAKE_FEATURES,
	  FAKE_PROTOCOL, -ECONNRESET },
	{ "no protocol features", 0, F_NONE,
	  FAKE_FEATURES & ~BIT(VHOST_USER_F_PROTOCOL_FEATURES), FAKE_PROTOCOL,
	  -EPROTO },
	{ "no VERSION_1", 0, F_NONE, FAKE_FEATURES & ~BIT(VIRTIO_F_VERSION_1),
	  FAKE_PROTOCOL, -EPROTO },
	{ "no CONFIG", 0, F_NONE, FAKE_FEATURES,
	  BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK), -EPROTO },
	{ "no queues", VHOST_USER_GET_QUEUE_NUM, F_ZERO, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EPROTO },
	{ "config refused", VHOST_USER_GET_CONFIG, F_EMPTY, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EREMOTEIO },
	{ "config elsewhere", VHOST_USER_GET_CONFIG, F_BAD_ECHO, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EPROTO },
	{ "config truncated", VHOST_USER_GET_CONFIG, F_TRUNCATED, FAKE_FEATURES,
	  FAKE_PROTOCOL, -ECONNRESET },
	{ "config too big", VHOST_USER_GET_CONFIG, F_TOO_BIG, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EPROTO },
	{ "mem table refused", VHOST_USER_SET_MEM_TABLE, F_NACK, FAKE_FEATURES,
	  FAKE_PROTOCOL, -EREMOTEIO },
	{ "mem table ack hang-up", VHOST_USER_SET_MEM_TABLE, F_CLOSE,
	  FAKE_FEATURES, FAKE_PROTOCOL, -ECONNRESET },
};

/* What the fake saw of each message. */
struct seen {
	uint32_t request, flags, size;
	uint8_t payload[320];
	int nr_fds;
	ino_t ino; /* of the first fd */
};

#define MAX_SEEN 64

struct fake {
	int listen_fd;
	pthread_t thread;
	const struct fake_case *c;
	struct seen seen[MAX_SEEN];
	unsigned int nr_seen;
	struct virtio_blk_config config;
};

static struct fake fk;

static void fake_listen(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	fk.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fk.listen_fd, 0);
	ck_assert_int_eq(bind(fk.listen_fd, (struct sockaddr *)&a, sizeof(a)),
			 0);
	ck_assert_int_eq(listen(fk.listen_fd, 1), 0);
}

/* One whole message, its fds recorded (first one's inode) and closed. */
static bool fake_read(int fd, struct seen *s)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} ctl;
	struct vhost_user_hdr h;
	struct iovec iov = { &h, sizeof(h) };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl) };
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (recvmsg(fd, &m, MSG_WAITALL) != sizeof(h))
		return false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		int fds[8];

		s->nr_fds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		memcpy(fds, CMSG_DATA(c), sizeof(int) * s->nr_fds);
		if (fstat(fds[0], &st) == 0)
			s->ino = st.st_ino;
		for (int i = 0; i < s->nr_fds; i++)
			close(fds[i]);
	}
	s->request = h.request;
	s->flags = h.flags;
	s->size = h.size;
	/* (A 0-byte MSG_WAITALL recv() would wait for the next message.) */
	return h.size <= sizeof(s->payload) &&
	       (h.size == 0 ||
		recv(fd, s->payload, h.size, MSG_WAITALL) == (ssize_t)h.size);
}

static void fake_send(int fd, uint32_t req, uint32_t flags, uint32_t size,
		      const void *payload, uint32_t len, int pass_fd)
{
	struct vhost_user_hdr h = { req, flags, size };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, len } };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	if (pass_fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	if (sendmsg(fd, &m, MSG_NOSIGNAL) < 0) {
		/* the front-end may have gone already */
	}
}

/* The well-behaved answer to @s, if it has one: its payload and size. */
static uint32_t fake_answer(const struct seen *s, uint8_t *out)
{
	uint64_t v;

	switch (s->request) {
	case VHOST_USER_GET_FEATURES:
		v = fk.c->features;
		break;
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		v = fk.c->protocol;
		break;
	case VHOST_USER_GET_QUEUE_NUM:
		v = 1;
		break;
	case VHOST_USER_GET_CONFIG: {
		struct vhost_user_config cfg;

		memcpy(&cfg, s->payload, 12);
		memcpy(cfg.data, &fk.config, sizeof(fk.config));
		memcpy(out, &cfg, 12 + cfg.size);
		return 12 + cfg.size;
	}
	case VHOST_USER_GET_VRING_BASE:
		memcpy(out, s->payload, 8); /* the index, num 0 */
		memset(out + 4, 0, 4);
		return 8;
	default:
		if (!(s->flags & VHOST_USER_FLAG_NEED_REPLY))
			return 0;
		v = 0; /* the ack */
	}
	memcpy(out, &v, 8);
	return 8;
}

/* Breaks the answer as the case says; false: hang up afterwards. */
static bool fake_fault(int fd, const struct seen *s, uint8_t *ans, uint32_t len)
{
	const uint32_t r = s->request,
		       ok = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY;
	uint64_t one = 1;

	switch (fk.c->fault) {
	case F_WRONG_CODE:
		fake_send(fd, r + 1, ok, len, ans, len, -1);
		break;
	case F_NOT_REPLY:
		fake_send(fd, r, VHOST_USER_VERSION, len, ans, len, -1);
		break;
	case F_BAD_VERSION:
		fake_send(fd, r, 2 | VHOST_USER_FLAG_REPLY, len, ans, len, -1);
		break;
	case F_TOO_BIG:
		fake_send(fd, r, ok, 4096, ans, len, -1);
		break;
	case F_HUGE:
		fake_send(fd, r, ok, UINT32_MAX, ans, len, -1);
		break;
	case F_SHORT:
		fake_send(fd, r, ok, len - 4, ans, len - 4, -1);
		break;
	case F_TRUNCATED:
		fake_send(fd, r, ok, len, ans, len / 2, -1);
		break;
	case F_CLOSE:
		break;
	case F_NACK:
		fake_send(fd, r, ok, 8, &one, 8, -1);
		return true;
	case F_EMPTY:
		fake_send(fd, r, ok, 0, NULL, 0, -1);
		return true;
	case F_BAD_ECHO:
		ans[0] = 4; /* offset */
		fake_send(fd, r, ok, len, ans, len, -1);
		break;
	case F_ZERO:
		memset(ans, 0, 8);
		fake_send(fd, r, ok, len, ans, len, -1);
		return true;
	case F_BAD_INDEX:
		ans[0] ^= 1;
		fake_send(fd, r, ok, len, ans, len, -1);
		return true;
	case F_STRAY_FD:
		fake_send(fd, r, ok, len, ans, len, kick_fd);
		return true;
	case F_LAST:
		fake_send(fd, r, ok, len, ans, len, -1);
		break;
	case F_NONE:
		break;
	}
	return false;
}

static void *fake_serve(void *arg)
{
	struct pollfd p = { .fd = fk.listen_fd, .events = POLLIN };
	uint8_t ans[512];
	int fd;

	if (poll(&p, 1, WAIT_MS) != 1)
		return NULL;
	fd = accept4(fk.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (fd >= 0 && fk.nr_seen < MAX_SEEN) {
		struct seen *s = &fk.seen[fk.nr_seen];
		uint32_t len;

		if (!fake_read(fd, s))
			break;
		fk.nr_seen++;
		len = fake_answer(s, ans);
		if (fk.c->fault != F_NONE && s->request == fk.c->at) {
			if (!fake_fault(fd, s, ans, len))
				break;
		} else if (len) {
			fake_send(fd, s->request,
				  VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY,
				  len, ans, len, -1);
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void fake_start(const struct fake_case *c)
{
	memset(&fk, 0, sizeof(fk));
	fk.c = c;
	fk.config.capacity = htole64(FAKE_CAPACITY);
	fake_listen();
	ck_assert_int_eq(pthread_create(&fk.thread, NULL, fake_serve, NULL), 0);
}

static void fake_stop(void)
{
	vhost_user_blk_destroy(vub); /* hangs up: the fake's loop ends */
	vub = NULL;
	pthread_join(fk.thread, NULL);
	close(fk.listen_fd);
	unlink(sock);
}

static const struct seen *seen_find(uint32_t req, unsigned int from)
{
	for (unsigned int i = from; i < fk.nr_seen; i++)
		if (fk.seen[i].request == req)
			return &fk.seen[i];
	return NULL;
}

static unsigned int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void fake_setup(void)
{
	make_dir();
	mem_setup();
}

static void fake_teardown(void)
{
	mem_teardown();
	remove_dir();
}

START_TEST(test_fake_create)
{
	const struct fake_case *c = &create_cases[_i];
	unsigned int fds_before = open_fds();
	int ret;

	fake_start(c);
	ret = create(false);
	ck_assert_msg(ret == c->expect, "%s: got %d (%s), expected %d", c->name,
		      ret, strerror(-ret), c->expect);
	fake_stop();
	ck_assert_msg(open_fds() == fds_before, "%s: %u fds before, %u after",
		      c->name, fds_before, open_fds());
}
END_TEST

/* A good session: what the back-end was told, and with which fds. */
START_TEST(test_fake_conversation)
{
	static const uint32_t order[] = {
		VHOST_USER_SET_FEATURES,     VHOST_USER_SET_VRING_NUM,
		VHOST_USER_SET_VRING_BASE,   VHOST_USER_SET_VRING_ADDR,
		VHOST_USER_SET_VRING_KICK,   VHOST_USER_SET_VRING_CALL,
		VHOST_USER_SET_VRING_ENABLE,
	};
	const struct seen *s;
	struct vhost_user_mem_table t;
	struct vhost_vring_addr a;
	struct stat st;
	unsigned int start;
	uint64_t v;

	fake_start(&create_cases[0]);
	ck_assert_int_eq(create(false), 0);
	ck_assert_uint_eq(fk.seen[0].request, VHOST_USER_SET_OWNER);
	/* Only what both sides know; LOG_SHMFD was not asked for. */
	s = seen_find(VHOST_USER_SET_PROTOCOL_FEATURES, 0);
	ck_assert_ptr_nonnull(s);
	memcpy(&v, s->payload, 8);
	ck_assert_uint_eq(v, FAKE_PROTOCOL & ~BIT(1));
	s = seen_find(VHOST_USER_SET_MEM_TABLE, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->flags & VHOST_USER_FLAG_NEED_REPLY);
	memcpy(&t, s->payload, s->size);
	ck_assert_uint_eq(s->size, 8 + 32);
	ck_assert_uint_eq(t.nr_regions, 1);
	ck_assert_uint_eq(t.regions[0].gpa, BASE);
	ck_assert_uint_eq(t.regions[0].size, SIZE);
	ck_assert_uint_eq(t.regions[0].uaddr, (uintptr_t)mem.regions[0].host);
	ck_assert_uint_eq(t.regions[0].mmap_offset, 0);
	ck_assert_int_eq(s->nr_fds, 1);
	ck_assert_int_eq(fstat(mem.regions[0].fd, &st), 0);
	ck_assert_uint_eq(s->ino, st.st_ino);
	/* Capacity from GET_CONFIG; MQ and the protocol bit not offered. */
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_CONFIG), FAKE_CAPACITY);
	ck_assert_uint_eq(vdrv_device_features(dev),
			  BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH) |
				  BIT(VIRTIO_RING_F_EVENT_IDX));
	start = fk.nr_seen;
	driver_up();
	ck_assert(!needs_reset());
	for (unsigned int i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ck_assert_uint_eq(fk.seen[start + i].request, order[i]);
		ck_assert(fk.seen[start + i].flags &
			  VHOST_USER_FLAG_NEED_REPLY);
	}
	memcpy(&v, fk.seen[start].payload, 8);
	ck_assert_uint_eq(v, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH) |
				     BIT(VHOST_USER_F_PROTOCOL_FEATURES));
	memcpy(&a, fk.seen[start + 3].payload, sizeof(a));
	ck_assert_uint_eq(a.desc_user_addr, (uintptr_t)gptr(DESC, 1));
	ck_assert_uint_eq(a.avail_user_addr, (uintptr_t)gptr(AVAIL, 1));
	ck_assert_uint_eq(a.used_user_addr, (uintptr_t)gptr(USED, 1));
	ck_assert_int_eq(fstat(kick_fd, &st), 0);
	ck_assert_uint_eq(fk.seen[start + 4].ino, st.st_ino);
	ck_assert_int_eq(fstat(call_fd, &st), 0);
	ck_assert_uint_eq(fk.seen[start + 5].ino, st.st_ino);
	/* Reset: disable, then GET_VRING_BASE, which stops the ring. */
	start = fk.nr_seen;
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(fk.nr_seen, start + 2);
	ck_assert_uint_eq(fk.seen[start].request, VHOST_USER_SET_VRING_ENABLE);
	ck_assert_uint_eq(fk.seen[start + 1].request,
			  VHOST_USER_GET_VRING_BASE);
	fake_stop();
}
END_TEST

/* Without REPLY_ACK, activation ends with a GET_FEATURES round trip. */
START_TEST(test_fake_no_reply_ack_syncs)
{
	unsigned int start;

	fake_start(&create_cases[1]);
	ck_assert_int_eq(create(false), 0);
	start = fk.nr_seen;
	driver_up();
	ck_assert(!needs_reset());
	ck_assert_uint_eq(fk.nr_seen, start + 8);
	ck_assert(!(fk.seen[start].flags & VHOST_USER_FLAG_NEED_REPLY));
	ck_assert_uint_eq(fk.seen[start + 7].request, VHOST_USER_GET_FEATURES);
	fake_stop();
}
END_TEST

/* Failures after creation: the device needs a reset, tinyvmm goes on. */
static const struct fake_case activate_cases[] = {
	{ "SET_FEATURES refused", VHOST_USER_SET_FEATURES, F_NACK,
	  FAKE_FEATURES, FAKE_PROTOCOL, 0 },
	{ "hang-up at SET_VRING_KICK", VHOST_USER_SET_VRING_KICK, F_CLOSE,
	  FAKE_FEATURES, FAKE_PROTOCOL, 0 },
	{ "garbage at SET_VRING_ADDR", VHOST_USER_SET_VRING_ADDR, F_HUGE,
	  FAKE_FEATURES, FAKE_PROTOCOL, 0 },
	{ "wrong ack code at ENABLE", VHOST_USER_SET_VRING_ENABLE, F_WRONG_CODE,
	  FAKE_FEATURES, FAKE_PROTOCOL, 0 },
};

START_TEST(test_fake_activate_fails)
{
	fake_start(&activate_cases[_i]);
	ck_assert_int_eq(create(false), 0);
	driver_up();
	ck_assert_msg(needs_reset(), "%s", activate_cases[_i].name);
	/* The driver resets and tries again: still refused, no crash. */
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	driver_up();
	ck_assert(needs_reset());
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	fake_stop();
}
END_TEST

/* A bad GET_VRING_BASE reply at reset: one line, then carry on. */
START_TEST(test_fake_bad_vring_base)
{
	static const struct fake_case c = {
		"bad index",   VHOST_USER_GET_VRING_BASE,
		F_BAD_INDEX,   FAKE_FEATURES,
		FAKE_PROTOCOL, 0
	};

	fake_start(&c);
	ck_assert_int_eq(create(false), 0);
	driver_up();
	ck_assert(!needs_reset());
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_STATUS), 0);
	driver_up(); /* the connection is given up: activation fails */
	ck_assert(needs_reset());
	fake_stop();
}
END_TEST

/* A back-end dying while the guest is idle: noticed without any I/O. */
START_TEST(test_fake_backend_dies)
{
	static const struct fake_case c = {
		"dies",	       VHOST_USER_SET_MEM_TABLE,
		F_LAST,	       FAKE_FEATURES,
		FAKE_PROTOCOL, 0
	};

	fake_start(&c);
	ck_assert_int_eq(create(false), 0);
	for (int i = 0; i < 200 && !needs_reset(); i++)
		usleep(10 * 1000);
	ck_assert(needs_reset());
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	driver_up(); /* on a dead socket: refused, no SIGPIPE */
	ck_assert(needs_reset());
	fake_stop();
}
END_TEST

/* ---- Without any back-end ---- */

START_TEST(test_no_backend)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(create(false), -ENOENT);
	/* A socket file nobody listens on. */
	fake_listen();
	close(fk.listen_fd);
	ck_assert_int_eq(create(false), -ECONNREFUSED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
	unlink(sock);
}
END_TEST

START_TEST(test_private_ram_refused)
{
	struct guest_mem priv = { .nr = 0 };
	struct disk_spec spec = { .vhost_user = true };
	struct vhost_user_blk *d = NULL;

	ck_assert_int_eq(guest_mem_add(&priv, BASE, SIZE), 0);
	snprintf(spec.path, sizeof(spec.path), "%s", sock);
	ck_assert_int_eq(vhost_user_blk_create(&spec, &priv, &irq, &kick_fd,
					       call_fd, NULL, &d),
			 -EINVAL);
	ck_assert_ptr_null(d);
	guest_mem_destroy(&priv);
}
END_TEST

START_TEST(test_path_too_long)
{
	struct vhost_user vu;
	char path[200];

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(vhost_user_connect(&vu, path, 100), -ENAMETOOLONG);
}
END_TEST

/* A listener that never answers: a timeout, then the connection is dead. */
START_TEST(test_silent_backend_times_out)
{
	struct vhost_user vu;
	struct timespec t0, t1;
	uint64_t v;
	long ms;

	fake_listen(); /* never accepts: connect() still succeeds */
	ck_assert_int_eq(vhost_user_connect(&vu, sock, 200), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(vhost_user_get_u64(&vu, VHOST_USER_GET_FEATURES, &v),
			 -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, 150);
	ck_assert_int_lt(ms, 2000);
	ck_assert(vu.broken);
	ck_assert_int_eq(vhost_user_get_u64(&vu, VHOST_USER_GET_FEATURES, &v),
			 -ENOTCONN);
	ck_assert_int_eq(
		vhost_user_set_vring(&vu, VHOST_USER_SET_VRING_NUM, 0, 8),
		-ENOTCONN);
	vhost_user_close(&vu);
	vhost_user_close(&vu); /* idempotent */
	close(fk.listen_fd);
	unlink(sock);
}
END_TEST

START_TEST(test_request_names)
{
	ck_assert_str_eq(vhost_user_request_name(VHOST_USER_GET_CONFIG),
			 "GET_CONFIG");
	ck_assert_str_eq(vhost_user_request_name(4), "an unknown request");
	ck_assert_str_eq(vhost_user_request_name(UINT32_MAX),
			 "an unknown request");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vhost_user_blk");
	TCase *fake = tcase_create("fake back-end");
	TCase *proto = tcase_create("protocol");
	bool have_qsd = find_qsd();
	int ret;

	tcase_add_checked_fixture(fake, fake_setup, fake_teardown);
	tcase_set_timeout(fake, 30);
	tcase_add_loop_test(fake, test_fake_create, 0,
			    sizeof(create_cases) / sizeof(create_cases[0]));
	tcase_add_test(fake, test_fake_conversation);
	tcase_add_test(fake, test_fake_no_reply_ack_syncs);
	tcase_add_loop_test(fake, test_fake_activate_fails, 0,
			    sizeof(activate_cases) / sizeof(activate_cases[0]));
	tcase_add_test(fake, test_fake_bad_vring_base);
	tcase_add_test(fake, test_fake_backend_dies);
	suite_add_tcase(s, fake);

	tcase_add_checked_fixture(proto, fake_setup, fake_teardown);
	tcase_add_test(proto, test_no_backend);
	tcase_add_test(proto, test_private_ram_refused);
	tcase_add_test(proto, test_path_too_long);
	tcase_add_test(proto, test_silent_backend_times_out);
	tcase_add_test(proto, test_request_names);
	suite_add_tcase(s, proto);

	if (have_qsd) {
		TCase *real = tcase_create("qemu-storage-daemon");

		tcase_add_unchecked_fixture(real, qsd_start, qsd_stop);
		tcase_add_checked_fixture(real, mem_setup, mem_teardown);
		tcase_set_timeout(real, 30);
		tcase_add_test(real, test_qsd_config);
		tcase_add_test(real, test_qsd_write_read);
		tcase_add_test(real, test_qsd_reset_and_restart);
		suite_add_tcase(s, real);
	}
	ret = unit_run(s);
	if (!have_qsd) {
		printf("SKIP: qemu-storage-daemon not found in PATH (Debian package qemu-utils from QEMU 10, qemu-system-common before): the tests against a real vhost-user-blk back-end did not run\n");
		return ret == EXIT_SUCCESS ? 77 : ret;
	}
	return ret;
}
