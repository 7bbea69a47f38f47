// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/base/guest_mem.h"
#include "tests/unit/unit.h"

#define BASE 0x80000000ULL
#define SIZE (1ULL << 20)

static struct guest_mem mem;

static void setup(void)
{
	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(guest_mem_add(&mem, BASE, SIZE), 0);
}

static void teardown(void)
{
	guest_mem_destroy(&mem);
}

static const struct {
	uint64_t gpa, len;
	int ok;
} ptr_cases[] = {
	{ BASE, 1, 1 },
	{ BASE, SIZE, 1 },
	{ BASE + SIZE - 1, 1, 1 },
	{ BASE + SIZE, 1, 0 },	   /* just past the end */
	{ BASE + SIZE - 1, 2, 0 }, /* crosses the end */
	{ BASE - 1, 1, 0 },	   /* just below */
	{ BASE - 1, 2, 0 },	   /* crosses the start */
	{ 0, 1, 0 },
	{ BASE + 8, UINT64_MAX, 0 }, /* length overflows */
	{ UINT64_MAX, 1, 0 },
	{ UINT64_MAX - 3, 8, 0 }, /* gpa + len wraps to low memory */
	{ BASE, 0, 1 },		  /* empty range inside RAM */
};

START_TEST(test_ptr_table)
{
	for (size_t i = 0; i < sizeof(ptr_cases) / sizeof(ptr_cases[0]); i++) {
		void *p =
			guest_mem_ptr(&mem, ptr_cases[i].gpa, ptr_cases[i].len);

		ck_assert_msg(!!p == ptr_cases[i].ok, "case %zu", i);
		if (p)
			ck_assert_ptr_eq(p, (uint8_t *)mem.regions[0].host +
						    (ptr_cases[i].gpa - BASE));
	}
}
END_TEST

START_TEST(test_write)
{
	const char msg[] = "hello";

	ck_assert_int_eq(guest_mem_write(&mem, BASE + 16, msg, sizeof(msg)), 0);
	ck_assert_str_eq((char *)guest_mem_ptr(&mem, BASE + 16, 6), "hello");
	ck_assert_int_eq(
		guest_mem_write(&mem, BASE + SIZE - 2, msg, sizeof(msg)),
		-EFAULT);
}
END_TEST

START_TEST(test_add_rejects)
{
	ck_assert_int_eq(guest_mem_add(&mem, BASE, SIZE),
			 -EINVAL); /* overlap */
	ck_assert_int_eq(guest_mem_add(&mem, BASE - 4096, 8192), -EINVAL);
	ck_assert_int_eq(guest_mem_add(&mem, 0, 0), -EINVAL);
	ck_assert_int_eq(guest_mem_add(&mem, 0x1001, 4096),
			 -EINVAL); /* unaligned */
	ck_assert_int_eq(guest_mem_add(&mem, UINT64_MAX - 4095, 8192), -EINVAL);
	ck_assert_int_eq(guest_mem_add(&mem, 0, 4096), 0);
	ck_assert_ptr_nonnull(guest_mem_ptr(&mem, 0, 4096));
	ck_assert_ptr_null(
		guest_mem_ptr(&mem, 4095, 2)); /* no merging across regions */
}
END_TEST

START_TEST(test_anonymous_has_no_fd)
{
	ck_assert_int_eq(mem.regions[0].fd, -1);
}
END_TEST

/* guest_mem_add_shared(): what a second process mapping the fd sees. */
START_TEST(test_shared_region)
{
	const uint64_t high = 0x100000000ULL;
	struct guest_mem_region *r;
	char buf[6] = "";
	uint8_t *peer;

	ck_assert_int_eq(guest_mem_add_shared(&mem, high, SIZE), 0);
	r = &mem.regions[1];
	ck_assert_int_ge(r->fd, 0);
	ck_assert_uint_eq(r->fd_offset, 0);
	ck_assert(fcntl(r->fd, F_GETFD) & FD_CLOEXEC);
	ck_assert_ptr_eq(guest_mem_ptr(&mem, high + 8, 8),
			 (uint8_t *)r->host + 8);
	/* A backend's own mapping of the fd and ours are the same pages. */
	peer = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	ck_assert_ptr_ne(peer, MAP_FAILED);
	ck_assert_int_eq(guest_mem_write(&mem, high + SIZE - 6, "hello", 6), 0);
	ck_assert_str_eq((char *)peer + SIZE - 6, "hello");
	memcpy(peer + 100, "world", 6);
	ck_assert_str_eq((char *)guest_mem_ptr(&mem, high + 100, 6), "world");
	ck_assert_int_eq(pread(r->fd, buf, 6, 100), 6);
	ck_assert_str_eq(buf, "world");
	munmap(peer, SIZE);
}
END_TEST

/* A backend holding the fd cannot resize it and make our accesses fault. */
START_TEST(test_shared_size_sealed)
{
	struct stat st;
	int fd;

	ck_assert_int_eq(guest_mem_add_shared(&mem, 0, 4 * 4096), 0);
	fd = mem.regions[1].fd;
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 4 * 4096);
	ck_assert_int_eq(ftruncate(fd, 4096), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(ftruncate(fd, 8 * 4096), -1);
	ck_assert_int_eq(fcntl(fd, F_ADD_SEALS, 0), -1); /* sealed for good */
	ck_assert_int_eq(fcntl(fd, F_GET_SEALS) & (F_SEAL_SHRINK | F_SEAL_GROW),
			 F_SEAL_SHRINK | F_SEAL_GROW);
}
END_TEST

/* Same rules as guest_mem_add(); destroy closes the fds. */
START_TEST(test_shared_rejects_and_closes)
{
	int fd;

	ck_assert_int_eq(guest_mem_add_shared(&mem, BASE, SIZE), -EINVAL);
	ck_assert_int_eq(guest_mem_add_shared(&mem, 0x1001, 4096), -EINVAL);
	ck_assert_int_eq(guest_mem_add_shared(&mem, 0, 0), -EINVAL);
	ck_assert_int_eq(guest_mem_add_shared(&mem, UINT64_MAX - 4095, 8192),
			 -EINVAL);
	ck_assert_uint_eq(mem.nr, 1);
	ck_assert_int_eq(guest_mem_add_shared(&mem, 0, 4096), 0);
	ck_assert_int_eq(guest_mem_add(&mem, 4096, 4096), 0);
	ck_assert_int_eq(guest_mem_add_shared(&mem, 8192, 4096), 0);
	ck_assert_int_eq(guest_mem_add_shared(&mem, 12288, 4096), -ENOSPC);
	fd = mem.regions[1].fd;
	guest_mem_destroy(&mem);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* Bytes this process maps now (/proc/self/statm's first field). */
static uint64_t mapped_now(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long pages = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%llu", &pages), 1);
	fclose(f);
	return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/*
 * The host refusing guest RAM: an RLIMIT_AS 64 MiB above what this
 * process maps already (relative, so that a sanitizer build's terabytes
 * of shadow memory fit under it; Check runs each test in a process of its
 * own, so the limit ends with it). 1 GiB, anonymous or shared, is refused
 * with -ENOMEM and the reason names the limit; 1 MiB still fits.
 */
START_TEST(test_refused_by_rlimit_as)
{
	const uint64_t high = 0x100000000ULL, gib = 1ULL << 30;
	struct rlimit lim;
	char why[160];

	ck_assert_int_eq(getrlimit(RLIMIT_AS, &lim), 0);
	lim.rlim_cur = mapped_now() + (64ULL << 20);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &lim), 0);
	ck_assert_int_eq(guest_mem_add(&mem, high, gib), -ENOMEM);
	ck_assert_int_eq(guest_mem_add_shared(&mem, high, gib), -ENOMEM);
	ck_assert_uint_eq(mem.nr, 1);
	guest_mem_refusal(NULL, gib, why, sizeof(why));
	ck_assert_msg(strstr(why, "RLIMIT_AS (ulimit -v) allows ") == why, "%s",
		      why);
	ck_assert_int_eq(guest_mem_add(&mem, high, SIZE), 0);
}
END_TEST

/* Without an address-space limit, the reason does not blame one. */
START_TEST(test_refusal_without_limit)
{
	struct rlimit lim;
	char why[160];

	ck_assert_int_eq(getrlimit(RLIMIT_AS, &lim), 0);
	lim.rlim_cur = RLIM_INFINITY;
	if (lim.rlim_max != RLIM_INFINITY)
		return; /* this shell's hard limit cannot be lifted */
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &lim), 0);
	guest_mem_refusal(NULL, 1ULL << 40, why, sizeof(why));
	ck_assert_msg(!strstr(why, "RLIMIT_AS") && why[0], "%s", why);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("guest_mem");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ptr_table);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_add_rejects);
	tcase_add_test(tc, test_anonymous_has_no_fd);
	tcase_add_test(tc, test_shared_region);
	tcase_add_test(tc, test_shared_size_sealed);
	tcase_add_test(tc, test_shared_rejects_and_closes);
	tcase_add_test(tc, test_refused_by_rlimit_as);
	tcase_add_test(tc, test_refusal_without_limit);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
