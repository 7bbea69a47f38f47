// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmm/cli/options.h"

struct size_suffix {
	const char *name;
	unsigned int shift;
};

static const struct size_suffix size_suffixes[] = {
	{ "", 20 }, /* bare number: MiB */
	{ "B", 0 },    { "K", 10 },   { "KB", 10 },  { "KiB", 10 },
	{ "M", 20 },   { "MB", 20 },  { "MiB", 20 }, { "G", 30 },
	{ "GB", 30 },  { "GiB", 30 }, { "T", 40 },   { "TB", 40 },
	{ "TiB", 40 },
};

static int suffix_shift(const char *suffix, unsigned int *shift)
{
	for (size_t i = 0; i < sizeof(size_suffixes) / sizeof(size_suffixes[0]);
	     i++) {
		if (!strcasecmp(suffix, size_suffixes[i].name)) {
			*shift = size_suffixes[i].shift;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long n;
	unsigned int shift;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (suffix_shift(end, &shift))
		return -EINVAL;
	if (shift && n > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = (uint64_t)n << shift;
	return 0;
}

static int parse_uint(const char *s, unsigned int *out)
{
	unsigned long n;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno == ERANGE || *end || n > UINT32_MAX)
		return -EINVAL;
	*out = (unsigned int)n;
	return 0;
}

void options_usage(FILE *out)
{
	fputs("usage: tinyvmm [OPTIONS]\n"
	      "Runs a guest on /dev/kvm and measures VM <-> hypervisor transitions.\n"
	      "\n"
	      "  -k, --kernel FILE    guest kernel (arm64: Linux Image format)\n"
	      "  -i, --initrd FILE    initial ramdisk for the guest\n"
	      "  -p, --cmdline STR    guest kernel command line (lkvm's -p/--params)\n"
	      "  -m, --mem SIZE       guest RAM: 256M, 1G, ...; bare number = MiB\n"
	      "                       (default 256M)\n"
	      "      --hugepages thp|off|hugetlbfs[:2M|1G]\n"
	      "                       guest RAM's host pages: thp (default) advises\n"
	      "                       transparent huge pages (MADV_HUGEPAGE), off\n"
	      "                       forbids them (MADV_NOHUGEPAGE), hugetlbfs takes\n"
	      "                       reserved huge pages (default 2M) from a memfd\n"
	      "  -c, --cpus N         number of vCPUs (default 1; 2 with --bench)\n"
	      "      --pin, --no-pin  pin vCPU i to the i-th CPU tinyvmm may use\n"
	      "                       (default: on with --bench, else off)\n"
	      "  -d, --disk FILE[,ro][,cache=none|writeback][,io=auto|uring|sync][,lock=off]\n"
	      "                       a virtio-blk disk backed by FILE (io_uring;\n"
	      "                       cache=none: O_DIRECT); repeatable, up to 8;\n"
	      "                       FILE is locked (a read lock with ro): an image\n"
	      "                       in use elsewhere is refused; lock=off shares it\n"
	      "      --disk vhost-user=SOCKET[,ro]\n"
	      "                       a virtio-blk disk served by a vhost-user-blk\n"
	      "                       backend (e.g. qemu-storage-daemon) on SOCKET\n"
	      "  -n, --net tap=NAME[,vhost=on|off][,mac=MAC][,queue-size=N][,busy-poll=USECS]\n"
	      "                       a virtio-net NIC on tap device NAME (created if\n"
	      "                       missing), vhost-net unless vhost=off; queue-size\n"
	      "                       a power of two up to 1024 (default 256);\n"
	      "                       repeatable, up to 4\n"
	      "      --dtb-out FILE   write the generated device tree to FILE; without\n"
	      "                       --kernel, exit after writing it, and build it\n"
	      "                       without /dev/kvm: arm64 then assumes a GICv3\n"
	      "                       with an ITS (unless --no-its), a PMUv3 (unless\n"
	      "                       --pmu=off) and KVM's MPIDR numbering\n"
	      "      --host-info      print the host kernel, CPU, /dev/kvm state and\n"
	      "                       KVM mode (VHE, split nVHE/hVHE, protected), then exit\n"
	      "      --bench          run the embedded benchmark guest (or, with\n"
	      "                       --kernel FILE, any image speaking the bench\n"
	      "                       protocol) and print its results\n"
	      "      --bench-only NAME[,NAME...]\n"
	      "                       run only these benchmarks: hypercall, gic_trap,\n"
	      "                       mmio_user, eoi, virtual_ipi, vm_switch, io_out,\n"
	      "                       io_in, timer, lpi\n"
	      "      --iterations N   measured samples per benchmark (default 1000)\n"
	      "      --warmup N       samples run and dropped first (default 100)\n"
	      "      --json FILE      also write the results as JSON to FILE\n"
	      "      --tag KEY=VALUE  label copied into the JSON (repeatable;\n"
	      "                       icount=on marks QEMU -icount runs;\n"
	      "                       label=TEXT titles the run's column in\n"
	      "                       tinyvmm compare)\n"
	      "      --no-sve, --sve=on|off\n"
	      "      --no-ptrauth, --ptrauth=on|off\n"
	      "      --pmu=on|off     arm64 guest CPU features: SVE, pointer\n"
	      "                       authentication (address and generic), the\n"
	      "                       PMUv3; each is on when KVM offers it unless\n"
	      "                       off; =on fails when KVM lacks it\n"
	      "      --nested[=vhe|nvhe]\n"
	      "                       arm64: give the vCPUs a virtual EL2, so the\n"
	      "                       guest can run a hypervisor of its own (needs\n"
	      "                       a host KVM with KVM_CAP_ARM_EL2: kvm-arm.mode=\n"
	      "                       nested); nvhe also denies the guest VHE, so its\n"
	      "                       KVM runs split (default vhe: its choice)\n"
	      "      --no-seccomp     leave the threads unconfined (for debugging;\n"
	      "                       by default each confines itself to its\n"
	      "                       syscall allow-list once set up)\n"
	      "      --no-its         arm64: leave out the GICv3 ITS (the MSI\n"
	      "                       controller; on when KVM offers it)\n"
	      "  -v, --verbose        print set-up notes on stderr: guest RAM, where\n"
	      "                       kernel, initrd and device tree or ACPI tables\n"
	      "                       went, which device sits where (MMIO, IRQ)\n"
	      "  -h, --help           this text\n"
	      "  -V, --version        print the version\n"
	      "\n"
	      "The short options are kvmtool's (lkvm run): -c is the vCPUs, -n the\n"
	      "network, -p the kernel command line. Earlier tinyvmm had -c for the\n"
	      "command line and -n for the vCPUs: -c with a value that is not a\n"
	      "number and -n with one that is are refused with a note.\n"
	      "\n"
	      "Exit status: 0 guest powered off; 1 error (set-up failed, the guest\n"
	      "broke the VM, or its console output could not all be written to\n"
	      "stdout); 2 bad command line; 3 guest asked for a reset;\n"
	      "159 a thread made a syscall outside its seccomp allow-list.\n"
	      "With --bench: 0 every benchmark OK or skipped; 1 one failed, or the\n"
	      "guest stopped before reporting it was done.\n",
	      out);
}

enum {
	OPT_DTB_OUT = 256,
	OPT_HOST_INFO,
	OPT_BENCH,
	OPT_BENCH_ONLY,
	OPT_PIN,
	OPT_NO_PIN,
	OPT_ITERATIONS,
	OPT_WARMUP,
	OPT_JSON,
	OPT_TAG,
	OPT_NO_SECCOMP,
	OPT_HUGEPAGES,
	OPT_NO_ITS,
	OPT_SVE,
	OPT_NO_SVE,
	OPT_PTRAUTH,
	OPT_NO_PTRAUTH,
	OPT_PMU,
	OPT_NESTED,
};

static const struct option long_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "cmdline", required_argument, NULL, 'p' },
	{ "mem", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "hugepages", required_argument, NULL, OPT_HUGEPAGES },
	{ "dtb-out", required_argument, NULL, OPT_DTB_OUT },
	{ "host-info", no_argument, NULL, OPT_HOST_INFO },
	{ "bench", no_argument, NULL, OPT_BENCH },
	{ "pin", no_argument, NULL, OPT_PIN },
	{ "no-pin", no_argument, NULL, OPT_NO_PIN },
	{ "bench-only", required_argument, NULL, OPT_BENCH_ONLY },
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "disk", required_argument, NULL, 'd' },
	{ "net", required_argument, NULL, 'n' },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "no-its", no_argument, NULL, OPT_NO_ITS },
	{ "sve", required_argument, NULL, OPT_SVE },
	{ "no-sve", no_argument, NULL, OPT_NO_SVE },
	{ "ptrauth", required_argument, NULL, OPT_PTRAUTH },
	{ "no-ptrauth", no_argument, NULL, OPT_NO_PTRAUTH },
	{ "pmu", required_argument, NULL, OPT_PMU },
	{ "nested", optional_argument, NULL, OPT_NESTED },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int option_mem(const char *arg, uint64_t max_mem, struct options *o)
{
	int ret = parse_size(arg, &o->mem_size);

	if (ret) {
		tv_err("--mem %s: %s", arg,
		       ret == -ERANGE ? "too large to represent"
				      : "not a size (examples: 256M, 1G)");
		return -EINVAL;
	}
	if (o->mem_size == 0 || o->mem_size % (1ULL << 20)) {
		tv_err("--mem %s: must be a non-zero whole number of MiB", arg);
		return -EINVAL;
	}
	if (o->mem_size > max_mem) {
		tv_err("--mem %s: larger than this machine's memory map allows (%" PRIu64
		       " MiB)",
		       arg, max_mem >> 20);
		return -EINVAL;
	}
	return 0;
}

/* The size after "hugetlbfs:": 2 MiB or 1 GiB, the two arm64 and x86 share. */
static int hugetlb_page_size(const char *arg, const char *size, uint64_t *page)
{
	if (parse_size(size, page) ||
	    (*page != 2ULL << 20 && *page != GUEST_MEM_HUGETLB_MAX_PAGE)) {
		tv_err("--hugepages %s: the huge page size must be 2M or 1G",
		       arg);
		return -EINVAL;
	}
	return 0;
}

int options_parse_hugepages(const char *arg, struct options *o)
{
	const char *colon = strchr(arg, ':');
	size_t word = colon ? (size_t)(colon - arg) : strlen(arg);

	o->hugetlb_page = 0;
	if (!colon && !strcmp(arg, "thp")) {
		o->huge = GUEST_MEM_THP;
		return 0;
	}
	if (!colon && !strcmp(arg, "off")) {
		o->huge = GUEST_MEM_NO_HUGE;
		return 0;
	}
	if (word == strlen("hugetlbfs") && !strncmp(arg, "hugetlbfs", word)) {
		o->huge = GUEST_MEM_HUGETLB;
		o->hugetlb_page = 2ULL << 20;
		return colon ? hugetlb_page_size(arg, colon + 1,
						 &o->hugetlb_page)
			     : 0;
	}
	tv_err("--hugepages %s: expected thp, off or hugetlbfs[:2M|1G]", arg);
	return -EINVAL;
}

static int option_cpus(const char *arg, unsigned int max_cpus,
		       struct options *o)
{
	o->cpus_given = true;
	if (parse_uint(arg, &o->nr_cpus) || o->nr_cpus == 0) {
		tv_err("--cpus %s: must be a whole number from 1 to %u", arg,
		       max_cpus);
		return -EINVAL;
	}
	if (o->nr_cpus > max_cpus) {
		tv_err("--cpus %s: this machine's memory map has room for %u vCPUs",
		       arg, max_cpus);
		return -EINVAL;
	}
	return 0;
}

static int option_string(const char *name, const char *arg, const char **out)
{
	if (!*arg) {
		tv_err("--%s: needs a non-empty value", name);
		return -EINVAL;
	}
	*out = arg;
	return 0;
}

static int option_count(const char *name, const char *arg, uint32_t min,
			uint32_t max, uint32_t *out)
{
	unsigned int n;

	if (parse_uint(arg, &n) || n < min || n > max) {
		tv_err("--%s %s: must be a whole number from %u to %u", name,
		       arg, min, max);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

static bool bench_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* One name of a --bench-only list: [a-z0-9_]{1,BENCH_NAME_LEN-1}. */
static int bench_only_check(const char *list, const char *name, size_t len)
{
	if (len == 0) {
		tv_err("--bench-only %s: empty benchmark name", list);
		return -EINVAL;
	}
	if (len > BENCH_NAME_LEN - 1) {
		tv_err("--bench-only %s: '%.*s' is longer than %d characters",
		       list, (int)len, name, BENCH_NAME_LEN - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (!bench_name_char(name[i])) {
			tv_err("--bench-only %s: '%.*s' has a character outside "
			       "[a-z0-9_]",
			       list, (int)len, name);
			return -EINVAL;
		}
	}
	return 0;
}

static const char *const bench_names[] = { BENCH_NAMES };
_Static_assert(sizeof(bench_names) / sizeof(bench_names[0]) == BENCH_NR_NAMES,
	       "BENCH_NAMES has BENCH_NR_NAMES names");

/* A name of the bench protocol's list (bench_protocol.h), or -EINVAL. */
static int bench_only_known(const char *list, const char *name, size_t len)
{
	char valid[BENCH_NR_NAMES * BENCH_NAME_LEN] = "";

	for (size_t i = 0; i < BENCH_NR_NAMES; i++) {
		if (strlen(bench_names[i]) == len &&
		    !strncmp(bench_names[i], name, len))
			return 0;
	}
	for (size_t i = 0; i < BENCH_NR_NAMES; i++) {
		if (i)
			strcat(valid, ", ");
		strcat(valid, bench_names[i]);
	}
	tv_err("--bench-only %s: no benchmark '%.*s'; the benchmarks are %s",
	       list, (int)len, name, valid);
	return -EINVAL;
}

int options_parse_bench_only(const char *list, struct options *o)
{
	const char *p = list;

	o->nr_bench_select = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		char *dst =
			o->bench_only_buf + o->nr_bench_select * BENCH_NAME_LEN;

		if (bench_only_check(list, p, len) ||
		    bench_only_known(list, p, len))
			return -EINVAL;
		if (o->nr_bench_select == OPTIONS_MAX_BENCH_SELECT) {
			tv_err("--bench-only %s: more than %d names", list,
			       OPTIONS_MAX_BENCH_SELECT);
			return -EINVAL;
		}
		memcpy(dst, p, len);
		dst[len] = '\0';
		o->bench_select[o->nr_bench_select++] = dst;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int option_tag(const char *arg, struct options *o)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg) {
		tv_err("--tag %s: expected KEY=VALUE", arg);
		return -EINVAL;
	}
	if (o->nr_tags == OPTIONS_MAX_TAGS) {
		tv_err("--tag %s: more than %d tags", arg, OPTIONS_MAX_TAGS);
		return -EINVAL;
	}
	o->tags[o->nr_tags++] = arg;
	return 0;
}

static int option_device(int c, const char *arg, struct options *o)
{
	if (c == 'd') {
		if (o->nr_disks == OPTIONS_MAX_DISKS) {
			tv_err("--disk %s: more than %d disks", arg,
			       OPTIONS_MAX_DISKS);
			return -EINVAL;
		}
		return disk_spec_parse(arg, &o->disks[o->nr_disks++]);
	}
	if (o->nr_nets == OPTIONS_MAX_NETS) {
		tv_err("--net %s: more than %d NICs", arg, OPTIONS_MAX_NETS);
		return -EINVAL;
	}
	return net_spec_parse(arg, &o->nets[o->nr_nets++]);
}

/* --sve=on|off and the like; @arg NULL: --no-X. */
static int option_cpu_feature(enum cpu_feature f, const char *arg,
			      struct options *o)
{
	o->cpu_arg[f] = arg;
	if (!arg || !strcmp(arg, "off")) {
		o->cpu.req[f] = CPU_FEATURE_OFF;
		return 0;
	}
	if (!strcmp(arg, "on")) {
		o->cpu.req[f] = CPU_FEATURE_ON;
		return 0;
	}
	tv_err("--%s=%s: expected on or off", cpu_feature_name(f), arg);
	return -EINVAL;
}

/* --nested, --nested=vhe, --nested=nvhe; @arg NULL: bare --nested. */
static int option_nested(const char *arg, struct options *o)
{
	if (!arg || !strcmp(arg, "vhe")) {
		o->nested = CPU_NESTED_VHE;
		return 0;
	}
	if (!strcmp(arg, "nvhe")) {
		o->nested = CPU_NESTED_NVHE;
		return 0;
	}
	tv_err("--nested=%s: expected vhe or nvhe", arg);
	return -EINVAL;
}

static int option_cpu(int c, const char *arg, struct options *o)
{
	switch (c) {
	case OPT_NESTED:
		return option_nested(arg, o);
	case OPT_SVE:
	case OPT_NO_SVE:
		return option_cpu_feature(CPU_FEATURE_SVE,
					  c == OPT_SVE ? arg : NULL, o);
	case OPT_PTRAUTH:
	case OPT_NO_PTRAUTH:
		return option_cpu_feature(CPU_FEATURE_PTRAUTH,
					  c == OPT_PTRAUTH ? arg : NULL, o);
	case OPT_PMU:
		return option_cpu_feature(CPU_FEATURE_PMU, arg, o);
	default:
		return -EINVAL;
	}
}

static int option_bench(int c, const char *arg, struct options *o)
{
	switch (c) {
	case OPT_BENCH:
		o->bench = true;
		return 0;
	case OPT_PIN:
	case OPT_NO_PIN:
		o->pin_vcpus = c == OPT_PIN;
		o->pin_given = true;
		return 0;
	case OPT_BENCH_ONLY:
		return options_parse_bench_only(arg, o);
	case OPT_ITERATIONS:
		return option_count("iterations", arg, 1,
				    OPTIONS_MAX_ITERATIONS, &o->iterations);
	case OPT_WARMUP:
		return option_count("warmup", arg, 0, OPTIONS_MAX_WARMUP,
				    &o->warmup);
	case OPT_JSON:
		return option_string("json", arg, &o->json);
	case OPT_TAG:
		return option_tag(arg, o);
	default:
		return option_cpu(c, arg, o);
	}
}

static int option_one(int c, const char *arg, uint64_t max_mem,
		      unsigned int max_cpus, struct options *o)
{
	switch (c) {
	case 'k':
		return option_string("kernel", arg, &o->kernel);
	case 'i':
		return option_string("initrd", arg, &o->initrd);
	case 'p':
		o->cmdline = arg;
		return 0;
	case 'm':
		return option_mem(arg, max_mem, o);
	case 'c':
		return option_cpus(arg, max_cpus, o);
	case OPT_HUGEPAGES:
		return options_parse_hugepages(arg, o);
	case OPT_DTB_OUT:
		return option_string("dtb-out", arg, &o->dtb_out);
	case OPT_HOST_INFO:
		o->host_info = true;
		return 0;
	case OPT_NO_SECCOMP:
		o->no_seccomp = true;
		return 0;
	case OPT_NO_ITS:
		o->no_its = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	case 'd':
	case 'n':
		return option_device(c, arg, o);
	default:
		return option_bench(c, arg, o);
	}
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * -c and -n meant the command line and the vCPUs before tinyvmm took
 * kvmtool's short options (-c vCPUs, -n network, -p command line). A use
 * that only makes sense the old way is refused with a note, never read
 * the new way with a different meaning. Long options are unaffected.
 */
static int option_short_clash(int c, const char *arg)
{
	if (c == 'c' && !all_digits(arg)) {
		tv_err("-c %s: -c is now the number of vCPUs, as in lkvm; the "
		       "kernel command line is -p/--cmdline",
		       arg);
		return -EINVAL;
	}
	if (c == 'n' && all_digits(arg)) {
		tv_err("-n %s: -n is now the network (--net), as in lkvm; the "
		       "number of vCPUs is -c/--cpus",
		       arg);
		return -EINVAL;
	}
	return 0;
}

/* getopt_long's own messages would carry argv[0]; ours say "tinyvmm:". */
static void option_getopt_error(int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		tv_err("%s: needs a value; see --help", arg);
	else if (optopt && !strncmp(arg, "--", 2))
		/* A known long option given "=VALUE" it does not take. */
		tv_err("%s: takes no value; see --help", arg);
	else if (optopt)
		tv_err("unrecognized option '-%c'; see --help", optopt);
	else
		tv_err("unrecognized option '%s'; see --help", arg);
}

/* The bench options given without --bench: name the first one. */
static const char *bench_option_without_bench(const struct options *o)
{
	if (o->bench)
		return NULL;
	if (o->nr_bench_select)
		return "--bench-only";
	if (o->iterations != OPTIONS_DEFAULT_ITERATIONS)
		return "--iterations";
	if (o->warmup != OPTIONS_DEFAULT_WARMUP)
		return "--warmup";
	if (o->json)
		return "--json";
	return o->nr_tags ? "--tag" : NULL;
}

static int options_check(struct options *o)
{
	const char *orphan = bench_option_without_bench(o);

	if (o->help || o->version || o->host_info)
		return 0;
	if (orphan) {
		tv_err("%s: needs --bench", orphan);
		return -EINVAL;
	}
	if (o->bench && !o->cpus_given)
		o->nr_cpus = OPTIONS_BENCH_DEFAULT_CPUS;
	/* The paper's setup: each vCPU on its own physical CPU. */
	if (o->bench && !o->pin_given)
		o->pin_vcpus = true;
	if (!o->kernel && !o->dtb_out && !o->bench) {
		tv_err("no guest: give --kernel FILE or --bench (or --dtb-out FILE); see --help");
		return -EINVAL;
	}
	if (o->huge == GUEST_MEM_HUGETLB && o->mem_size % o->hugetlb_page) {
		tv_err("--mem %" PRIu64 "M: not a whole number of the %" PRIu64
		       " MiB huge pages --hugepages asks for",
		       o->mem_size >> 20, o->hugetlb_page >> 20);
		return -EINVAL;
	}
	if (o->initrd && !o->kernel) {
		tv_err("--initrd %s: needs --kernel", o->initrd);
		return -EINVAL;
	}
	if (o->bench && o->nested != CPU_NESTED_OFF) {
		tv_err("--nested: not with --bench (the benchmark guest is not "
		       "a hypervisor)");
		return -EINVAL;
	}
	return 0;
}

int options_check_cpu_features(const struct options *o, unsigned int supported,
			       const char *arch)
{
	for (unsigned int f = 0; f < CPU_FEATURE_COUNT; f++) {
		const char *name = cpu_feature_name(f);

		if (o->cpu.req[f] == CPU_FEATURE_AUTO ||
		    (supported & CPU_FEATURE_BIT(f)))
			continue;
		if (o->cpu_arg[f])
			tv_err("--%s=%s: an arm64 CPU feature switch; tinyvmm "
			       "on %s has none",
			       name, o->cpu_arg[f], arch);
		else
			tv_err("--no-%s: an arm64 CPU feature switch; tinyvmm "
			       "on %s has none",
			       name, arch);
		return -EINVAL;
	}
	return 0;
}

int options_check_nested(const struct options *o, bool supported,
			 const char *arch)
{
	if (o->nested == CPU_NESTED_OFF || supported)
		return 0;
	tv_err("--nested: a guest EL2 is an arm64 feature; tinyvmm on %s has "
	       "no nested mode",
	       arch);
	return -EINVAL;
}

int options_parse(int argc, char **argv, uint64_t max_mem,
		  unsigned int max_cpus, struct options *opts)
{
	int c, long_index;

	*opts = (struct options){
		.mem_size = OPTIONS_DEFAULT_MEM,
		.nr_cpus = OPTIONS_DEFAULT_CPUS,
		.iterations = OPTIONS_DEFAULT_ITERATIONS,
		.warmup = OPTIONS_DEFAULT_WARMUP,
	};
	optind = 0; /* full reset: tests call this more than once */
	opterr = 0;
	for (;;) {
		long_index = -1; /* stays -1 for a short option */
		c = getopt_long(argc, argv, ":k:i:p:m:c:d:n:vhV", long_options,
				&long_index);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			option_getopt_error(c, argv);
			return -EINVAL;
		}
		if (long_index < 0 && option_short_clash(c, optarg))
			return -EINVAL;
		if (option_one(c, optarg, max_mem, max_cpus, opts))
			return -EINVAL;
	}
	if (optind < argc) {
		tv_err("unexpected argument '%s'; see --help", argv[optind]);
		return -EINVAL;
	}
	return options_check(opts);
}
