// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/base/bus.h"
#include "tests/unit/unit.h"

struct recorder {
	uint64_t offset;
	uint32_t len;
	uint8_t last_write[8];
	int reads, writes;
};

static void rec_read(void *opaque, uint64_t offset, void *data, uint32_t len)
{
	struct recorder *r = opaque;

	r->reads++;
	r->offset = offset;
	r->len = len;
	memset(data, 0xab, len);
}

static void rec_write(void *opaque, uint64_t offset, const void *data,
		      uint32_t len)
{
	struct recorder *r = opaque;

	r->writes++;
	r->offset = offset;
	r->len = len;
	memcpy(r->last_write, data, len);
}

static const struct bus_device_ops rec_ops = { rec_read, rec_write };

static const struct {
	uint64_t base, len;
	int expect;
} register_cases[] = {
	{ 0x1000, 0x100, 0 },		     /* first range */
	{ 0x1100, 0x100, 0 },		     /* adjacent above */
	{ 0x0f00, 0x100, 0 },		     /* adjacent below */
	{ 0x10ff, 0x2, -EEXIST },	     /* straddles the first */
	{ 0x1050, 0x10, -EEXIST },	     /* inside */
	{ 0x0e00, 0x1000, -EEXIST },	     /* covers all */
	{ 0x2000, 0, -EINVAL },		     /* empty */
	{ UINT64_MAX - 0xf, 0x20, -EINVAL }, /* wraps */
	{ UINT64_MAX - 0xf, 0x10, 0 },	     /* ends exactly at 2^64 - 1 */
};

START_TEST(test_register_table)
{
	struct recorder r = { 0 };
	struct bus bus;

	bus_init(&bus, "test");
	for (size_t i = 0;
	     i < sizeof(register_cases) / sizeof(register_cases[0]); i++)
		ck_assert_msg(bus_register(&bus, register_cases[i].base,
					   register_cases[i].len, "dev",
					   &rec_ops,
					   &r) == register_cases[i].expect,
			      "case %zu", i);
	ck_assert_uint_eq(bus.nr, 4);
	for (unsigned int i = 1; i < bus.nr; i++)
		ck_assert(bus.ranges[i - 1].base < bus.ranges[i].base);
	bus_destroy(&bus);
}
END_TEST

START_TEST(test_find_edges)
{
	struct recorder r = { 0 };
	struct bus bus;

	bus_init(&bus, "test");
	ck_assert_int_eq(bus_register(&bus, 0x1000, 0x10, "a", &rec_ops, &r),
			 0);
	ck_assert_ptr_nonnull(bus_find(&bus, 0x1000, 1));
	ck_assert_ptr_nonnull(bus_find(&bus, 0x100c, 4));
	ck_assert_ptr_null(bus_find(&bus, 0x100d, 4)); /* crosses the end */
	ck_assert_ptr_null(bus_find(&bus, 0x0fff, 1));
	ck_assert_ptr_null(bus_find(&bus, 0x1010, 1));
	ck_assert_ptr_null(bus_find(&bus, UINT64_MAX, 8)); /* wraps */
	ck_assert_ptr_null(bus_find(&bus, 0x1000, 0));
	bus_destroy(&bus);
}
END_TEST

START_TEST(test_many_ranges_lookup)
{
	static struct recorder recs[100];
	struct bus bus;

	bus_init(&bus, "test");
	/* Register in a scrambled order to exercise the sorted insert. */
	for (unsigned int i = 0; i < 100; i++) {
		unsigned int k = (i * 37) % 100;

		ck_assert_int_eq(bus_register(&bus, 0x10000 + k * 0x100, 0x80,
					      "d", &rec_ops, &recs[k]),
				 0);
	}
	for (unsigned int k = 0; k < 100; k++) {
		const struct bus_range *r =
			bus_find(&bus, 0x10000 + k * 0x100 + 0x7f, 1);

		ck_assert_ptr_nonnull(r);
		ck_assert_ptr_eq(r->opaque, &recs[k]);
		ck_assert_ptr_null(
			bus_find(&bus, 0x10000 + k * 0x100 + 0x80, 1));
	}
	bus_destroy(&bus);
}
END_TEST

START_TEST(test_access_dispatch)
{
	struct recorder r = { 0 };
	uint8_t data[8];
	uint32_t v = 0x11223344;
	struct bus bus;

	bus_init(&bus, "test");
	ck_assert_int_eq(
		bus_register(&bus, 0x9000000, 0x1000, "a", &rec_ops, &r), 0);
	ck_assert(bus_access(&bus, 0x9000010, &v, 4, true));
	ck_assert_int_eq(r.writes, 1);
	ck_assert_uint_eq(r.offset, 0x10);
	ck_assert_int_eq(memcmp(r.last_write, &v, 4), 0);
	ck_assert(bus_access(&bus, 0x9000ff8, data, 8, false));
	ck_assert_int_eq(r.reads, 1);
	ck_assert_uint_eq(r.offset, 0xff8);
	ck_assert_uint_eq(data[7], 0xab);
	/* Unmapped: reads float high, nothing is called. */
	ck_assert(!bus_access(&bus, 0x8000000, data, 8, false));
	ck_assert_uint_eq(data[0], 0xff);
	ck_assert_int_eq(r.reads + r.writes, 2);
	bus_destroy(&bus);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_register_table,
		test_find_edges,
		test_many_ranges_lookup,
		test_access_dispatch,
		NULL,
	};

	return unit_run_tests("bus", "core", tests);
}
