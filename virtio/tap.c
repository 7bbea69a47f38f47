// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "virtio/tap.h"

#define TUN_DEVICE "/dev/net/tun"

/* What a failed step most likely lacks, for the one line we print. */
static const char *tap_hint(int err, bool created)
{
	if (err == -EPERM || err == -EACCES)
		return created ? " (creating a tap needs CAP_NET_ADMIN)"
			       : " (this tap belongs to another user: attaching needs CAP_NET_ADMIN)";
	if (err == -EBUSY)
		return " (another process has it open)";
	if (err == -EINVAL)
		return " (an interface of that name exists and is not a tap)";
	return "";
}

static int tap_fail(struct tap *t, int err, const char *step)
{
	tv_err("tap %s: %s: %s%s", t->name, step, strerror(-err),
	       tap_hint(err, t->created));
	tap_close(t);
	return err;
}

static int tap_attach(struct tap *t)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr_len = TAP_VNET_HDR_LEN;

	memcpy(ifr.ifr_name, t->name, sizeof(ifr.ifr_name));
	if (ioctl(t->fd, TUNSETIFF, &ifr))
		return tap_fail(t, -errno,
				t->created ? "creating it (TUNSETIFF)"
					   : "attaching to it (TUNSETIFF)");
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdr_len))
		return tap_fail(t, -errno, "TUNSETVNETHDRSZ 12");
	return 0;
}

/*
 * The richest offload set the tap takes: the TSO flags need TUN_F_CSUM,
 * and a tap refuses flags it does not know. Left at none afterwards: the
 * guest has not said what it takes yet.
 */
static int tap_probe_offloads(struct tap *t)
{
	static const unsigned int tries[] = {
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
		TUN_F_CSUM,
	};

	t->offloads = 0;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if (!ioctl(t->fd, TUNSETOFFLOAD, tries[i])) {
			t->offloads = tries[i];
			break;
		}
	}
	if (ioctl(t->fd, TUNSETOFFLOAD, 0U))
		return tap_fail(t, -errno, "TUNSETOFFLOAD 0");
	return 0;
}

static int tap_link_up(struct tap *t)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return tap_fail(t, -errno, "a socket to bring its link up");
	memcpy(ifr.ifr_name, t->name, sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	if (!ret && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(s);
	if (ret == -EPERM || ret == -EACCES) {
		tv_err("tap %s: its link is down and bringing it up needs CAP_NET_ADMIN (ip link set %s up)",
		       t->name, t->name);
		tap_close(t);
		return ret;
	}
	return ret ? tap_fail(t, ret, "bringing its link up") : 0;
}

int tap_open(struct tap *t, const char *name)
{
	size_t len = strlen(name);
	int ret;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (len == 0 || len >= sizeof(t->name)) {
		tv_err("tap \"%s\": a name of 1 to %zu characters is needed",
		       name, sizeof(t->name) - 1);
		return -EINVAL;
	}
	memcpy(t->name, name, len);
	t->created = if_nametoindex(name) == 0;
	t->fd = open(TUN_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (t->fd < 0) {
		ret = -errno;
		tv_err("tap %s: opening " TUN_DEVICE ": %s%s", name,
		       strerror(-ret),
		       ret == -ENOENT ? " (no tun driver: modprobe tun)" : "");
		return ret;
	}
	ret = tap_attach(t);
	if (!ret)
		ret = tap_probe_offloads(t);
	if (!ret)
		ret = tap_link_up(t);
	return ret;
}

int tap_set_offload(struct tap *t, unsigned int offloads)
{
	if (offloads & ~t->offloads)
		return -EOPNOTSUPP;
	return ioctl(t->fd, TUNSETOFFLOAD, offloads) ? -errno : 0;
}

void tap_close(struct tap *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
