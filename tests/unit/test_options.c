// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/cli/options.h"
#include "tests/unit/unit.h"

#define MAX_MEM (1ULL << 40)
#define MAX_CPUS 8

static const struct {
	const char *in;
	int ret;
	uint64_t bytes;
} size_cases[] = {
	{ "256M", 0, 256ULL << 20 },
	{ "1G", 0, 1ULL << 30 },
	{ "1g", 0, 1ULL << 30 },
	{ "512MiB", 0, 512ULL << 20 },
	{ "4096K", 0, 4ULL << 20 },
	{ "2T", 0, 2ULL << 40 },
	{ "64", 0, 64ULL << 20 },
	{ "100B", 0, 100 },
	{ "", -EINVAL, 0 },
	{ "M", -EINVAL, 0 },
	{ "-1G", -EINVAL, 0 },
	{ " 1G", -EINVAL, 0 },
	{ "1X", -EINVAL, 0 },
	{ "1G1", -EINVAL, 0 },
	{ "1.5G", -EINVAL, 0 },
	{ "17179869184G", -ERANGE, 0 },
	{ "99999999999999999999999", -ERANGE, 0 },
};

START_TEST(test_parse_size_table)
{
	for (size_t i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]);
	     i++) {
		uint64_t bytes = 0;
		int ret = parse_size(size_cases[i].in, &bytes);

		ck_assert_msg(ret == size_cases[i].ret, "'%s': ret %d",
			      size_cases[i].in, ret);
		if (!ret)
			ck_assert_msg(bytes == size_cases[i].bytes, "'%s'",
				      size_cases[i].in);
	}
}
END_TEST

/* Runs options_parse on a NULL-terminated argv; captures stderr. */
static int parse(struct options *o, char *err, size_t errlen, ...)
{
	char *argv[16] = { "tinyvmm" };
	int argc = 1, saved, ret;
	FILE *tmp = tmpfile();
	va_list ap;
	size_t n;

	va_start(ap, errlen);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	ret = options_parse(argc, argv, MAX_MEM, MAX_CPUS, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, errlen - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return ret;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_good_command_line)
{
	struct options o;
	char err[512];

	ck_assert_int_eq(parse(&o, err, sizeof(err), "--kernel", "Image",
			       "--initrd", "rd.gz", "--cmdline",
			       "console=ttyS0", "--mem", "1G", "--cpus", "2",
			       "--dtb-out", "x.dtb", NULL),
			 0);
	ck_assert_str_eq(o.kernel, "Image");
	ck_assert_str_eq(o.initrd, "rd.gz");
	ck_assert_str_eq(o.cmdline, "console=ttyS0");
	ck_assert_str_eq(o.dtb_out, "x.dtb");
	ck_assert_uint_eq(o.mem_size, 1ULL << 30);
	ck_assert_uint_eq(o.nr_cpus, 2);
	ck_assert_str_eq(err, "");
}
END_TEST

/* kvmtool's short options (lkvm run): -k -i -p -m -c -d -n. */
START_TEST(test_lkvm_short_options)
{
	struct options o;
	char err[512];

	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "Image", "-i",
			       "rd.gz", "-p", "console=ttyS0", "-m", "1024",
			       "-c", "4", "-d", "disk.img", "-n", "tap=tap0",
			       NULL),
			 0);
	ck_assert_str_eq(o.kernel, "Image");
	ck_assert_str_eq(o.initrd, "rd.gz");
	ck_assert_str_eq(o.cmdline, "console=ttyS0");
	ck_assert_uint_eq(o.mem_size, 1ULL << 30);
	ck_assert_uint_eq(o.nr_cpus, 4);
	ck_assert_uint_eq(o.nr_disks, 1);
	ck_assert_str_eq(o.disks[0].path, "disk.img");
	ck_assert_uint_eq(o.nr_nets, 1);
	ck_assert_str_eq(err, "");
	/* Glued values too: -c4. */
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-kImage", "-c4", NULL),
			 0);
	ck_assert_uint_eq(o.nr_cpus, 4);
}
END_TEST

/*
 * The old meanings (-c command line, -n vCPUs) never apply silently:
 * "tinyvmm -c 4 -m 1024" once booted one vCPU with bootargs "4".
 */
START_TEST(test_old_short_options_refused)
{
	static const struct {
		const char *opt, *arg, *msg;
	} cases[] = {
		{ "-c", "console=ttyS0",
		  "-c console=ttyS0: -c is now the number of vCPUs, as in "
		  "lkvm; the kernel command line is -p/--cmdline" },
		{ "-c", "", "-c is now the number of vCPUs" },
		{ "-n", "2",
		  "-n 2: -n is now the network (--net), as in lkvm; the "
		  "number of vCPUs is -c/--cpus" },
	};
	struct options o;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I",
				       cases[i].opt, cases[i].arg, NULL),
				 -EINVAL);
		ck_assert_int_eq(count_lines(err), 1);
		ck_assert_msg(strstr(err, cases[i].msg), "'%s'", err);
	}
	/* The long options keep their meaning, whatever the value. */
	ck_assert_int_eq(
		parse(&o, err, sizeof(err), "-k", "I", "--cmdline", "4", NULL),
		0);
	ck_assert_str_eq(o.cmdline, "4");
	ck_assert_uint_eq(o.nr_cpus, 1);
	ck_assert_int_eq(
		parse(&o, err, sizeof(err), "-k", "I", "--cpus", "x", NULL),
		-EINVAL);
	ck_assert_msg(strstr(err, "--cpus x: must be a whole number"), "'%s'",
		      err);
}
END_TEST

START_TEST(test_defaults_and_flags)
{
	struct options o;
	char err[512];

	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "Image", NULL), 0);
	ck_assert_uint_eq(o.mem_size, OPTIONS_DEFAULT_MEM);
	ck_assert_uint_eq(o.nr_cpus, OPTIONS_DEFAULT_CPUS);
	ck_assert_ptr_null(o.initrd);
	ck_assert(!o.no_seccomp); /* confined unless asked */
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "Image",
			       "--no-seccomp", NULL),
			 0);
	ck_assert(o.no_seccomp);
	ck_assert(!o.no_its); /* the ITS is on where KVM offers it */
	ck_assert_int_eq(
		parse(&o, err, sizeof(err), "-k", "Image", "--no-its", NULL),
		0);
	ck_assert(o.no_its);
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--host-info", NULL), 0);
	ck_assert(o.host_info);
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--help", NULL), 0);
	ck_assert(o.help);
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-V", NULL), 0);
	ck_assert(o.version);
}
END_TEST

START_TEST(test_bench_options)
{
	struct options o;
	char err[512];

	ck_assert_int_eq(parse(&o, err, sizeof(err), "--bench", NULL), 0);
	ck_assert(o.bench);
	ck_assert_uint_eq(o.nr_cpus, OPTIONS_BENCH_DEFAULT_CPUS);
	ck_assert_uint_eq(o.iterations, OPTIONS_DEFAULT_ITERATIONS);
	ck_assert_uint_eq(o.warmup, OPTIONS_DEFAULT_WARMUP);
	ck_assert_uint_eq(o.nr_bench_select, 0);
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--bench", "--cpus", "1",
			       "--iterations", "200", "--warmup", "0",
			       "--bench-only", "hypercall,mmio_user,io_in",
			       NULL),
			 0);
	ck_assert_uint_eq(o.nr_cpus, 1); /* --cpus given: kept */
	ck_assert_uint_eq(o.iterations, 200);
	ck_assert_uint_eq(o.warmup, 0);
	ck_assert_uint_eq(o.nr_bench_select, 3);
	ck_assert_str_eq(o.bench_select[0], "hypercall");
	ck_assert_str_eq(o.bench_select[1], "mmio_user");
	ck_assert_str_eq(o.bench_select[2], "io_in");
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--bench", "--json",
			       "out.json", "--tag", "icount=on", "--tag",
			       "k=v=w", NULL),
			 0);
	ck_assert_str_eq(o.json, "out.json");
	ck_assert_uint_eq(o.nr_tags, 2);
	ck_assert_str_eq(o.tags[1], "k=v=w");
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--bench", "-k", "g.img",
			       "--iterations", "1000000", NULL),
			 0);
	ck_assert_str_eq(o.kernel, "g.img");
	ck_assert_str_eq(err, "");
}
END_TEST

/* --disk and --net repeat, in order, up to their limits. */
START_TEST(test_device_options)
{
	struct options o;
	char err[512];

	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", "--disk",
			       "a.img,ro", "--disk", "vhost-user=/s", "--net",
			       "tap=tv0,vhost=off", NULL),
			 0);
	ck_assert_uint_eq(o.nr_disks, 2);
	ck_assert_str_eq(o.disks[0].path, "a.img");
	ck_assert(o.disks[0].read_only);
	ck_assert(o.disks[1].vhost_user);
	ck_assert_uint_eq(o.nr_nets, 1);
	ck_assert_str_eq(o.nets[0].tap, "tv0");
	ck_assert(!o.nets[0].vhost);
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", "--net",
			       "tap=a", "--net", "tap=b", "--net", "tap=c",
			       "--net", "tap=d", "--net", "tap=e", NULL),
			 -EINVAL);
	ck_assert_msg(strstr(err, "--net tap=e: more than 4 NICs"), "%s", err);
}
END_TEST

/* --hugepages: each spelling, and the default. */
static const struct {
	const char *arg;
	enum guest_mem_huge huge;
	uint64_t page;
} hugepages_cases[] = {
	{ "thp", GUEST_MEM_THP, 0 },
	{ "off", GUEST_MEM_NO_HUGE, 0 },
	{ "hugetlbfs", GUEST_MEM_HUGETLB, 2ULL << 20 },
	{ "hugetlbfs:2M", GUEST_MEM_HUGETLB, 2ULL << 20 },
	{ "hugetlbfs:2048K", GUEST_MEM_HUGETLB, 2ULL << 20 },
	{ "hugetlbfs:1G", GUEST_MEM_HUGETLB, 1ULL << 30 },
	{ "hugetlbfs:1GiB", GUEST_MEM_HUGETLB, 1ULL << 30 },
};

START_TEST(test_hugepages)
{
	struct options o;
	char err[512];

	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", NULL), 0);
	ck_assert_int_eq(o.huge, GUEST_MEM_THP);
	for (size_t i = 0;
	     i < sizeof(hugepages_cases) / sizeof(hugepages_cases[0]); i++) {
		char arg[64];

		snprintf(arg, sizeof(arg), "--hugepages=%s",
			 hugepages_cases[i].arg);
		ck_assert_msg(parse(&o, err, sizeof(err), "-k", "I", "--mem",
				    "2G", arg, NULL) == 0,
			      "%s: %s", arg, err);
		ck_assert_msg(o.huge == hugepages_cases[i].huge &&
				      o.hugetlb_page == hugepages_cases[i].page,
			      "%s", arg);
	}
	/* The last one given wins. */
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", "--hugepages",
			       "hugetlbfs", "--hugepages", "off", NULL),
			 0);
	ck_assert_int_eq(o.huge, GUEST_MEM_NO_HUGE);
	ck_assert_uint_eq(o.hugetlb_page, 0);
}
END_TEST

/* Name lists at the limits: 16 names of 31 characters pass. */
START_TEST(test_bench_only_limits)
{
	static const char *const names[] = { BENCH_NAMES };
	char list[16 * BENCH_NAME_LEN + 1] = "";
	struct options o;

	/* Up to 16 names, repeats allowed: every name of the protocol. */
	for (int i = 0; i < 16; i++) {
		if (i)
			strcat(list, ",");
		strcat(list, names[i % BENCH_NR_NAMES]);
	}
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(options_parse_bench_only(list, &o), 0);
	ck_assert_uint_eq(o.nr_bench_select, 16);
	ck_assert_str_eq(o.bench_select[15], names[15 % BENCH_NR_NAMES]);
	ck_assert_str_eq(o.bench_select[BENCH_NR_NAMES - 1], "lpi");
}
END_TEST

/*
 * A name the guest does not know is refused at parse time (it used to
 * fail inside the guest), in one line naming it and listing the valid ones.
 */
START_TEST(test_bench_only_unknown_name)
{
	struct options o;
	char err[512];

	ck_assert_int_eq(parse(&o, err, sizeof(err), "--bench", "--bench-only",
			       "hypercall,nonsense", NULL),
			 -EINVAL);
	ck_assert_int_eq(count_lines(err), 1);
	ck_assert_msg(strstr(err, "--bench-only hypercall,nonsense: no "
				  "benchmark 'nonsense'; the benchmarks are "
				  "hypercall, gic_trap, mmio_user, eoi, "
				  "virtual_ipi, vm_switch, io_out, io_in, "
				  "timer, lpi\n"),
		      "'%s'", err);
}
END_TEST

/* Each bad command line: rejected, with one line naming the culprit. */
static const struct {
	const char *args[4];
	const char *mentions;
} bad_cases[] = {
	{ { "-k", "I", "--mem", "0" }, "--mem 0" },
	{ { "-k", "I", "--mem", "100T" }, "--mem 100T" },
	{ { "-k", "I", "--mem", "lots" }, "--mem lots" },
	{ { "-k", "I", "--mem", "1500K" }, "whole number of MiB" },
	{ { "-k", "I", "--mem", "99999999999999999999T" }, "too large" },
	{ { "-k", "I", "--cpus", "0" }, "--cpus 0" },
	{ { "-k", "I", "--cpus", "9" }, "--cpus 9" },
	{ { "-k", "I", "--cpus", "-1" }, "--cpus -1" },
	{ { "-k", "I", "--cpus", "4294967297" }, "--cpus 4294967297" },
	/* Numbers are decimal, whole, in range: no hex, no junk, no sign. */
	{ { "-k", "I", "--cpus", "0x2" }, "--cpus 0x2" },
	{ { "-k", "I", "--cpus", "2 " }, "--cpus 2 " },
	{ { "-k", "I", "--cpus", " 2" }, "--cpus  2" },
	{ { "-k", "I", "--cpus", "+2" }, "--cpus +2" },
	{ { "-k", "I", "-c", "2x" }, "-c 2x: -c is now the number of vCPUs" },
	{ { "-k", "I", "--mem", "0x10" }, "--mem 0x10" },
	{ { "-k", "I", "--mem", "1e3" }, "--mem 1e3" },
	{ { "--bench", "--iterations", "0x10" }, "--iterations 0x10" },
	{ { "--bench", "--iterations", "10k" }, "--iterations 10k" },
	{ { "--bench", "--warmup", "4294967296" }, "--warmup 4294967296" },
	{ { "--bench", "--warmup", "18446744073709551616" },
	  "--warmup 18446744073709551616" },
	{ { "-k", "I", "stray" }, "stray" },
	{ { "--initrd", "rd" }, "no guest" },
	{ { "-k", "" }, "--kernel" },
	{ { "--frobnicate" }, "unrecognized option '--frobnicate'" },
	{ { "-k", "I", "-Z" }, "unrecognized option '-Z'" },
	{ { "-k", "I", "--mem" }, "--mem: needs a value" },
	{ { NULL }, "no guest" },
	{ { "-k", "I", "--disk", "d,rw" }, "--disk d,rw: unknown option" },
	{ { "-k", "I", "--net", "vhost=on" },
	  "--net vhost=on: needs tap=NAME" },
	{ { "--bench", "--bench-only", "" }, "empty benchmark name" },
	{ { "--bench", "--bench-only", "eoi,,eoi" }, "empty benchmark name" },
	{ { "--bench", "--bench-only", "eoi," }, "empty benchmark name" },
	{ { "--bench", "--bench-only", "eoi,hypercal" },
	  "no benchmark 'hypercal'; the benchmarks are hypercall," },
	{ { "--bench", "--bench-only", "Hyper" }, "outside [a-z0-9_]" },
	{ { "--bench", "--bench-only", "a-b" }, "outside [a-z0-9_]" },
	{ { "--bench", "--bench-only", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	  "longer than 31" },
	{ { "--bench", "--bench-only",
	    "eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,eoi,"
	    "eoi" },
	  "more than 16" },
	{ { "--bench", "--iterations", "0" }, "--iterations 0" },
	{ { "--bench", "--iterations", "1000001" }, "--iterations 1000001" },
	{ { "--bench", "--iterations", "lots" }, "--iterations lots" },
	{ { "--bench", "--warmup", "-1" }, "--warmup -1" },
	{ { "--bench", "--tag", "novalue" }, "--tag novalue" },
	{ { "--bench", "--tag", "=v" }, "--tag =v" },
	{ { "--bench", "--json", "" }, "--json" },
	{ { "-k", "I", "--iterations", "5" }, "--iterations: needs --bench" },
	{ { "-k", "I", "--json", "x" }, "--json: needs --bench" },
	{ { "-k", "I", "--bench-only", "eoi" }, "--bench-only: needs --bench" },
	{ { "-k", "I", "--hugepages", "on" },
	  "--hugepages on: expected thp, off or hugetlbfs[:2M|1G]" },
	{ { "-k", "I", "--hugepages", "" }, "--hugepages : expected" },
	{ { "-k", "I", "--hugepages", "thp:2M" }, "--hugepages thp:2M" },
	{ { "-k", "I", "--hugepages", "hugetlbfsx" },
	  "--hugepages hugetlbfsx" },
	{ { "-k", "I", "--hugepages", "hugetlbfs:4M" },
	  "huge page size must be 2M or 1G" },
	{ { "-k", "I", "--hugepages", "hugetlbfs:" },
	  "huge page size must be 2M or 1G" },
	{ { "-k", "I", "--hugepages", "hugetlbfs:1G" },
	  "--mem 256M: not a whole number of the 1024 MiB huge pages" },
	{ { "-k", "I", "--hugepages" }, "--hugepages: needs a value" },
	{ { "-k", "I", "--sve=yes" }, "--sve=yes: expected on or off" },
	{ { "-k", "I", "--pmu", "" }, "--pmu=: expected on or off" },
	{ { "-k", "I", "--ptrauth=ON" }, "--ptrauth=ON: expected on or off" },
	{ { "-k", "I", "--pmu" }, "--pmu: needs a value" },
	{ { "-k", "I", "--no-sve=on" }, "--no-sve=on: takes no value" },
	{ { "-k", "I", "--no-pmu" }, "unrecognized option '--no-pmu'" },
	{ { "-k", "I", "--nested=yes" }, "--nested=yes: expected vhe or nvhe" },
	{ { "-k", "I", "--nested=" }, "--nested=: expected vhe or nvhe" },
	/* The value is optional, so it must be attached with '='. */
	{ { "-k", "I", "--nested", "nvhe" }, "unexpected argument 'nvhe'" },
	{ { "--bench", "--nested" },
	  "--nested: not with --bench (the benchmark guest is not a "
	  "hypervisor)" },
	{ { "--bench", "--nested=nvhe" }, "--nested: not with --bench" },
};

START_TEST(test_bad_command_lines)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const char *const *a = bad_cases[i].args;
		struct options o;
		char err[512];

		ck_assert_int_eq(parse(&o, err, sizeof(err), a[0], a[1], a[2],
				       a[3], NULL),
				 -EINVAL);
		ck_assert_msg(count_lines(err) == 1, "case %zu: '%s'", i, err);
		ck_assert_msg(strstr(err, bad_cases[i].mentions),
			      "case %zu: '%s'", i, err);
	}
}
END_TEST

START_TEST(test_cpu_feature_switches)
{
	struct options o;
	char err[512];

	/* Unsaid: each follows what KVM offers. */
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", NULL), 0);
	for (unsigned int f = 0; f < CPU_FEATURE_COUNT; f++)
		ck_assert_int_eq(o.cpu.req[f], CPU_FEATURE_AUTO);
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", "--no-sve",
			       "--ptrauth=on", "--pmu=off", NULL),
			 0);
	ck_assert_int_eq(o.cpu.req[CPU_FEATURE_SVE], CPU_FEATURE_OFF);
	ck_assert_ptr_null(o.cpu_arg[CPU_FEATURE_SVE]);
	ck_assert_int_eq(o.cpu.req[CPU_FEATURE_PTRAUTH], CPU_FEATURE_ON);
	ck_assert_int_eq(o.cpu.req[CPU_FEATURE_PMU], CPU_FEATURE_OFF);
	ck_assert_str_eq(o.cpu_arg[CPU_FEATURE_PMU], "off");
	/* The last one given wins, as for --pin / --no-pin. */
	ck_assert_int_eq(parse(&o, err, sizeof(err), "--bench", "--no-ptrauth",
			       "--ptrauth", "on", "--sve=on", "--no-sve", NULL),
			 0);
	ck_assert_int_eq(o.cpu.req[CPU_FEATURE_PTRAUTH], CPU_FEATURE_ON);
	ck_assert_int_eq(o.cpu.req[CPU_FEATURE_SVE], CPU_FEATURE_OFF);
	ck_assert_int_eq(o.cpu.req[CPU_FEATURE_PMU], CPU_FEATURE_AUTO);
	ck_assert_str_eq(err, "");
}
END_TEST

/* Sends stderr to a temporary file until stderr_restore(). */
static FILE *stderr_capture(int *saved)
{
	FILE *tmp = tmpfile();

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	return tmp;
}

/* Puts stderr back and copies what was written to it into @err. */
static void stderr_restore(FILE *tmp, int saved, char *err, size_t errlen)
{
	size_t n;

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, errlen - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
}

/* options_check_cpu_features() with stderr captured into @err. */
static int check_cpu(const struct options *o, unsigned int supported, char *err,
		     size_t errlen)
{
	int saved;
	FILE *tmp = stderr_capture(&saved);
	int ret = options_check_cpu_features(o, supported, "x86_64");

	stderr_restore(tmp, saved, err, errlen);
	return ret;
}

/* options_check_nested() with stderr captured into @err. */
static int check_nested(const struct options *o, bool supported, char *err,
			size_t errlen)
{
	int saved;
	FILE *tmp = stderr_capture(&saved);
	int ret = options_check_nested(o, supported, "x86_64");

	stderr_restore(tmp, saved, err, errlen);
	return ret;
}

START_TEST(test_cpu_switches_on_an_arch_without_them)
{
	const unsigned int all = CPU_FEATURE_BIT(CPU_FEATURE_SVE) |
				 CPU_FEATURE_BIT(CPU_FEATURE_PTRAUTH) |
				 CPU_FEATURE_BIT(CPU_FEATURE_PMU);
	struct options o;
	char err[512];

	/* No switch given: nothing to refuse, whatever the arch. */
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", NULL), 0);
	ck_assert_int_eq(check_cpu(&o, 0, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");

	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", "--no-sve",
			       "--pmu=on", NULL),
			 0);
	ck_assert_int_eq(check_cpu(&o, all, err, sizeof(err)), 0);
	ck_assert_int_eq(check_cpu(&o, 0, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(count_lines(err), 1);
	ck_assert_msg(strstr(err, "--no-sve: an arm64 CPU feature switch; "
				  "tinyvmm on x86_64 has none"),
		      "'%s'", err);
	/* Each switch on its own is named as given. */
	ck_assert_int_eq(check_cpu(&o, CPU_FEATURE_BIT(CPU_FEATURE_SVE), err,
				   sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "--pmu=on: "), "'%s'", err);
	ck_assert_int_eq(count_lines(err), 1);
}
END_TEST

START_TEST(test_nested_option)
{
	static const struct {
		const char *arg;
		enum cpu_nested want;
	} cases[] = {
		{ "--nested", CPU_NESTED_VHE },
		{ "--nested=vhe", CPU_NESTED_VHE },
		{ "--nested=nvhe", CPU_NESTED_NVHE },
	};
	struct options o;
	char err[512];

	/* Off unless asked: a guest hypervisor boots differently. */
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", NULL), 0);
	ck_assert_int_eq(o.nested, CPU_NESTED_OFF);
	ck_assert_int_eq(check_nested(&o, false, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I",
				       cases[i].arg, NULL),
				 0);
		ck_assert_msg(o.nested == cases[i].want, "%s", cases[i].arg);
		ck_assert_int_eq(check_nested(&o, true, err, sizeof(err)), 0);
		ck_assert_str_eq(err, "");
		/* An arch without a nested mode (x86_64) refuses it. */
		ck_assert_int_eq(check_nested(&o, false, err, sizeof(err)),
				 -EINVAL);
		ck_assert_int_eq(count_lines(err), 1);
		ck_assert_msg(strstr(err, "--nested: a guest EL2 is an arm64 "
					  "feature; tinyvmm on x86_64 has no "
					  "nested mode"),
			      "'%s'", err);
	}
	/* The last one given wins. */
	ck_assert_int_eq(parse(&o, err, sizeof(err), "-k", "I", "--nested=nvhe",
			       "--nested", NULL),
			 0);
	ck_assert_int_eq(o.nested, CPU_NESTED_VHE);
	ck_assert_str_eq(cpu_nested_name(CPU_NESTED_NVHE), "nvhe");
	ck_assert_ptr_null(cpu_nested_name((enum cpu_nested)3));
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_device_options,
		test_parse_size_table,
		test_good_command_line,
		test_lkvm_short_options,
		test_old_short_options_refused,
		test_defaults_and_flags,
		test_bad_command_lines,
		test_bench_options,
		test_bench_only_limits,
		test_bench_only_unknown_name,
		test_hugepages,
		test_cpu_feature_switches,
		test_cpu_switches_on_an_arch_without_them,
		test_nested_option,
		NULL,
	};

	return unit_run_tests("options", "core", tests);
}
