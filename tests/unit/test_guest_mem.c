// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

/* guest_mem_place(): the first congruent address at or above start. */
static const struct {
	uint64_t start, gpa, align, want;
} place_cases[] = {
	{ 0x7f0000000000, 0x80000000, 2 << 20, 0x7f0000000000 },
	{ 0x7f0000001000, 0x80000000, 2 << 20, 0x7f0000200000 },
	{ 0x7f00001ff000, 0x80000000, 2 << 20, 0x7f0000200000 },
	{ 0x7f0000201000, 0x80000000, 2 << 20, 0x7f0000400000 },
	{ 0x7f0000001000, 0x80100000, 2 << 20, 0x7f0000100000 },
	{ 0x7f0000101000, 0x80100000, 2 << 20, 0x7f0000300000 },
	{ 0x7f0000001000, 0, 1 << 30, 0x7f0040000000 },
	{ 0x7f0040000000, 0x40000000, 1 << 30, 0x7f0040000000 },
	{ 0x7f0000003000, 0x5000, 4096, 0x7f0000003000 },
	{ 0xffffffffffe01000, 0, 2 << 20, 0 }, /* wraps, as the sum does */
};

START_TEST(test_place_table)
{
	for (size_t i = 0; i < sizeof(place_cases) / sizeof(place_cases[0]);
	     i++) {
		uint64_t got = guest_mem_place(place_cases[i].start,
					       place_cases[i].gpa,
					       place_cases[i].align);

		ck_assert_msg(got == place_cases[i].want, "case %zu: 0x%llx", i,
			      (unsigned long long)got);
	}
}
END_TEST

START_TEST(test_align_per_backing)
{
	struct guest_mem_backing b = { .huge = GUEST_MEM_THP };

	ck_assert_uint_eq(guest_mem_align(&b), 2 << 20);
	b.huge = GUEST_MEM_NO_HUGE;
	ck_assert_uint_eq(guest_mem_align(&b), 2 << 20);
	b = (struct guest_mem_backing){ .huge = GUEST_MEM_HUGETLB,
					.hugetlb_page = 1ULL << 30 };
	ck_assert_uint_eq(guest_mem_align(&b), 1ULL << 30);
	b.hugetlb_page = 2 << 20;
	ck_assert_uint_eq(guest_mem_align(&b), 2 << 20);
}
END_TEST

/*
 * What /proc/self/smaps says of the mapping that starts at @host: its
 * VmFlags line into @flags, and its AnonHugePages in KiB.
 */
static uint64_t smaps_of(const void *host, char *flags, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long long start, end, huge = 0;
	char line[512];
	bool in = false;

	ck_assert_ptr_nonnull(f);
	flags[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				break;
			in = start == (uintptr_t)host;
		} else if (in) {
			sscanf(line, "AnonHugePages: %llu kB", &huge);
			if (!strncmp(line, "VmFlags:", 8))
				snprintf(flags, len, "%.500s", line + 8);
		}
	}
	fclose(f);
	ck_assert_msg(flags[0], "no mapping at %p in /proc/self/smaps", host);
	return huge;
}

/* Whether VmFlags line @flags has the two-letter flag @flag. */
static bool has_vmflag(const char *flags, const char *flag)
{
	char word[5];

	snprintf(word, sizeof(word), " %s", flag);
	return strstr(flags, word) != NULL;
}

/* The host's THP policy is @policy: the bracketed word in @file. */
static bool host_thp_is(const char *policy)
{
	char buf[32];

	return !strcmp(guest_mem_host_thp(false, buf, sizeof(buf)), policy);
}

/*
 * THP: 2 MiB-congruent, advised MADV_HUGEPAGE ("hg" in VmFlags); where
 * the host's policy is not "never", touching it gives huge pages.
 */
START_TEST(test_thp_region)
{
	const uint64_t gpa = 0x100000000ULL, size = 8ULL << 20;
	struct guest_mem_region *r;
	char flags[512];
	uint64_t huge;

	ck_assert_int_eq(guest_mem_add(&mem, gpa, size), 0);
	r = &mem.regions[1];
	ck_assert_uint_eq((uintptr_t)r->host % (2 << 20), 0);
	ck_assert_uint_eq(r->align, 2 << 20);
	ck_assert_int_eq(r->backing.huge, GUEST_MEM_THP);
	memset(r->host, 0x5a, size);
	huge = smaps_of(r->host, flags, sizeof(flags));
	ck_assert_msg(has_vmflag(flags, "hg") && !has_vmflag(flags, "nh"), "%s",
		      flags);
	if (host_thp_is("never"))
		printf("SKIP: the host's THP policy is 'never': "
		       "AnonHugePages not checked\n");
	else
		ck_assert_msg(huge >= 2048, "AnonHugePages %llu kB",
			      (unsigned long long)huge);
}
END_TEST

/* off: MADV_NOHUGEPAGE ("nh"), and never a huge page, whatever the host. */
START_TEST(test_off_region)
{
	const struct guest_mem_backing off = { .huge = GUEST_MEM_NO_HUGE };
	const uint64_t gpa = 0x100200000ULL, size = 8ULL << 20;
	struct guest_mem_region *r;
	char flags[512];

	ck_assert_int_eq(guest_mem_map(&mem, gpa, size, &off), 0);
	r = &mem.regions[1];
	ck_assert_uint_eq((uintptr_t)r->host % (2 << 20), 0);
	memset(r->host, 0xa5, size);
	ck_assert_uint_eq(smaps_of(r->host, flags, sizeof(flags)), 0);
	ck_assert_msg(has_vmflag(flags, "nh") && !has_vmflag(flags, "hg"), "%s",
		      flags);
}
END_TEST

/* A gpa that is not 2 MiB-aligned: the host address follows it. */
START_TEST(test_congruent_unaligned_gpa)
{
	const uint64_t gpa = 0x100123000ULL;

	ck_assert_int_eq(guest_mem_add(&mem, gpa, 4ULL << 20), 0);
	ck_assert_uint_eq((uintptr_t)mem.regions[1].host % (2 << 20),
			  gpa % (2 << 20));
}
END_TEST

/* The shared path takes each backing; its fd stays, with its advice. */
START_TEST(test_shared_off)
{
	const struct guest_mem_backing b = { .huge = GUEST_MEM_NO_HUGE,
					     .shared = true };
	char flags[512];

	ck_assert_int_eq(guest_mem_map(&mem, 0, 4ULL << 20, &b), 0);
	ck_assert_int_ge(mem.regions[1].fd, 0);
	ck_assert_uint_eq((uintptr_t)mem.regions[1].host % (2 << 20), 0);
	smaps_of(mem.regions[1].host, flags, sizeof(flags));
	ck_assert_msg(has_vmflag(flags, "nh"), "%s", flags);
}
END_TEST

/* hugetlbfs refuses what is not whole huge pages, and odd page sizes. */
START_TEST(test_hugetlb_rejects)
{
	struct guest_mem_backing b = { .huge = GUEST_MEM_HUGETLB,
				       .hugetlb_page = 2 << 20 };

	ck_assert_int_eq(guest_mem_map(&mem, 0, 1 << 20, &b), -EINVAL);
	ck_assert_int_eq(guest_mem_map(&mem, 1 << 20, 2 << 20, &b), -EINVAL);
	b.hugetlb_page = 4 << 20;
	ck_assert_int_eq(guest_mem_map(&mem, 0, 4 << 20, &b), -EINVAL);
	b.hugetlb_page = 1ULL << 30;
	ck_assert_int_eq(guest_mem_map(&mem, 0, 2 << 20, &b), -EINVAL);
	ck_assert_uint_eq(mem.nr, 1);
}
END_TEST

/* A count from /sys/kernel/mm/hugepages/hugepages-2048kB; -1 unknown. */
static long long hugepages_2m(const char *name)
{
	char path[96];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-2048kB/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * hugetlbfs with 2 MiB pages, for 8 MiB (4 pages), private and shared.
 * Where the host has them free, both map, 2 MiB-aligned, and the shared
 * memfd's pages are the ones a second mapping sees. Where it has fewer,
 * both are refused with -ENOMEM at map time (not SIGBUS later), and the
 * reason says how many are needed and where to reserve them. A host
 * without 2 MiB hugetlbfs pages at all is the one skip.
 */
START_TEST(test_hugetlb_2m)
{
	struct guest_mem_backing b = { .huge = GUEST_MEM_HUGETLB,
				       .hugetlb_page = 2 << 20 };
	long long free_ = hugepages_2m("free_hugepages"),
		  resv = hugepages_2m("resv_hugepages");
	const uint64_t size = 8ULL << 20;
	char why[320];
	int ret;

	if (free_ < 0) {
		printf("SKIP: no /sys/kernel/mm/hugepages/hugepages-2048kB: "
		       "this host has no 2 MiB hugetlbfs pages\n");
		return;
	}
	ret = guest_mem_map(&mem, 0, size, &b);
	if (free_ - resv < 2 * 4) {
		ck_assert_int_eq(ret, -ENOMEM);
		guest_mem_refusal(&b, size, why, sizeof(why));
		ck_assert_msg(strstr(why, "it needs 4 free 2 MiB huge pages"),
			      "%s", why);
		ck_assert_msg(strstr(why, "/sys/kernel/mm/hugepages/"
					  "hugepages-2048kB/nr_hugepages"),
			      "%s", why);
		b.shared = true;
		ck_assert_int_eq(guest_mem_map(&mem, 0, size, &b), -ENOMEM);
		ck_assert_uint_eq(mem.nr, 1);
		return;
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(mem.regions[1].fd, -1);
	ck_assert_uint_eq((uintptr_t)mem.regions[1].host % (2 << 20), 0);
	memset(mem.regions[1].host, 1, size);
	b.shared = true;
	ck_assert_int_eq(guest_mem_map(&mem, size, size, &b), 0);
	ck_assert_int_ge(mem.regions[2].fd, 0);
	ck_assert_int_eq(guest_mem_write(&mem, size + 4096, "huge", 5), 0);
	ck_assert_int_eq(pread(mem.regions[2].fd, why, 5, 4096), 5);
	ck_assert_str_eq(why, "huge");
}
END_TEST

/* The -v line, for each kind of backing. */
START_TEST(test_describe)
{
	struct guest_mem_region r = { .gpa = 0x80000000,
				      .size = 256ULL << 20,
				      .fd = -1,
				      .backing = { .huge = GUEST_MEM_THP },
				      .align = 2 << 20 };
	char line[256];

	ck_assert_str_eq(guest_mem_describe(&r, "madvise", line, sizeof(line)),
			 "256 MiB at 0x80000000, anonymous, 2 MiB-aligned, THP "
			 "(MADV_HUGEPAGE; host THP policy 'madvise')");
	ck_assert_str_eq(guest_mem_describe(&r, "never", line, sizeof(line)),
			 "256 MiB at 0x80000000, anonymous, 2 MiB-aligned, THP "
			 "advised (MADV_HUGEPAGE) but the host's THP policy is "
			 "'never': base pages only");
	r.fd = 3;
	ck_assert_str_eq(guest_mem_describe(&r, "advise", line, sizeof(line)),
			 "256 MiB at 0x80000000, shared memfd, 2 MiB-aligned, "
			 "THP (MADV_HUGEPAGE; host shmem THP policy 'advise')");
	r.fd = -1;
	r.backing.huge = GUEST_MEM_NO_HUGE;
	ck_assert_str_eq(guest_mem_describe(&r, "always", line, sizeof(line)),
			 "256 MiB at 0x80000000, anonymous, 2 MiB-aligned, no "
			 "huge pages (MADV_NOHUGEPAGE)");
	r.backing = (struct guest_mem_backing){ .huge = GUEST_MEM_HUGETLB,
						.hugetlb_page = 1ULL << 30 };
	r.size = 2ULL << 30;
	r.align = 1ULL << 30;
	ck_assert_str_eq(guest_mem_describe(&r, "", line, sizeof(line)),
			 "2 GiB at 0x80000000, hugetlbfs memfd, 1 GiB-aligned, "
			 "1 GiB hugetlbfs pages");
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
	tcase_add_test(tc, test_place_table);
	tcase_add_test(tc, test_align_per_backing);
	tcase_add_test(tc, test_thp_region);
	tcase_add_test(tc, test_off_region);
	tcase_add_test(tc, test_congruent_unaligned_gpa);
	tcase_add_test(tc, test_shared_off);
	tcase_add_test(tc, test_hugetlb_rejects);
	tcase_add_test(tc, test_hugetlb_2m);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
