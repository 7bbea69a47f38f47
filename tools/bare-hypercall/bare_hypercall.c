// SPDX-License-Identifier: MIT
/*
 * bare-hypercall: the baseline for tinyvmm's hypercall benchmark. One
 * thread, one vCPU, one memslot and a single KVM_RUN: the guest
 * (guest_loop.S) times the same 16 x "hvc #0" (SMCCC_VERSION) window as
 * tinyvmm's bench guest, stores the CNTVCT deltas in guest RAM and exits
 * once, with an MMIO write. KVM answers every hvc in the kernel, so what
 * tinyvmm's figure has over this one is what tinyvmm adds to such a
 * transition.
 *
 * The kernel's share of a transition depends on what the VM has, so by
 * default the VM has what tinyvmm asks KVM for: an in-kernel vGICv3 and a
 * PMUv3 (with its cycle counter running, see guest_loop.S). Without a
 * vGIC (--no-vgic) KVM takes its userspace-irqchip path on every exit,
 * which under QEMU -icount costs about 400 instructions more per
 * hypercall, in VHE and in split mode alike.
 *
 * arm64 only; uses nothing of tinyvmm's vmm/ code on purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define PROG "bare-hypercall"

/*
 * Guest-physical layout: the code at RAM_BASE (where tinyvmm's RAM
 * starts too), the samples from RAM_BASE + SAMPLES_OFF; EXIT_GPA lies
 * outside the only memslot, so the guest's store to it exits to us.
 */
#define RAM_BASE 0x80000000ULL
#define SAMPLES_OFF 0x1000ULL
#define EXIT_GPA 0x10000000ULL
#define GICD_GPA 0x08000000ULL /* the vGICv3 where tinyvmm puts it */
#define GICR_GPA 0x080a0000ULL
#define PMU_INTID 23 /* a PPI, as tinyvmm gives its PMU */
#define BATCH 16     /* hvcs per sample, as in guest_loop.S */
#define MAX_SAMPLES 1000000U

/* EL1 using SP_EL1, D, A, I and F masked. */
#define GUEST_PSTATE \
	(PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT)
#define CORE_REG(field)                                        \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, field) / sizeof(uint32_t)))

/* guest_loop.S: the guest code, never run by the host. */
extern const unsigned char bare_guest_code[], bare_guest_code_end[];

struct options {
	unsigned int iterations, warmup;
	const char *json;
	int icount; /* label per-op figures "instructions (icount)" */
	int vgic;   /* create an in-kernel vGICv3, as tinyvmm does */
	int pmu;    /* and give the vCPU a PMU, as tinyvmm does */
	/* SVE and pointer authentication when KVM offers them, as tinyvmm
	 * does (--no-sve, --no-ptrauth); after vcpu_create(): what it got. */
	int sve, ptrauth;
};

struct bare_vm {
	int kvm, vm, vcpu, gic;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *ram;
	size_t ram_size;
};

struct summary {
	double median, mean, min; /* counter ticks per sample */
};

/* Prints "bare-hypercall: WHAT on ON: strerror" and returns -errno. */
static int fail(const char *what, const char *on)
{
	int err = errno;

	fprintf(stderr, PROG ": %s on %s: %s\n", what, on, strerror(err));
	return -err;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [--iterations N] [--warmup N]\n"
		"       [--json FILE] [--icount-label] [--no-pmu] [--no-vgic]\n"
		"       [--no-sve] [--no-ptrauth]\n"
		"\n"
		"A bare KVM_RUN loop (one thread, one vCPU, one memslot,\n"
		"one KVM_RUN): the guest times N samples of 16 back-to-back\n"
		"\"hvc #0\" (SMCCC_VERSION, answered in the host kernel)\n"
		"with CNTVCT_EL0, the window of tinyvmm --bench's\n"
		"hypercall, after a warm-up, and exits once. Prints the\n"
		"median, mean and min per sample (ticks) and per operation\n"
		"(ticks, and ns at CNTFRQ_EL0). The thread runs pinned to\n"
		"the first CPU it may use, like tinyvmm --bench's vCPU 0.\n"
		"The VM has an in-kernel vGICv3 and a PMUv3, as tinyvmm's,\n"
		"and SVE and pointer authentication when KVM offers them.\n"
		"\n"
		"  --iterations N   samples (default 1000, at most %u)\n"
		"  --warmup N       samples thrown away first (default 100)\n"
		"  --json FILE      also write the figures as JSON\n"
		"  --icount-label   under QEMU -icount shift=0 one ns is one\n"
		"                   instruction: label per-op ns so\n"
		"  --no-pmu         no PMU for the vCPU\n"
		"  --no-vgic        no in-kernel irqchip (implies --no-pmu)\n"
		"  --no-sve         no SVE for the vCPU\n"
		"  --no-ptrauth     no pointer authentication for the vCPU\n"
		"  -h, --help       this text\n",
		MAX_SAMPLES);
}

static int parse_count(const char *opt, const char *arg, unsigned int min,
		       unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min ||
	    v > MAX_SAMPLES) {
		fprintf(stderr, PROG ": %s %s: expected %u to %u\n", opt, arg,
			min, MAX_SAMPLES);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/* Returns 0, 1 for --help, or -EINVAL (the error printed). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "json", required_argument, NULL, 'j' },
		{ "icount-label", no_argument, NULL, 'I' },
		{ "no-vgic", no_argument, NULL, 'G' },
		{ "no-pmu", no_argument, NULL, 'P' },
		{ "no-sve", no_argument, NULL, 'S' },
		{ "no-ptrauth", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	*o = (struct options){
		.iterations = 1000,
		.warmup = 100,
		.vgic = 1,
		.pmu = 1,
		.sve = 1,
		.ptrauth = 1,
	};
	while (!ret &&
	       (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ret = parse_count("--iterations", optarg, 1,
					  &o->iterations);
			break;
		case 'w':
			ret = parse_count("--warmup", optarg, 0, &o->warmup);
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'I':
			o->icount = 1;
			break;
		case 'G':
			o->vgic = 0;
			break;
		case 'P':
			o->pmu = 0;
			break;
		case 'S':
			o->sve = 0;
			break;
		case 'A':
			o->ptrauth = 0;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			ret = -EINVAL;
			break;
		}
	}
	if (!o->vgic)
		o->pmu = 0; /* KVM wires a vCPU's PMU to the in-kernel vGIC */
	if (!ret && optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n",
			argv[optind]);
		ret = -EINVAL;
	}
	if (ret)
		fprintf(stderr, "Try '" PROG " --help'.\n");
	return ret;
}

/* Binds this thread to the first CPU it may run on. */
static int pin_first_cpu(int *cpu)
{
	cpu_set_t allowed, one;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return fail("sched_getaffinity", "this thread");
	for (*cpu = 0; *cpu < CPU_SETSIZE; (*cpu)++)
		if (CPU_ISSET(*cpu, &allowed))
			break;
	if (*cpu == CPU_SETSIZE) {
		errno = ENOENT;
		return fail("finding an allowed CPU", "this thread");
	}
	CPU_ZERO(&one);
	CPU_SET(*cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return fail("sched_setaffinity (pinning)", "this thread");
	return 0;
}

static int vm_open(struct bare_vm *b)
{
	int version;

	b->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (b->kvm < 0)
		return fail("open", "/dev/kvm");
	version = ioctl(b->kvm, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		if (version >= 0)
			errno = EPROTO;
		return fail("KVM_GET_API_VERSION (want 12)", "/dev/kvm");
	}
	b->vm = ioctl(b->kvm, KVM_CREATE_VM, 0UL);
	if (b->vm < 0)
		return fail("KVM_CREATE_VM", "/dev/kvm");
	return 0;
}

/* One anonymous mapping as the VM's only memslot, the guest code copied in. */
static int vm_add_ram(struct bare_vm *b, unsigned int samples)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t code = (size_t)(bare_guest_code_end - bare_guest_code);
	struct kvm_userspace_memory_region region;

	b->ram_size = SAMPLES_OFF + (size_t)samples * sizeof(uint64_t);
	b->ram_size = (b->ram_size + page - 1) & ~(page - 1);
	b->ram = mmap(NULL, b->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->ram == MAP_FAILED) {
		b->ram = NULL;
		return fail("mmap of guest RAM", "this process");
	}
	memcpy(b->ram, bare_guest_code, code);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = RAM_BASE,
		.memory_size = b->ram_size,
		.userspace_addr = (uintptr_t)b->ram,
	};
	if (ioctl(b->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return fail("KVM_SET_USER_MEMORY_REGION (RAM at 0x80000000)",
			    "the VM");
	return 0;
}

/* KVM_SET_DEVICE_ATTR on @fd, a device or a vCPU called @on. */
static int set_attr(int fd, uint32_t group, uint64_t attr, void *val,
		    const char *what, const char *on)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uintptr_t)val,
	};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) ? fail(what, on) : 0;
}

/* The in-kernel vGICv3, before the vCPU (arm-vgic-v3.rst). */
static int vgic_create(struct bare_vm *b)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = GICD_GPA, redist = GICR_GPA;
	int ret;

	if (ioctl(b->vm, KVM_CREATE_DEVICE, &cd))
		return fail("KVM_CREATE_DEVICE (vGICv3; --no-vgic to go "
			    "without)",
			    "the VM");
	b->gic = (int)cd.fd;
	ret = set_attr(b->gic, KVM_DEV_ARM_VGIC_GRP_ADDR,
		       KVM_VGIC_V3_ADDR_TYPE_DIST, &dist,
		       "KVM_SET_DEVICE_ATTR (distributor at 0x08000000)",
		       "the vGICv3");
	if (!ret)
		ret = set_attr(b->gic, KVM_DEV_ARM_VGIC_GRP_ADDR,
			       KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
			       "KVM_SET_DEVICE_ATTR (redistributors at "
			       "0x080a0000)",
			       "the vGICv3");
	return ret;
}

/* Once the vCPU exists: the vGIC, then the vCPU's PMU (api.rst). */
static int vgic_pmu_init(struct bare_vm *b, const struct options *o)
{
	int irq = PMU_INTID;
	int ret = set_attr(b->gic, KVM_DEV_ARM_VGIC_GRP_CTRL,
			   KVM_DEV_ARM_VGIC_CTRL_INIT, NULL,
			   "KVM_SET_DEVICE_ATTR (CTRL_INIT)", "the vGICv3");

	if (!ret && o->pmu)
		ret = set_attr(b->vcpu, KVM_ARM_VCPU_PMU_V3_CTRL,
			       KVM_ARM_VCPU_PMU_V3_IRQ, &irq,
			       "KVM_SET_DEVICE_ATTR (PMU interrupt 23)",
			       "vCPU 0");
	if (!ret && o->pmu)
		ret = set_attr(b->vcpu, KVM_ARM_VCPU_PMU_V3_CTRL,
			       KVM_ARM_VCPU_PMU_V3_INIT, NULL,
			       "KVM_SET_DEVICE_ATTR (PMU_V3_INIT)", "vCPU 0");
	return ret;
}

static int vcpu_set_reg(struct bare_vm *b, uint64_t id, uint64_t val,
			const char *name)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };
	char what[64];

	if (!ioctl(b->vcpu, KVM_SET_ONE_REG, &reg))
		return 0;
	snprintf(what, sizeof(what), "KVM_SET_ONE_REG (%s)", name);
	return fail(what, "vCPU 0");
}

/*
 * SVE and pointer authentication (both keys: KVM takes both or neither)
 * unless switched off or not offered; @o says afterwards which were on.
 */
static uint32_t vcpu_extra_features(struct bare_vm *b, struct options *o)
{
	uint32_t bits = 0;

	o->sve = o->sve &&
		 ioctl(b->vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_SVE) > 0;
	o->ptrauth = o->ptrauth &&
		     ioctl(b->vm, KVM_CHECK_EXTENSION,
			   KVM_CAP_ARM_PTRAUTH_ADDRESS) > 0 &&
		     ioctl(b->vm, KVM_CHECK_EXTENSION,
			   KVM_CAP_ARM_PTRAUTH_GENERIC) > 0;
	if (o->sve)
		bits |= 1U << KVM_ARM_VCPU_SVE;
	if (o->ptrauth)
		bits |= 1U << KVM_ARM_VCPU_PTRAUTH_ADDRESS |
			1U << KVM_ARM_VCPU_PTRAUTH_GENERIC;
	return bits;
}

/*
 * vCPU 0 with PSCI 0.2 (KVM then answers SMCCC_VERSION) and a PMUv3
 * unless --no-pmu, and its run area.
 */
static int vcpu_create(struct bare_vm *b, struct options *o)
{
	struct kvm_vcpu_init init;
	int size, sve = KVM_ARM_VCPU_SVE;

	b->vcpu = ioctl(b->vm, KVM_CREATE_VCPU, 0UL);
	if (b->vcpu < 0)
		return fail("KVM_CREATE_VCPU", "the VM");
	size = ioctl(b->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return fail("KVM_GET_VCPU_MMAP_SIZE", "/dev/kvm");
	b->run_size = (size_t)size;
	b->run = mmap(NULL, b->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->vcpu, 0);
	if (b->run == MAP_FAILED) {
		b->run = NULL;
		return fail("mmap of the kvm_run area", "vCPU 0");
	}
	if (ioctl(b->vm, KVM_ARM_PREFERRED_TARGET, &init))
		return fail("KVM_ARM_PREFERRED_TARGET", "the VM");
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (o->pmu)
		init.features[0] |= 1U << KVM_ARM_VCPU_PMU_V3;
	init.features[0] |= vcpu_extra_features(b, o);
	if (ioctl(b->vcpu, KVM_ARM_VCPU_INIT, &init))
		return fail(o->pmu ? "KVM_ARM_VCPU_INIT (PSCI 0.2, PMUv3; "
				     "--no-pmu to go without)"
				   : "KVM_ARM_VCPU_INIT (PSCI 0.2)",
			    "vCPU 0");
	/* KVM_RUN is refused until SVE's vector lengths are fixed; KVM's
	 * own choice (all it offers) is kept. */
	if (o->sve && ioctl(b->vcpu, KVM_ARM_VCPU_FINALIZE, &sve))
		return fail("KVM_ARM_VCPU_FINALIZE(SVE)", "vCPU 0");
	return 0;
}

static int vcpu_set_entry(struct bare_vm *b, const struct options *o)
{
	const uint64_t x[4] = { RAM_BASE + SAMPLES_OFF, o->warmup,
				o->iterations, EXIT_GPA };
	static const char *const names[4] = { "x0", "x1", "x2", "x3" };
	int ret;

	ret = vcpu_set_reg(b, CORE_REG(regs.pstate), GUEST_PSTATE, "pstate");

	for (unsigned int i = 0; !ret && i < 4; i++)
		ret = vcpu_set_reg(b, CORE_REG(regs.regs[i]), x[i], names[i]);
	return ret ? ret : vcpu_set_reg(b, CORE_REG(regs.pc), RAM_BASE, "pc");
}

/* An exit that is not the guest's final store: what it was, and where. */
static void vcpu_report_exit(struct bare_vm *b)
{
	struct kvm_run *run = b->run;
	uint64_t pc = 0;
	struct kvm_one_reg reg = { .id = CORE_REG(regs.pc),
				   .addr = (uintptr_t)&pc };

	ioctl(b->vcpu, KVM_GET_ONE_REG, &reg); /* pc stays 0 if it fails */
	if (run->exit_reason == KVM_EXIT_MMIO)
		fprintf(stderr,
			PROG ": KVM_RUN on vCPU 0: MMIO %s of %u bytes at "
			     "0x%llx (pc 0x%" PRIx64
			     "), not the guest's 8-byte "
			     "store to 0x%llx\n",
			run->mmio.is_write ? "write" : "read", run->mmio.len,
			(unsigned long long)run->mmio.phys_addr, pc, EXIT_GPA);
	else
		fprintf(stderr,
			PROG ": KVM_RUN on vCPU 0: exit reason %u (pc "
			     "0x%" PRIx64
			     "), not the guest's store to 0x%llx\n",
			run->exit_reason, pc, EXIT_GPA);
}

/* The one KVM_RUN; the guest's only exit must be its store to EXIT_GPA. */
static int vcpu_run_once(struct bare_vm *b, const struct options *o)
{
	struct kvm_run *run = b->run;
	uint64_t taken = 0;
	int ret;

	do
		ret = ioctl(b->vcpu, KVM_RUN, 0);
	while (ret && errno == EINTR);
	if (ret)
		return fail("KVM_RUN", "vCPU 0");
	if (run->exit_reason != KVM_EXIT_MMIO || !run->mmio.is_write ||
	    run->mmio.phys_addr != EXIT_GPA || run->mmio.len != 8) {
		vcpu_report_exit(b);
		return -EPROTO;
	}
	memcpy(&taken, run->mmio.data, sizeof(taken));
	if (taken != (uint64_t)o->warmup + o->iterations) {
		fprintf(stderr,
			PROG ": the guest took %" PRIu64 " samples, not %u\n",
			taken, o->warmup + o->iterations);
		return -EPROTO;
	}
	return 0;
}

static void vm_close(struct bare_vm *b)
{
	if (b->run)
		munmap(b->run, b->run_size);
	if (b->vcpu >= 0)
		close(b->vcpu);
	if (b->gic >= 0)
		close(b->gic);
	if (b->vm >= 0)
		close(b->vm);
	if (b->ram)
		munmap(b->ram, b->ram_size);
	if (b->kvm >= 0)
		close(b->kvm);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts @s in place. Median: for an even @n, the mean of the middle two. */
static struct summary summarize(uint64_t *s, size_t n)
{
	struct summary m = { 0 };
	double sum = 0;

	qsort(s, n, sizeof(*s), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += (double)s[i];
	m.mean = sum / (double)n;
	m.min = (double)s[0];
	m.median = n % 2 ? (double)s[n / 2]
			 : ((double)s[n / 2 - 1] + (double)s[n / 2]) / 2;
	return m;
}

static uint64_t counter_hz(void)
{
	uint64_t hz;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return hz;
}

static void print_row(const char *label, const struct summary *s, double scale)
{
	printf("  %-32s median %10.2f   mean %10.2f   min %10.2f\n", label,
	       s->median * scale, s->mean * scale, s->min * scale);
}

/* "1 vCPU, vGICv3, PMUv3, SVE, PAuth": what the vCPU had. */
static const char *vm_config(const struct options *o)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "1 vCPU, %s%s%s%s",
		 o->vgic ? "vGICv3" : "no irqchip", o->pmu ? ", PMUv3" : "",
		 o->sve ? ", SVE" : "", o->ptrauth ? ", PAuth" : "");
	return buf;
}

static void print_report(const struct options *o, const struct summary *s,
			 uint64_t hz, int cpu)
{
	const char *unit = o->icount ? "instructions (icount)" : "ns";
	char label[64];

	printf("hypercall, bare KVM_RUN loop (%s): %u samples after %u "
	       "warm-up, %d x hvc #0 (SMCCC_VERSION) each, CNTVCT at %" PRIu64
	       " Hz, pinned to CPU %d\n",
	       vm_config(o), o->iterations, o->warmup, BATCH, hz, cpu);
	print_row("per sample (ticks)", s, 1.0);
	print_row("per op (ticks)", s, 1.0 / BATCH);
	snprintf(label, sizeof(label), "per op (%s)", unit);
	print_row(label, s, 1e9 / (double)hz / BATCH);
}

static int write_json(const struct options *o, const struct summary *s,
		      uint64_t hz)
{
	double op = 1e9 / (double)hz / BATCH;
	FILE *f = fopen(o->json, "w");

	if (!f)
		return fail("opening the JSON file", o->json);
	fprintf(f,
		"{\"tool\": \"bare-hypercall\", \"vm\": \"%s\", "
		"\"unit\": \"%s\", \"iterations\": %u, \"warmup\": %u, "
		"\"ops_per_sample\": %d, \"counter_hz\": %" PRIu64 ", "
		"\"median_per_op\": %.15g, \"mean_per_op\": %.15g, "
		"\"min_per_op\": %.15g, \"median_ticks_per_sample\": %.15g}\n",
		vm_config(o), o->icount ? "instructions (icount)" : "ns",
		o->iterations, o->warmup, BATCH, hz, s->median * op,
		s->mean * op, s->min * op, s->median);
	if (fclose(f))
		return fail("writing the JSON file", o->json);
	return 0;
}

/* Sets up the VM, runs it once, leaves the samples in *samples. */
static int measure(struct options *o, uint64_t **samples)
{
	struct bare_vm b = { .kvm = -1, .vm = -1, .vcpu = -1, .gic = -1 };
	size_t bytes = (size_t)o->iterations * sizeof(**samples);
	int ret = vm_open(&b);

	if (!ret)
		ret = vm_add_ram(&b, o->iterations);
	if (!ret && o->vgic)
		ret = vgic_create(&b);
	if (!ret)
		ret = vcpu_create(&b, o);
	if (!ret && o->vgic)
		ret = vgic_pmu_init(&b, o);
	if (!ret)
		ret = vcpu_set_entry(&b, o);
	if (!ret)
		ret = vcpu_run_once(&b, o);
	if (!ret) {
		*samples = malloc(bytes);
		if (!*samples)
			ret = fail("allocating the samples", "this process");
		else
			memcpy(*samples, b.ram + SAMPLES_OFF, bytes);
	}
	vm_close(&b);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o;
	uint64_t *samples = NULL, hz = counter_hz();
	struct summary s;
	int cpu = -1, ret = parse_options(argc, argv, &o);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (hz == 0) {
		fprintf(stderr, PROG ": CNTFRQ_EL0 reads 0: no counter rate\n");
		return 1;
	}
	if (pin_first_cpu(&cpu) || measure(&o, &samples))
		return 1;
	s = summarize(samples, o.iterations);
	free(samples);
	if (s.min == 0) {
		fprintf(stderr,
			PROG ": a sample of %d hypercalls took 0 ticks\n",
			BATCH);
		return 1;
	}
	print_report(&o, &s, hz, cpu);
	return o.json && write_json(&o, &s, hz) ? 1 : 0;
}
