// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/base/device_spec.h"

/* One "key=value" or "flag" item of a comma-separated list. */
struct spec_item {
	const char *key, *val; /* val NULL: no '=' */
	size_t key_len, val_len;
};

/* The item at *@p; advances *@p past it and its comma. False at the end. */
static bool spec_next(const char **p, struct spec_item *it)
{
	const char *s = *p, *end, *eq;

	if (!s)
		return false;
	end = strchr(s, ',');
	if (!end)
		end = s + strlen(s);
	eq = memchr(s, '=', (size_t)(end - s));
	it->key = s;
	it->key_len = (size_t)((eq ? eq : end) - s);
	it->val = eq ? eq + 1 : NULL;
	it->val_len = eq ? (size_t)(end - eq - 1) : 0;
	*p = *end ? end + 1 : NULL;
	return true;
}

static bool key_is(const struct spec_item *it, const char *key)
{
	return it->key_len == strlen(key) && !memcmp(it->key, key, it->key_len);
}

static bool val_is(const struct spec_item *it, const char *val)
{
	return it->val && it->val_len == strlen(val) &&
	       !memcmp(it->val, val, it->val_len);
}

/* Copies the value into @dst (@size bytes with its NUL); false if too long. */
static bool val_copy(const struct spec_item *it, char *dst, size_t size)
{
	if (!it->val || it->val_len >= size)
		return false;
	memcpy(dst, it->val, it->val_len);
	dst[it->val_len] = '\0';
	return true;
}

/* A decimal value within [min, max]. */
static bool val_number(const struct spec_item *it, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	char buf[16], *end;

	if (!val_copy(it, buf, sizeof(buf)) || !isdigit((unsigned char)buf[0]))
		return false;
	errno = 0;
	*out = strtoul(buf, &end, 10);
	return !errno && !*end && *out >= min && *out <= max;
}

/* Which keys were seen, so none is given twice. */
static bool seen_once(unsigned int *seen, unsigned int bit)
{
	if (*seen & bit)
		return false;
	*seen |= bit;
	return true;
}

enum {
	DISK_RO = 1,
	DISK_CACHE = 2
};

static const char *disk_option(const struct spec_item *it, struct disk_spec *d,
			       unsigned int *seen)
{
	if (key_is(it, "ro") && !it->val) {
		d->read_only = true;
		return seen_once(seen, DISK_RO) ? NULL : "ro given twice";
	}
	if (!key_is(it, "cache"))
		return "unknown option (ro, cache=none|writeback)";
	if (!seen_once(seen, DISK_CACHE))
		return "cache= given twice";
	if (d->vhost_user)
		return "cache= is the vhost-user backend's business";
	if (val_is(it, "none"))
		d->cache = DISK_CACHE_NONE;
	else if (val_is(it, "writeback"))
		d->cache = DISK_CACHE_WRITEBACK;
	else
		return "cache= takes none or writeback";
	return NULL;
}

static const char *disk_target(const struct spec_item *it, struct disk_spec *d)
{
	size_t len = it->key_len + (it->val ? it->val_len + 1 : 0);

	if (key_is(it, "vhost-user")) {
		d->vhost_user = true;
		if (!it->val || !it->val_len)
			return "vhost-user= needs a socket path";
		return val_copy(it, d->path, sizeof(d->path))
			       ? NULL
			       : "socket path too long";
	}
	if (len == 0)
		return "no image file";
	if (len >= sizeof(d->path))
		return "image path too long";
	memcpy(d->path, it->key, len); /* a file name may hold '=' */
	d->path[len] = '\0';
	return NULL;
}

int disk_spec_parse(const char *arg, struct disk_spec *out)
{
	const char *p = arg, *why;
	struct spec_item it;
	unsigned int seen = 0;

	*out = (struct disk_spec){ .cache = DISK_CACHE_WRITEBACK };
	spec_next(&p, &it);
	why = disk_target(&it, out);
	while (!why && spec_next(&p, &it))
		why = disk_option(&it, out, &seen);
	if (!why)
		return 0;
	tv_err("--disk %s: %s", arg, why);
	return -EINVAL;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "52:54:00:12:34:56"; a multicast address cannot be a NIC's. */
static const char *parse_mac(const struct spec_item *it, uint8_t mac[6])
{
	const char *s = it->val;

	if (!s || it->val_len != 17)
		return "mac= takes six hex bytes, xx:xx:xx:xx:xx:xx";
	for (unsigned int i = 0; i < 6; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hex_digit(s[1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[2] != ':'))
			return "mac= takes six hex bytes, xx:xx:xx:xx:xx:xx";
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return mac[0] & 1 ? "mac= is a multicast address" : NULL;
}

static bool tap_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("_.-", *name))
			return false;
	return true;
}

enum {
	NET_TAP = 1,
	NET_VHOST = 2,
	NET_MAC = 4,
	NET_QSIZE = 8,
	NET_POLL = 16
};

static const char *net_tap(const struct spec_item *it, struct net_spec *n)
{
	if (!val_copy(it, n->tap, sizeof(n->tap)))
		return "tap= needs a name of at most 15 characters";
	return tap_name_ok(n->tap)
		       ? NULL
		       : "tap= name may hold only letters, digits, _ . -";
}

static const char *net_vhost(const struct spec_item *it, struct net_spec *n)
{
	if (!val_is(it, "on") && !val_is(it, "off"))
		return "vhost= takes on or off";
	n->vhost = val_is(it, "on");
	n->vhost_explicit = n->vhost;
	return NULL;
}

static const char *net_queue_size(const struct spec_item *it,
				  struct net_spec *n)
{
	unsigned long v;

	if (!val_number(it, 2, NET_QUEUE_SIZE_MAX, &v) || (v & (v - 1)))
		return "queue-size= takes a power of two from 2 to 1024";
	n->queue_size = (uint16_t)v;
	return NULL;
}

static const char *net_busy_poll(const struct spec_item *it, struct net_spec *n)
{
	unsigned long v;

	if (!val_number(it, 0, NET_BUSY_POLL_MAX_US, &v))
		return "busy-poll= takes microseconds, 0 to 1000000";
	n->busy_poll_us = (uint32_t)v;
	return NULL;
}

static const struct net_key {
	const char *key;
	unsigned int bit;
	const char *(*parse)(const struct spec_item *it, struct net_spec *n);
} net_keys[] = {
	{ "tap", NET_TAP, net_tap },
	{ "vhost", NET_VHOST, net_vhost },
	{ "queue-size", NET_QSIZE, net_queue_size },
	{ "busy-poll", NET_POLL, net_busy_poll },
};

static const char *net_option(const struct spec_item *it, struct net_spec *n,
			      unsigned int *seen)
{
	if (key_is(it, "mac")) {
		n->has_mac = true;
		return seen_once(seen, NET_MAC) ? parse_mac(it, n->mac)
						: "mac= given twice";
	}
	for (size_t i = 0; i < sizeof(net_keys) / sizeof(net_keys[0]); i++) {
		if (!key_is(it, net_keys[i].key))
			continue;
		if (!seen_once(seen, net_keys[i].bit))
			return "an option given twice";
		return net_keys[i].parse(it, n);
	}
	return "unknown option (tap=, vhost=, mac=, queue-size=, busy-poll=)";
}

int net_spec_parse(const char *arg, struct net_spec *out)
{
	const char *p = arg, *why = NULL;
	struct spec_item it;
	unsigned int seen = 0;

	*out = (struct net_spec){ .vhost = true,
				  .queue_size = NET_QUEUE_SIZE_DEFAULT };
	while (!why && spec_next(&p, &it))
		why = net_option(&it, out, &seen);
	if (!why && !(seen & NET_TAP))
		why = "needs tap=NAME";
	if (!why)
		return 0;
	tv_err("--net %s: %s", arg, why);
	return -EINVAL;
}
