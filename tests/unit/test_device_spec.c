// SPDX-License-Identifier: MIT
/* --disk and --net specs: every form a user may write, and bad ones. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "virtio/blk_spec.h"
#include "virtio/net_spec.h"
#include "tests/unit/unit.h"

static const struct disk_case {
	const char *in;
	const char *path;
	bool vhost_user, read_only;
	enum disk_cache cache;
	enum disk_io io;
} good_disks[] = {
	{ "disk.img", "disk.img", false, false, DISK_CACHE_WRITEBACK,
	  DISK_IO_AUTO },
	{ "/a/b.raw,ro", "/a/b.raw", false, true, DISK_CACHE_WRITEBACK,
	  DISK_IO_AUTO },
	{ "x,cache=none", "x", false, false, DISK_CACHE_NONE, DISK_IO_AUTO },
	{ "x,cache=writeback,ro", "x", false, true, DISK_CACHE_WRITEBACK,
	  DISK_IO_AUTO },
	{ "x,ro,cache=none", "x", false, true, DISK_CACHE_NONE, DISK_IO_AUTO },
	{ "x,io=sync", "x", false, false, DISK_CACHE_WRITEBACK, DISK_IO_SYNC },
	{ "x,io=uring,cache=none", "x", false, false, DISK_CACHE_NONE,
	  DISK_IO_URING },
	{ "x,ro,io=auto", "x", false, true, DISK_CACHE_WRITEBACK,
	  DISK_IO_AUTO },
	{ "a=b.img", "a=b.img", false, false, DISK_CACHE_WRITEBACK,
	  DISK_IO_AUTO },
	{ "vhost-user=/run/vub.sock", "/run/vub.sock", true, false,
	  DISK_CACHE_WRITEBACK, DISK_IO_AUTO },
	{ "vhost-user=/s,ro", "/s", true, true, DISK_CACHE_WRITEBACK,
	  DISK_IO_AUTO },
};

START_TEST(test_disk_good)
{
	const struct disk_case *c = &good_disks[_i];
	struct disk_spec d;

	ck_assert_msg(disk_spec_parse(c->in, &d) == 0, "%s", c->in);
	ck_assert_str_eq(d.path, c->path);
	ck_assert_msg(d.vhost_user == c->vhost_user, "%s: vhost_user", c->in);
	ck_assert_msg(d.read_only == c->read_only, "%s: ro", c->in);
	ck_assert_msg(d.cache == c->cache, "%s: cache", c->in);
	ck_assert_msg(d.io == c->io, "%s: io", c->in);
}
END_TEST

static const char *const bad_disks[] = {
	"",
	",ro",
	"x,",
	"x,rw",
	"x,ro,ro",
	"x,cache=",
	"x,cache=always",
	"x,cache=none,cache=none",
	"x,ro=1",
	"vhost-user=",
	"vhost-user",
	"vhost-user=/s,cache=none",
	"x,io=",
	"x,io",
	"x,io=async",
	"x,io=sync,io=uring",
	"vhost-user=/s,io=sync",
	"x,lock",
	"x,lock=",
	"x,lock=no",
	"x,lock=off,lock=on",
	"vhost-user=/s,lock=off",
};

START_TEST(test_disk_bad)
{
	struct disk_spec d;

	ck_assert_msg(disk_spec_parse(bad_disks[_i], &d) == -EINVAL, "'%s'",
		      bad_disks[_i]);
}
END_TEST

/* lock=off: no lock on the image (blk_image.h); on is the default. */
START_TEST(test_disk_lock)
{
	struct disk_spec d;

	ck_assert_int_eq(disk_spec_parse("x", &d), 0);
	ck_assert(!d.no_lock);
	ck_assert_int_eq(disk_spec_parse("x,lock=off,ro", &d), 0);
	ck_assert(d.no_lock && d.read_only);
	ck_assert_int_eq(disk_spec_parse("x,cache=none,lock=on", &d), 0);
	ck_assert(!d.no_lock);
}
END_TEST

START_TEST(test_disk_path_too_long)
{
	static char arg[DISK_PATH_MAX + 16];
	struct disk_spec d;

	memset(arg, 'a', DISK_PATH_MAX - 1);
	ck_assert_int_eq(disk_spec_parse(arg, &d), 0); /* exactly fits */
	ck_assert_uint_eq(strlen(d.path), DISK_PATH_MAX - 1);
	arg[DISK_PATH_MAX - 1] = 'a';
	ck_assert_int_eq(disk_spec_parse(arg, &d), -EINVAL);
}
END_TEST

START_TEST(test_net_defaults)
{
	struct net_spec n;

	ck_assert_int_eq(net_spec_parse("tap=tv0", &n), 0);
	ck_assert_str_eq(n.tap, "tv0");
	ck_assert(n.vhost);
	ck_assert(!n.vhost_explicit); /* the default: may fall back */
	ck_assert(!n.has_mac);
	ck_assert_uint_eq(n.queue_size, NET_QUEUE_SIZE_DEFAULT);
	ck_assert_uint_eq(n.busy_poll_us, 0);
}
END_TEST

START_TEST(test_net_all)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xCD, 0x0f };
	struct net_spec n;

	ck_assert_int_eq(net_spec_parse("vhost=off,tap=eth-lab.1,"
					"mac=52:54:00:ab:CD:0f,queue-size=1024,"
					"busy-poll=50",
					&n),
			 0);
	ck_assert_str_eq(n.tap, "eth-lab.1");
	ck_assert(!n.vhost);
	ck_assert(!n.vhost_explicit);
	ck_assert(n.has_mac);
	ck_assert_mem_eq(n.mac, mac, 6);
	ck_assert_uint_eq(n.queue_size, 1024);
	ck_assert_uint_eq(n.busy_poll_us, 50);
	ck_assert_int_eq(net_spec_parse("tap=a,vhost=on", &n), 0);
	ck_assert(n.vhost && n.vhost_explicit); /* asked for: no fallback */
}
END_TEST

static const char *const bad_nets[] = {
	"",
	"vhost=on",
	"tap=",
	"tap=a b",
	"tap=0123456789abcdef",
	"tap=a,tap=b",
	"tap=a,vhost=yes",
	"tap=a,vhost",
	"tap=a,mac=52:54:00:12:34",
	"tap=a,mac=53:54:00:12:34:56",
	"tap=a,mac=52-54-00-12-34-56",
	"tap=a,mac=52:54:00:12:34:5g",
	"tap=a,queue-size=0",
	"tap=a,queue-size=1",
	"tap=a,queue-size=100",
	"tap=a,queue-size=2048",
	"tap=a,queue-size=-2",
	"tap=a,busy-poll=1000001",
	"tap=a,busy-poll=x",
	"tap=a,speed=10",
	"tap=a,",
	"tap=a,busy-poll=99999999999999999999",
	"tap=a,busy-poll=0x10",
	"tap=a,queue-size=0x100",
	"tap=a,queue-size=256 ",
	"tap=.",
	"tap=..",
	"tap=a,mac=00:00:00:00:00:00",
};

START_TEST(test_net_bad)
{
	struct net_spec n;

	ck_assert_msg(net_spec_parse(bad_nets[_i], &n) == -EINVAL, "'%s'",
		      bad_nets[_i]);
}
END_TEST

static Suite *device_spec_suite(void)
{
	Suite *s = suite_create("device_spec");
	TCase *disk = tcase_create("disk");
	TCase *net = tcase_create("net");

	tcase_add_loop_test(disk, test_disk_good, 0,
			    sizeof(good_disks) / sizeof(good_disks[0]));
	tcase_add_loop_test(disk, test_disk_bad, 0,
			    sizeof(bad_disks) / sizeof(bad_disks[0]));
	tcase_add_test(disk, test_disk_lock);
	tcase_add_test(disk, test_disk_path_too_long);
	tcase_add_test(net, test_net_defaults);
	tcase_add_test(net, test_net_all);
	tcase_add_loop_test(net, test_net_bad, 0,
			    sizeof(bad_nets) / sizeof(bad_nets[0]));
	suite_add_tcase(s, disk);
	suite_add_tcase(s, net);
	return s;
}

int main(void)
{
	return unit_run(device_spec_suite());
}
