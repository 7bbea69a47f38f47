// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/base/bus.h"

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr = bus->cap = 0;
}

/* Index of the first range whose base is above @addr. */
static unsigned int bus_upper_bound(const struct bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Last byte of a range; ranges never wrap, so this cannot overflow. */
static uint64_t range_last(const struct bus_range *r)
{
	return r->base + (r->len - 1);
}

static int bus_grow(struct bus *bus)
{
	unsigned int cap = bus->cap ? bus->cap * 2 : 8;
	struct bus_range *r = realloc(bus->ranges, cap * sizeof(*r));

	if (!r)
		return -ENOMEM;
	bus->ranges = r;
	bus->cap = cap;
	return 0;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		 const struct bus_device_ops *ops, void *opaque)
{
	uint64_t last;
	unsigned int pos;
	int ret;

	if (len == 0 || __builtin_add_overflow(base, len - 1, &last))
		return -EINVAL;
	pos = bus_upper_bound(bus, base);
	if (pos > 0 && range_last(&bus->ranges[pos - 1]) >= base)
		return -EEXIST;
	if (pos < bus->nr && bus->ranges[pos].base <= last)
		return -EEXIST;
	if (bus->nr == bus->cap) {
		ret = bus_grow(bus);
		if (ret)
			return ret;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->nr - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct bus_range){
		.base = base,
		.len = len,
		.name = name,
		.ops = ops,
		.opaque = opaque,
	};
	bus->nr++;
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr,
				 uint32_t len)
{
	unsigned int pos = bus_upper_bound(bus, addr);
	const struct bus_range *r;
	uint64_t last;

	if (pos == 0 || len == 0)
		return NULL;
	r = &bus->ranges[pos - 1];
	if (__builtin_add_overflow(addr, (uint64_t)len - 1, &last))
		return NULL;
	return last <= range_last(r) ? r : NULL;
}

bool bus_access(const struct bus *bus, uint64_t addr, void *data, uint32_t len,
		bool is_write)
{
	const struct bus_range *r = bus_find(bus, addr, len);

	if (!r) {
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	if (is_write) {
		if (r->ops->write)
			r->ops->write(r->opaque, addr - r->base, data, len);
	} else if (r->ops->read) {
		r->ops->read(r->opaque, addr - r->base, data, len);
	} else {
		memset(data, 0, len);
	}
	return true;
}
