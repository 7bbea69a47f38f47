// SPDX-License-Identifier: MIT
#include <endian.h>
#include <errno.h>
#include <linux/virtio_config.h>
#include <string.h>

#include "virtio/queue.h"

#define STR(x) #x
#define XSTR(x) STR(x)
#define MAX_SIZE_STR XSTR(VIRTQ_MAX_SIZE)

/* The guest's view of a descriptor, converted from little-endian. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* A chain being walked: where it goes and what it has added up to. */
struct walk {
	const struct guest_mem *mem;
	struct virtq_chain *chain;
	uint64_t total;
	bool writable_seen;
	bool indirect_ok; /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
};

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static uint16_t *used_event(const struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t *avail_event(const struct virtq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

/* The three ring parts (spec 2.7): alignment, size, and what to say. */
struct ring_part {
	uint64_t gpa, len, align;
	const char *misaligned, *outside;
};

static int ring_map(const struct guest_mem *mem, const struct ring_part *r,
		    void **host, const char **why)
{
	if (r->gpa & (r->align - 1)) {
		*why = r->misaligned;
		return -EINVAL;
	}
	*host = guest_mem_ptr(mem, r->gpa, r->len);
	if (!*host) {
		*why = r->outside;
		return -EFAULT;
	}
	return 0;
}

int virtq_enable(struct virtq *vq, const struct guest_mem *mem,
		 const struct virtq_layout *layout, uint64_t features,
		 const char **why)
{
	/* At most 16 * VIRTQ_MAX_SIZE bytes each: no overflow. */
	uint64_t n = layout->size;
	const struct ring_part parts[3] = {
		{ layout->desc, 16 * n, 16,
		  "descriptor table not 16-byte aligned",
		  "descriptor table not in guest RAM" },
		{ layout->avail, 6 + 2 * n, 2,
		  "available ring not 2-byte aligned",
		  "available ring not in guest RAM" },
		{ layout->used, 6 + 8 * n, 4, "used ring not 4-byte aligned",
		  "used ring not in guest RAM" },
	};
	void *host[3];
	int ret;

	virtq_disable(vq);
	if (!is_pow2(layout->size) || layout->size > VIRTQ_MAX_SIZE) {
		*why = "queue size not a power of two up to " MAX_SIZE_STR;
		return -EINVAL;
	}
	for (unsigned int i = 0; i < 3; i++) {
		ret = ring_map(mem, &parts[i], &host[i], why);
		if (ret)
			return ret;
	}
	vq->desc = host[0];
	vq->avail = host[1];
	vq->used = host[2];
	vq->mem = mem;
	vq->gpa = *layout;
	vq->size = layout->size;
	vq->event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vq->ready = true;
	return 0;
}

void virtq_disable(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

/*
 * Copies one descriptor out of guest memory. The compiler barrier keeps
 * the compiler from reading guest memory again in place of the copy: the
 * guest may rewrite the descriptor at any time, and the checks must hold
 * for the values used. memcpy because an indirect table need not be
 * aligned.
 */
static void desc_load(const uint8_t *src, struct desc *d)
{
	struct vring_desc raw;

	memcpy(&raw, src, sizeof(raw));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	d->addr = le64toh(raw.addr);
	d->len = le32toh(raw.len);
	d->flags = le16toh(raw.flags);
	d->next = le16toh(raw.next);
}

static int walk_fail(struct walk *w, int err, const char *why)
{
	w->chain->why = why;
	return err;
}

/* Appends one buffer descriptor to the chain, after checking it. */
static int walk_add(struct walk *w, const struct desc *d)
{
	struct virtq_chain *c = w->chain;
	bool writable = d->flags & VRING_DESC_F_WRITE;
	unsigned int nr = c->nr_readable + c->nr_writable;
	void *p;

	if (!writable && w->writable_seen)
		return walk_fail(
			w, -EINVAL,
			"device-readable descriptor after a writable one");
	w->total += d->len;
	if (w->total > UINT32_MAX)
		return walk_fail(w, -EOVERFLOW, "chain of 4 GiB or more");
	if (nr == c->max_seg)
		return walk_fail(w, -E2BIG,
				 "more descriptors than the device takes");
	p = guest_mem_ptr(w->mem, d->addr, d->len);
	if (!p)
		return walk_fail(w, -EFAULT, "buffer not in guest RAM");
	c->seg[nr] = (struct virtq_seg){ p, d->len, writable };
	if (writable) {
		w->writable_seen = true;
		c->nr_writable++;
		c->writable_len += d->len;
	} else {
		c->nr_readable++;
		c->readable_len += d->len;
	}
	return 0;
}

static int walk_table(struct walk *w, const uint8_t *table, unsigned int n,
		      uint16_t i, bool in_indirect);

/*
 * A descriptor pointing at an indirect table (spec 2.7.5.3): it ends the
 * chain, its own WRITE flag is ignored, and the table's descriptors may
 * not point at tables again.
 */
static int walk_indirect(struct walk *w, const struct desc *d)
{
	const uint8_t *table;

	if (!w->indirect_ok)
		return walk_fail(w, -EINVAL,
				 "indirect descriptor without INDIRECT_DESC");
	if (d->flags & VRING_DESC_F_NEXT)
		return walk_fail(w, -EINVAL,
				 "indirect descriptor with NEXT set");
	if (d->len == 0 || d->len % sizeof(struct vring_desc))
		return walk_fail(w, -EINVAL,
				 "indirect table length not a multiple of 16");
	if (d->len / sizeof(struct vring_desc) > VIRTQ_MAX_INDIRECT)
		return walk_fail(w, -E2BIG, "indirect table too large");
	table = guest_mem_ptr(w->mem, d->addr, d->len);
	if (!table)
		return walk_fail(w, -EFAULT, "indirect table not in guest RAM");
	return walk_table(w, table, d->len / sizeof(struct vring_desc), 0,
			  true);
}

/*
 * Follows next links from entry @i of @table (@n descriptors; bytes, as an
 * indirect table may sit at any address). A chain that visits more than
 * @n descriptors must revisit one: a loop.
 */
static int walk_table(struct walk *w, const uint8_t *table, unsigned int n,
		      uint16_t i, bool in_indirect)
{
	struct desc d;
	int ret;

	for (unsigned int seen = 0;; seen++) {
		if (i >= n)
			return walk_fail(w, -EINVAL,
					 "descriptor index beyond its table");
		if (seen == n)
			return walk_fail(
				w, -ELOOP,
				"descriptor chain longer than its table (a loop)");
		desc_load(table + i * sizeof(struct vring_desc), &d);
		if (d.flags & VRING_DESC_F_INDIRECT)
			return in_indirect
				       ? walk_fail(
						 w, -EINVAL,
						 "indirect descriptor inside an indirect table")
				       : walk_indirect(w, &d);
		ret = walk_add(w, &d);
		if (ret || !(d.flags & VRING_DESC_F_NEXT))
			return ret;
		i = d.next;
	}
}

static int walk_chain(struct virtq *vq, uint16_t head, struct virtq_chain *c)
{
	struct walk w = {
		.mem = vq->mem,
		.chain = c,
		.indirect_ok = vq->indirect,
	};

	c->nr_readable = c->nr_writable = 0;
	c->readable_len = c->writable_len = 0;
	c->head = head;
	c->why = NULL;
	return walk_table(&w, (const uint8_t *)vq->desc, vq->size, head, false);
}

/* Re-reads avail->idx; false when it ran impossibly far ahead. */
static bool avail_refresh(struct virtq *vq)
{
	/*
	 * Acquire: the ring entries and descriptors the driver filled before
	 * moving idx must be read after we see the new idx.
	 */
	uint16_t idx =
		le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));

	if ((uint16_t)(idx - vq->last_avail_idx) > vq->size)
		return false;
	vq->avail_idx = idx;
	return true;
}

static int virtq_break(struct virtq *vq, struct virtq_chain *c, int err,
		       const char *why)
{
	vq->broken = err;
	vq->why = why;
	c->why = why;
	return err;
}

int virtq_pop(struct virtq *vq, struct virtq_chain *c)
{
	uint16_t head;
	int ret;

	if (vq->broken)
		return virtq_break(vq, c, vq->broken, vq->why);
	if (!vq->ready)
		return -EAGAIN;
	if (vq->avail_idx == vq->last_avail_idx && !avail_refresh(vq))
		return virtq_break(
			vq, c, -ERANGE,
			"available index moved more than the queue size");
	if (vq->avail_idx == vq->last_avail_idx)
		return -EAGAIN;
	head = le16toh(__atomic_load_n(
		&vq->avail->ring[vq->last_avail_idx & (vq->size - 1)],
		__ATOMIC_RELAXED));
	ret = walk_chain(vq, head, c);
	if (ret)
		return virtq_break(vq, c, ret, c->why);
	vq->last_avail_idx++;
	return head;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t written)
{
	const struct virtq_used_chain one = { head, written };

	return virtq_push_batch(vq, &one, 1);
}

int virtq_push_batch(struct virtq *vq, const struct virtq_used_chain *chains,
		     unsigned int n)
{
	vring_used_elem_t *e;

	if (!vq->ready || n == 0 || n > vq->size)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		if (chains[i].head >= vq->size)
			return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		e = &vq->used->ring[(uint16_t)(vq->used_idx + i) &
				    (vq->size - 1)];
		__atomic_store_n(&e->id, htole32(chains[i].head),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&e->len, htole32(chains[i].written),
				 __ATOMIC_RELAXED);
	}
	vq->used_idx += n;
	/*
	 * Release: the elements, and the data the device wrote into the
	 * buffers, are visible before the driver can see the new idx.
	 */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
	return 0;
}

bool virtq_needs_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled_used, new = vq->used_idx, v;

	if (!vq->ready || old == new)
		return false;
	vq->signalled_used = new;
	/*
	 * Full fence: our used->idx store must be visible before we read the
	 * driver's suppression field. Otherwise the driver may re-enable
	 * interrupts, read the old used->idx and sleep, while we read the old
	 * suppression and skip the interrupt: a lost wake-up.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		v = le16toh(__atomic_load_n(used_event(vq), __ATOMIC_RELAXED));
		return vring_need_event(v, new, old);
	}
	v = le16toh(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED));
	return !(v & VRING_AVAIL_F_NO_INTERRUPT);
}

void virtq_disable_notify(struct virtq *vq)
{
	/* With EVENT_IDX the driver kicks only on crossing avail_event. */
	if (!vq->ready || vq->event_idx)
		return;
	__atomic_store_n(&vq->used->flags, htole16(VRING_USED_F_NO_NOTIFY),
			 __ATOMIC_RELAXED);
}

bool virtq_enable_notify(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	if (vq->event_idx)
		__atomic_store_n(avail_event(vq), htole16(vq->last_avail_idx),
				 __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	/*
	 * Full fence: the request must be visible before we look at
	 * avail->idx again. Otherwise the driver may add a buffer and read
	 * the old "don't kick" while we read the old idx and go to sleep.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq_has_avail(vq);
}

bool virtq_has_avail(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	if (vq->avail_idx == vq->last_avail_idx && !avail_refresh(vq))
		return true; /* broken: the next pop says so */
	return vq->avail_idx != vq->last_avail_idx;
}
