// SPDX-License-Identifier: MIT
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/base/kvm.h"
#include "vmm/machine/kvm_stats.h"
#include "vmm/machine/vm.h"

/* Far above any kernel's; bounds what a corrupt header could make us read. */
#define KVM_STATS_MAX_DESC 4096
#define KVM_STATS_MAX_NAME 256
#define KVM_STATS_MAX_WORDS (1u << 20)

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* A plain event count: the only kind whose difference is "how many". */
static bool is_event_counter(const struct kvm_stats_desc *d)
{
	return (d->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE &&
	       (d->flags & KVM_STATS_UNIT_MASK) == KVM_STATS_UNIT_NONE &&
	       d->size == 1 && d->exponent == 0 && d->offset % 8 == 0;
}

static int add_counter(struct kvm_stats *s, const struct kvm_stats_desc *d,
		       uint32_t name_size, unsigned int source)
{
	struct kvm_stat_counter *c;
	void *bigger = realloc(s->counters, (s->nr + 1) * sizeof(*c));

	if (!bigger)
		return -ENOMEM;
	s->counters = bigger;
	c = &s->counters[s->nr++];
	snprintf(c->name, sizeof(c->name), "%.*s", (int)name_size, d->name);
	c->source = source;
	c->index = d->offset / 8;
	return 0;
}

/* Walks the descriptors of @f: its data size, and (if @select) its counters. */
static int parse_descs(struct kvm_stats *s, struct kvm_stat_file *f,
		       const struct kvm_stats_header *h, const uint8_t *descs,
		       unsigned int source, bool select)
{
	size_t stride = sizeof(struct kvm_stats_desc) + h->name_size;

	for (uint32_t i = 0; i < h->num_desc; i++) {
		const struct kvm_stats_desc *d =
			(const void *)(descs + i * stride);
		size_t end = (size_t)d->offset / 8 + d->size;

		if (end > KVM_STATS_MAX_WORDS)
			return -EINVAL;
		if (end > f->data_words)
			f->data_words = end;
		if (select && is_event_counter(d) &&
		    add_counter(s, d, h->name_size, source))
			return -ENOMEM;
	}
	return 0;
}

/* Reads header and descriptors of the file @f (fd already set). */
static int read_layout(struct kvm_stats *s, struct kvm_stat_file *f,
		       unsigned int source, bool select)
{
	struct kvm_stats_header h;
	uint8_t *descs;
	size_t len;
	int ret = pread_full(f->fd, &h, sizeof(h), 0);

	if (ret)
		return ret;
	if (h.num_desc > KVM_STATS_MAX_DESC || h.name_size == 0 ||
	    h.name_size > KVM_STATS_MAX_NAME || h.name_size % 8)
		return -EINVAL;
	len = h.num_desc * (sizeof(struct kvm_stats_desc) + h.name_size);
	descs = malloc(len ? len : 1);
	if (!descs)
		return -ENOMEM;
	ret = pread_full(f->fd, descs, len, h.desc_offset);
	if (!ret)
		ret = parse_descs(s, f, &h, descs, source, select);
	free(descs);
	f->data_offset = h.data_offset;
	if (f->data_words > s->buf_words)
		s->buf_words = f->data_words;
	return ret;
}

static int open_file(struct kvm_stats *s, int kvm_fd, unsigned int i)
{
	struct kvm_stat_file *f = &s->files[i];

	f->fd = ioctl(kvm_fd, KVM_GET_STATS_FD, NULL);
	if (f->fd < 0)
		return -errno;
	/* Every vCPU file has the layout of the first: select counters once. */
	return read_layout(s, f, i ? 1 : 0, i <= 1);
}

static int open_all(struct kvm_stats *s, const struct vm *vm)
{
	int ret = 0;

	s->nr_files = 1 + vm->nr_vcpus;
	s->files = calloc(s->nr_files, sizeof(*s->files));
	if (!s->files)
		return -ENOMEM;
	for (unsigned int i = 0; i < s->nr_files; i++)
		s->files[i].fd = -1;
	for (unsigned int i = 0; !ret && i < s->nr_files; i++)
		ret = open_file(s, i ? vm->vcpus[i - 1].fd : vm->vm_fd, i);
	if (!ret) {
		s->buf = calloc(s->buf_words ? s->buf_words : 1,
				sizeof(uint64_t));
		ret = s->buf ? 0 : -ENOMEM;
	}
	return ret;
}

int kvm_stats_open(struct kvm_stats *s, const struct vm *vm)
{
	int ret;

	memset(s, 0, sizeof(*s));
	if (!kvm_has_cap(vm->vm_fd, KVM_CAP_BINARY_STATS_FD)) {
		snprintf(
			s->note, sizeof(s->note),
			"no exit profile: this kernel lacks KVM_CAP_BINARY_STATS_FD (Linux < 5.14)");
		return 0;
	}
	ret = open_all(s, vm);
	if (ret == -ENOMEM) {
		kvm_stats_close(s);
		return ret;
	}
	if (ret) {
		kvm_stats_close(s);
		snprintf(s->note, sizeof(s->note),
			 "no exit profile: KVM statistics unreadable (%s)",
			 strerror(-ret));
		return 0;
	}
	s->available = true;
	return 0;
}

int kvm_stats_snapshot(struct kvm_stats *s, uint64_t *values)
{
	memset(values, 0, s->nr * sizeof(*values));
	for (unsigned int i = 0; i < s->nr_files; i++) {
		const struct kvm_stat_file *f = &s->files[i];
		int ret = pread_full(f->fd, s->buf, f->data_words * 8,
				     f->data_offset);

		if (ret)
			return ret;
		for (unsigned int c = 0; c < s->nr; c++)
			if (s->counters[c].source == (i ? 1u : 0u))
				values[c] += s->buf[s->counters[c].index];
	}
	return 0;
}

void kvm_stats_close(struct kvm_stats *s)
{
	for (unsigned int i = 0; s->files && i < s->nr_files; i++)
		if (s->files[i].fd >= 0)
			close(s->files[i].fd);
	free(s->files);
	free(s->counters);
	free(s->buf);
	s->files = NULL;
	s->counters = NULL;
	s->buf = NULL;
	s->nr = s->nr_files = 0;
	s->buf_words = 0;
	s->available = false;
}
