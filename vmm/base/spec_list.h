/* SPDX-License-Identifier: MIT */
/*
 * The "TARGET[,key=value][,flag]..." lists that device options take on the
 * command line (--disk, --net), item by item. Each device's own spec
 * parser (virtio/blk_spec.c, virtio/net_spec.c) says what the items mean;
 * this knows no device. Pure: nothing is opened here.
 */
#ifndef TINYVMM_BASE_SPEC_LIST_H
#define TINYVMM_BASE_SPEC_LIST_H

#include <stdbool.h>
#include <stddef.h>

/* One "key=value" or "flag" item of a comma-separated list. */
struct spec_item {
	const char *key, *val; /* val NULL: no '=' */
	size_t key_len, val_len;
};

/* The item at *@p; advances *@p past it and its comma. False at the end. */
bool spec_next(const char **p, struct spec_item *it);

bool spec_key_is(const struct spec_item *it, const char *key);
bool spec_val_is(const struct spec_item *it, const char *val);

/* Copies the value into @dst (@size bytes with its NUL); false if too long. */
bool spec_val_copy(const struct spec_item *it, char *dst, size_t size);

/* A decimal value within [min, max]. */
bool spec_val_number(const struct spec_item *it, unsigned long min,
		     unsigned long max, unsigned long *out);

/* Sets @bit in *@seen; false when it was set already (a key given twice). */
bool spec_seen_once(unsigned int *seen, unsigned int bit);

#endif
