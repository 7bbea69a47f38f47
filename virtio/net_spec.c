// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "virtio/net_spec.h"
#include "vmm/base/spec_list.h"

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
	if (mac[0] & 1)
		return "mac= is a multicast address";
	/* No NIC answers to all zeros; Linux refuses it as invalid. */
	return memcmp(mac, "\0\0\0\0\0\0", 6)
		       ? NULL
		       : "mac= 00:00:00:00:00:00 is no address";
}

/*
 * A Linux interface name (dev_valid_name()): also no "." or "..", which
 * would be directories in /sys/class/net and /proc/sys/net paths.
 */
static bool tap_name_ok(const char *name)
{
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
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
	if (!spec_val_copy(it, n->tap, sizeof(n->tap)))
		return "tap= needs a name of at most 15 characters";
	return tap_name_ok(n->tap)
		       ? NULL
		       : "tap= name may hold only letters, digits, _ . - "
			 "(and is not . or ..)";
}

static const char *net_vhost(const struct spec_item *it, struct net_spec *n)
{
	if (!spec_val_is(it, "on") && !spec_val_is(it, "off"))
		return "vhost= takes on or off";
	n->vhost = spec_val_is(it, "on");
	n->vhost_explicit = n->vhost;
	return NULL;
}

static const char *net_queue_size(const struct spec_item *it,
				  struct net_spec *n)
{
	unsigned long v;

	if (!spec_val_number(it, 2, NET_QUEUE_SIZE_MAX, &v) || (v & (v - 1)))
		return "queue-size= takes a power of two from 2 to 1024";
	n->queue_size = (uint16_t)v;
	return NULL;
}

static const char *net_busy_poll(const struct spec_item *it, struct net_spec *n)
{
	unsigned long v;

	if (!spec_val_number(it, 0, NET_BUSY_POLL_MAX_US, &v))
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
	if (spec_key_is(it, "mac")) {
		n->has_mac = true;
		return spec_seen_once(seen, NET_MAC) ? parse_mac(it, n->mac)
						     : "mac= given twice";
	}
	for (size_t i = 0; i < sizeof(net_keys) / sizeof(net_keys[0]); i++) {
		if (!spec_key_is(it, net_keys[i].key))
			continue;
		if (!spec_seen_once(seen, net_keys[i].bit))
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
