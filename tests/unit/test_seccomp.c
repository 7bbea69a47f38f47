// SPDX-License-Identifier: MIT
/*
 * The seccomp allow-lists (vmm/seccomp.h): each thread kind's program is
 * checked as the kernel would check it, then run by a small classic-BPF
 * interpreter on sample syscalls, every rule of the tables included; and
 * a forked child installs the real thing and is stopped by it. Natively,
 * so the host's own arch rules and AUDIT_ARCH are the ones under test.
 */
#include <check.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <linux/vhost.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/base/seccomp_arch.h"
#include "vmm/base/seccomp.h"
#include "vmm/bench/stats.h"
#include "tests/unit/unit.h"

/*
 * The sanitizers' runtimes make syscalls of their own (sigaltstack, for
 * one) that no list holds, so under them an installed filter stops the
 * runtime rather than the code under test: the tests that install a
 * filter run in the plain build, the BPF ones in every build.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || \
	__has_feature(undefined_behavior_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define ALLOW SECCOMP_RET_ALLOW
#define TRAP(t) (SECCOMP_RET_TRAP | (uint32_t)(t))
#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)

/* The kernel's limit for one filter (BPF_MAXINSNS). */
#define KERNEL_MAX_INSNS 4096

static struct seccomp_prog prog;

static void build(enum seccomp_thread t)
{
	int ret = seccomp_build(t, &prog);

	ck_assert_msg(ret == 0, "%s: seccomp_build: %d", seccomp_thread_key(t),
		      ret);
}

/*
 * What the kernel's checker (bpf_check_classic, seccomp_check_filter)
 * would refuse: a jump out of the program, a load that is not an aligned
 * word of seccomp_data, an opcode seccomp_build() has no business using,
 * a program that can fall off its end.
 */
static void check_shape(enum seccomp_thread t)
{
	const char *key = seccomp_thread_key(t);
	struct seccomp_data d;

	ck_assert_msg(prog.len > 0 && prog.len <= SECCOMP_MAX_INSNS &&
			      prog.len <= KERNEL_MAX_INSNS,
		      "%s: %u instructions", key, prog.len);
	for (unsigned int pc = 0; pc < prog.len; pc++) {
		const struct sock_filter *f = &prog.insns[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ck_assert_msg(f->k % 4 == 0 && f->k + 4 <= sizeof(d),
				      "%s: pc %u loads offset %u", key, pc,
				      f->k);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			ck_assert_msg(pc + 1 + f->jt < prog.len &&
					      pc + 1 + f->jf < prog.len,
				      "%s: pc %u jumps out (%u/%u of %u)", key,
				      pc, f->jt, f->jf, prog.len);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
		case BPF_RET | BPF_K:
			break;
		default:
			ck_abort_msg("%s: pc %u: opcode 0x%x", key, pc,
				     f->code);
		}
	}
	ck_assert_uint_eq(prog.insns[prog.len - 1].code, BPF_RET | BPF_K);
}

/* Classic BPF as the kernel runs a checked seccomp program. */
static uint32_t run(const struct seccomp_data *d, unsigned int *steps)
{
	unsigned int pc = 0, n = 0;
	uint32_t a = 0;

	while (pc < prog.len) {
		const struct sock_filter *f = &prog.insns[pc];

		n++;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			memcpy(&a, (const char *)d + f->k, sizeof(a));
			pc++;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1u + (a == f->k ? f->jt : f->jf);
			break;
		case BPF_RET | BPF_K:
			if (steps)
				*steps = n;
			return f->k;
		default:
			ck_abort_msg("pc %u: opcode 0x%x", pc, f->code);
		}
	}
	ck_abort_msg("the program ran off its end");
	return 0;
}

static uint32_t verdict(int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct seccomp_data d = {
		.nr = nr,
		.arch = arch_seccomp_audit_arch(),
		.args = { a0, a1, a2 },
	};

	return run(&d, NULL);
}

START_TEST(test_every_kind_builds_within_limits)
{
	for (int t = 0; t < SECCOMP_NR_THREADS; t++) {
		build((enum seccomp_thread)t);
		check_shape((enum seccomp_thread)t);
		ck_assert_msg(prog.nr_syscalls >= 10, "%s: %u syscalls",
			      seccomp_thread_key((enum seccomp_thread)t),
			      prog.nr_syscalls);
	}
}
END_TEST

/* The key and name the SIGSYS line and the self-test hook use. */
START_TEST(test_every_kind_is_named)
{
	for (int i = 0; i < SECCOMP_NR_THREADS; i++) {
		enum seccomp_thread t = (enum seccomp_thread)i;

		ck_assert_ptr_nonnull(seccomp_thread_key(t));
		ck_assert_ptr_nonnull(seccomp_thread_name(t));
		ck_assert(seccomp_thread_includes(t) & SECCOMP_BIT(t));
		for (int j = 0; j < i; j++) {
			enum seccomp_thread u = (enum seccomp_thread)j;

			ck_assert_str_ne(seccomp_thread_key(t),
					 seccomp_thread_key(u));
		}
	}
}
END_TEST

/* Another arch's syscall numbers mean other calls: killed outright. */
START_TEST(test_foreign_arch_is_killed)
{
	struct seccomp_data d = { .nr = SYS_write, .arch = AUDIT_ARCH_I386 };

	if (arch_seccomp_audit_arch() == AUDIT_ARCH_I386)
		d.arch = AUDIT_ARCH_X86_64;
	for (int t = 0; t < SECCOMP_NR_THREADS; t++) {
		build((enum seccomp_thread)t);
		ck_assert_uint_eq(run(&d, NULL), SECCOMP_RET_KILL_PROCESS);
	}
}
END_TEST

/* Sample calls and what each kind's list says. */
static const struct {
	enum seccomp_thread t;
	int nr;
	uint64_t a0, a1, a2;
	uint32_t want; /* 0: TRAP with the kind */
	const char *what;
} cases[] = {
	{ SECCOMP_VCPU, SYS_ioctl, 5, KVM_RUN, 0, ALLOW, "KVM_RUN" },
	{ SECCOMP_VCPU, SYS_ioctl, 5, KVM_CREATE_VM, 0, 0, "KVM_CREATE_VM" },
	{ SECCOMP_VCPU, SYS_ioctl, 5, TIOCSTI, 0, 0, "TIOCSTI" },
	{ SECCOMP_VCPU_BENCH, SYS_ioctl, 5, KVM_CREATE_VM, 0, ALLOW,
	  "KVM_CREATE_VM (the peer)" },
	{ SECCOMP_MAIN, SYS_ioctl, 5, KVM_RUN, 0, 0, "KVM_RUN" },
	{ SECCOMP_MAIN, SYS_ioctl, 0, TCGETS, 0, ALLOW, "TCGETS" },
	{ SECCOMP_PEER, SYS_ioctl, 5, KVM_RUN, 0, ALLOW, "KVM_RUN" },
	{ SECCOMP_PEER, SYS_ioctl, 5, KVM_CREATE_VCPU, 0, 0,
	  "KVM_CREATE_VCPU" },
	{ SECCOMP_BLK, SYS_io_uring_enter, 3, 1, 1, ALLOW, "io_uring_enter" },
	{ SECCOMP_BLK, SYS_ioctl, 5, KVM_RUN, 0, 0, "KVM_RUN" },
	{ SECCOMP_NET, SYS_writev, 3, 0, 1, ALLOW, "writev" },
	{ SECCOMP_NET, SYS_io_uring_enter, 3, 1, 1, 0, "io_uring_enter" },
	{ SECCOMP_VHOST_USER, SYS_read, 3, 0, 8, 0, "read" },
	{ SECCOMP_BENCH_IO, SYS_write, 3, 0, 8, ALLOW, "write" },
	/*
	 * A filter stacks on its starter's: the device manager starts the
	 * I/O threads, so a vCPU, which only hands it DRIVER_OK and reset,
	 * has neither their calls nor the start-up's (vhost, vhost-user).
	 */
	{ SECCOMP_DEVICES, SYS_io_uring_enter, 3, 1, 1, ALLOW,
	  "io_uring_enter (its blk thread's)" },
	{ SECCOMP_DEVICES, SYS_readv, 3, 0, 1, ALLOW,
	  "readv (its net thread's)" },
	{ SECCOMP_DEVICES, SYS_ioctl, 5, VHOST_SET_VRING_KICK, 0, ALLOW,
	  "VHOST_SET_VRING_KICK" },
	{ SECCOMP_DEVICES, SYS_ioctl, 5, TUNSETOFFLOAD, 0, ALLOW,
	  "TUNSETOFFLOAD" },
	{ SECCOMP_DEVICES, SYS_sendmsg, 5, 0, 0, ALLOW, "sendmsg" },
	{ SECCOMP_DEVICES, SYS_ioctl, 5, KVM_RUN, 0, 0, "KVM_RUN" },
	{ SECCOMP_VCPU, SYS_io_uring_enter, 3, 1, 1, 0, "io_uring_enter" },
	{ SECCOMP_VCPU, SYS_readv, 3, 0, 1, 0, "readv" },
	{ SECCOMP_VCPU, SYS_ioctl, 5, VHOST_SET_VRING_KICK, 0, 0,
	  "VHOST_SET_VRING_KICK" },
	{ SECCOMP_VCPU, SYS_ioctl, 5, TUNSETOFFLOAD, 0, 0, "TUNSETOFFLOAD" },
	{ SECCOMP_VCPU, SYS_sendmsg, 5, 0, 0, 0, "sendmsg" },
	{ SECCOMP_VCPU, SYS_recvmsg, 5, 0, 0, 0, "recvmsg" },
	{ SECCOMP_VCPU, SYS_epoll_ctl, 5, 1, 6, 0, "epoll_ctl" },
	{ SECCOMP_VCPU_BENCH, SYS_writev, 3, 0, 1, 0, "writev" },
	{ SECCOMP_MAIN, SYS_io_uring_enter, 3, 1, 1, 0, "io_uring_enter" },
	/* Memory never becomes executable. */
	{ SECCOMP_VCPU, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, ALLOW,
	  "mmap rw" },
	{ SECCOMP_VCPU, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, 0,
	  "mmap rx" },
	{ SECCOMP_MAIN, SYS_mprotect, 0, 4096, PROT_EXEC, 0, "mprotect x" },
	{ SECCOMP_MAIN, SYS_mprotect, 0, 4096, PROT_NONE, ALLOW,
	  "mprotect none" },
	/*
	 * Threads, not processes; clone3 fails so that glibc uses clone.
	 * Only the device manager and a --bench vCPU start threads.
	 */
	{ SECCOMP_DEVICES, SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND,
	  0, 0, ALLOW, "clone a thread" },
	{ SECCOMP_DEVICES, SYS_clone, SIGCHLD, 0, 0, 0, "clone a process" },
	{ SECCOMP_DEVICES, SYS_clone3, 0, 88, 0, ENOSYS_RET, "clone3" },
	{ SECCOMP_VCPU_BENCH, SYS_clone,
	  CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0, 0, ALLOW,
	  "clone a thread (the peer)" },
	{ SECCOMP_VCPU, SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0,
	  0, 0, "clone a thread" },
	{ SECCOMP_VCPU, SYS_clone3, 0, 88, 0, 0, "clone3" },
	{ SECCOMP_MAIN, SYS_clone, CLONE_VM | CLONE_THREAD, 0, 0, 0,
	  "clone a thread" },
	{ SECCOMP_DEVICES, SYS_prctl, PR_SET_NAME, 0, 0, ALLOW, "PR_SET_NAME" },
	{ SECCOMP_DEVICES, SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0,
	  "PR_SET_DUMPABLE" },
	{ SECCOMP_VCPU, SYS_prctl, PR_SET_NAME, 0, 0, 0, "PR_SET_NAME" },
	{ SECCOMP_DEVICES, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, 0, ALLOW,
	  "seccomp filter" },
	{ SECCOMP_VCPU, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, 0, 0,
	  "seccomp filter" },
	{ SECCOMP_BLK, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, 0, 0,
	  "seccomp filter" },
	/* What a break-in would want: in no list. */
	{ SECCOMP_MAIN, SYS_openat, 0, 0, 0, 0, "openat" },
	{ SECCOMP_VCPU, SYS_execve, 0, 0, 0, 0, "execve" },
	{ SECCOMP_NET, SYS_socket, 2, 1, 0, 0, "socket" },
	{ SECCOMP_DEVICES, SYS_socket, 2, 1, 0, 0, "socket" },
	{ SECCOMP_DEVICES, SYS_openat, 0, 0, 0, 0, "openat" },
	{ SECCOMP_VCPU_BENCH, SYS_ptrace, 0, 0, 0, 0, "ptrace" },
};

START_TEST(test_sample_calls)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t want =
			cases[i].want ? cases[i].want : TRAP(cases[i].t);
		uint32_t got;

		build(cases[i].t);
		got = verdict(cases[i].nr, cases[i].a0, cases[i].a1,
			      cases[i].a2);
		ck_assert_msg(got == want, "%s thread, %s: 0x%x, wanted 0x%x",
			      seccomp_thread_key(cases[i].t), cases[i].what,
			      got, want);
	}
}
END_TEST

/* A call that satisfies rule @r, as seccomp_data. */
static struct seccomp_data call_for(const struct seccomp_rule *r)
{
	struct seccomp_data d = { .nr = r->nr,
				  .arch = arch_seccomp_audit_arch() };

	if (r->test == SECCOMP_ARG_EQ || r->test == SECCOMP_ARG_HAS)
		d.args[r->arg] = r->value;
	/* High bits are not the kernel's for these arguments. */
	d.args[r->arg] |= 0xffffffff00000000ULL;
	return d;
}

static bool kind_takes(enum seccomp_thread t, const struct seccomp_rule *r)
{
	return r->threads & seccomp_thread_includes(t);
}

/* The rule tables, common and arch, for model(). */
struct tables {
	const struct seccomp_rule *tab[2];
	size_t n[2];
};

/* Whether @r, were it the only rule, would let @d through. */
static bool rule_matches(const struct seccomp_rule *r,
			 const struct seccomp_data *d)
{
	uint32_t v = (uint32_t)d->args[r->arg];

	switch (r->test) {
	case SECCOMP_ANY:
		return true;
	case SECCOMP_ARG_EQ:
		return v == r->value;
	case SECCOMP_ARG_HAS:
		return (v & r->value) == r->value;
	case SECCOMP_ARG_NONE:
		return (v & r->value) == 0;
	case SECCOMP_ENOSYS:
		return false;
	}
	return false;
}

/*
 * What kind @t's list means for @d, read straight from the tables (rules
 * for one syscall are alternatives): the reference the program must match.
 */
static uint32_t model(enum seccomp_thread t, const struct seccomp_data *d,
		      const struct tables *tb)
{
	bool enosys = false;

	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < tb->n[k]; i++) {
			const struct seccomp_rule *r = &tb->tab[k][i];

			if (r->nr != (int)d->nr || !kind_takes(t, r))
				continue;
			if (rule_matches(r, d))
				return ALLOW;
			enosys |= r->test == SECCOMP_ENOSYS;
		}
	}
	return enosys ? ENOSYS_RET : TRAP(t);
}

/*
 * Rule @r against kind @t's program (built): a call that satisfies it,
 * then one whose argument just misses. Counts the verdicts in @seen.
 */
static void check_rule(enum seccomp_thread t, const struct seccomp_rule *r,
		       const struct tables *tb, unsigned int seen[2])
{
	struct seccomp_data d = call_for(r);
	uint32_t got, want;

	if (kind_takes(t, r))
		ck_assert_uint_eq(model(t, &d, tb), r->test == SECCOMP_ENOSYS
							    ? ENOSYS_RET
							    : ALLOW);
	for (int miss = 0; miss < 2; miss++) {
		if (miss && r->test == SECCOMP_ANY)
			return;
		if (miss)
			d.args[r->arg] ^= r->value ? r->value : 1;
		got = run(&d, NULL);
		want = model(t, &d, tb);
		ck_assert_msg(got == want, "%s thread, %s%s: 0x%x, wanted 0x%x",
			      seccomp_thread_key(t), r->name,
			      miss ? " (argument off)" : "", got, want);
		seen[0] += want == ALLOW;
		seen[1] += want == TRAP(t);
	}
}

/*
 * Every rule of the tables against every kind's program: what the
 * program does is what the tables say, for the kinds that take the rule
 * and for those that do not.
 */
START_TEST(test_every_rule_as_the_tables_say)
{
	struct tables tb;
	unsigned int seen[2] = { 0, 0 };

	tb.tab[0] = seccomp_common_rules(&tb.n[0]);
	tb.tab[1] = arch_seccomp_rules(&tb.n[1]);
	for (int i = 0; i < SECCOMP_NR_THREADS; i++) {
		enum seccomp_thread t = (enum seccomp_thread)i;

		build(t);
		for (int k = 0; k < 2; k++)
			for (size_t j = 0; j < tb.n[k]; j++)
				check_rule(t, &tb.tab[k][j], &tb, seen);
	}
	ck_assert_uint_gt(seen[0], 100); /* allowed */
	ck_assert_uint_gt(seen[1], 100); /* trapped */
}
END_TEST

/* The hot calls come first: a few instructions, whatever the list's size. */
START_TEST(test_hot_paths_are_short)
{
	static const struct {
		enum seccomp_thread t;
		int nr;
		uint64_t a1;
	} hot[] = {
		{ SECCOMP_VCPU, SYS_ioctl, KVM_RUN },
		{ SECCOMP_VCPU_BENCH, SYS_ioctl, KVM_RUN },
		{ SECCOMP_PEER, SYS_ioctl, KVM_RUN },
		{ SECCOMP_BLK, SYS_io_uring_enter, 0 },
	};

	for (size_t i = 0; i < sizeof(hot) / sizeof(hot[0]); i++) {
		struct seccomp_data d = { .nr = hot[i].nr,
					  .arch = arch_seccomp_audit_arch(),
					  .args = { 0, hot[i].a1 } };
		unsigned int steps = 0;

		build(hot[i].t);
		ck_assert_uint_eq(run(&d, &steps), ALLOW);
		/* arch check (3), nr load, jeq, argument load, jeq, ret */
		ck_assert_msg(steps <= 8, "%s: %u instructions",
			      seccomp_thread_key(hot[i].t), steps);
	}
}
END_TEST

/*
 * Runs @body in a child whose stderr goes to a pipe; returns its raw wait
 * status and what it wrote (NUL-terminated) in @out.
 */
static int child_run(void (*body)(void), char *out, size_t len)
{
	int fds[2], status = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		body();
		_exit(0);
	}
	close(fds[1]);
	while (got < len - 1 &&
	       (n = read(fds[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* Confined as the main thread: an allowed call works, socket() stops it. */
static void confined_main(void)
{
	struct seccomp_policy p;

	unsetenv(SECCOMP_SELFTEST_ENV);
	if (seccomp_policy_init(&p, true) || seccomp_confine(SECCOMP_MAIN, &p))
		_exit(2);
	if (syscall(SYS_getpid) == getpid())
		(void)!write(STDERR_FILENO, "allowed call done\n", 18);
	syscall(SYS_socket, 2, 1, 0);
	(void)!write(STDERR_FILENO, "socket() went through\n", 22);
}

START_TEST(test_installed_filter_stops_a_forbidden_call)
{
	char out[1024];
	int status = child_run(confined_main, out, sizeof(out));

	ck_assert_msg(WIFEXITED(status) &&
			      WEXITSTATUS(status) == SECCOMP_EXIT_STATUS,
		      "wait status 0x%x: %s", status, out);
	ck_assert_msg(strstr(out, "allowed call done\n"), "%s", out);
	ck_assert_msg(!strstr(out, "went through"), "%s", out);
	ck_assert_msg(
		strstr(out, "tinyvmm: seccomp: the main thread's "
			    "allow-list refused syscall ") &&
			strstr(out, " (socket); exiting with status 159\n"),
		"%s", out);
}
END_TEST

/*
 * The statistics of a --bench run are computed on the confined main
 * thread (and exit profiles sorted on a --bench vCPU): glibc's qsort()
 * asks sysinfo() for the machine's memory before it allocates scratch
 * space for more than 1 KiB, which 200 samples are.
 */
static void sort_confined(enum seccomp_thread t)
{
	static uint64_t samples[1000];
	struct stats_summary st;
	struct seccomp_policy p;

	for (unsigned int i = 0; i < 1000; i++)
		samples[i] = (i * 7919u) % 1000u;
	unsetenv(SECCOMP_SELFTEST_ENV);
	if (seccomp_policy_init(&p, true) || seccomp_confine(t, &p))
		_exit(2);
	if (stats_summarize(samples, 1000, 1.0, &st) || st.median != 499.5)
		_exit(4);
}

static void sort_as_main(void)
{
	sort_confined(SECCOMP_MAIN);
}

static void sort_as_bench_vcpu(void)
{
	sort_confined(SECCOMP_VCPU_BENCH);
}

START_TEST(test_confined_threads_can_sort_samples)
{
	char out[1024];
	int status = child_run(sort_as_main, out, sizeof(out));

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "main: wait status 0x%x: %s", status, out);
	status = child_run(sort_as_bench_vcpu, out, sizeof(out));
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "--bench vCPU: wait status 0x%x: %s", status, out);
}
END_TEST

/* TINYVMM_SECCOMP_SELFTEST: the named kind calls socket() once confined. */
static void selftest_vcpu(void)
{
	struct seccomp_policy p;

	setenv(SECCOMP_SELFTEST_ENV, "vcpu", 1);
	if (seccomp_policy_init(&p, true) || seccomp_confine(SECCOMP_VCPU, &p))
		_exit(2);
}

static void selftest_vcpu_unconfined(void)
{
	struct seccomp_policy p;

	setenv(SECCOMP_SELFTEST_ENV, "vcpu", 1);
	if (seccomp_policy_init(&p, false) || seccomp_confine(SECCOMP_VCPU, &p))
		_exit(2);
	/* --no-seccomp: nothing was installed. */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0)
		_exit(3);
}

START_TEST(test_selftest_hook)
{
	char out[1024];
	int status = child_run(selftest_vcpu, out, sizeof(out));

	ck_assert_msg(WIFEXITED(status) &&
			      WEXITSTATUS(status) == SECCOMP_EXIT_STATUS,
		      "wait status 0x%x: %s", status, out);
	ck_assert_msg(
		strstr(out, "the vCPU thread calls socket()") &&
			strstr(out,
			       "the vCPU thread's allow-list refused syscall"),
		"%s", out);
	status = child_run(selftest_vcpu_unconfined, out, sizeof(out));
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "wait status 0x%x: %s", status, out);
	ck_assert_msg(strstr(out, "this thread is not confined"), "%s", out);
}
END_TEST

START_TEST(test_selftest_bad_kind)
{
	struct seccomp_policy p;

	setenv(SECCOMP_SELFTEST_ENV, "gpu", 1);
	ck_assert_int_eq(seccomp_policy_init(&p, false), -EINVAL);
	setenv(SECCOMP_SELFTEST_ENV, "peer", 1);
	ck_assert_int_eq(seccomp_policy_init(&p, false), 0);
	ck_assert_int_eq(p.selftest, SECCOMP_PEER);
	unsetenv(SECCOMP_SELFTEST_ENV);
	ck_assert_int_eq(seccomp_policy_init(&p, false), 0);
	ck_assert_int_eq(p.selftest, -1);
	/* No policy (unit tests, --dtb-out): nothing happens. */
	ck_assert_int_eq(seccomp_confine(SECCOMP_MAIN, NULL), 0);
	ck_assert_int_eq(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_kind_builds_within_limits);
	tcase_add_test(tc, test_every_kind_is_named);
	tcase_add_test(tc, test_foreign_arch_is_killed);
	tcase_add_test(tc, test_sample_calls);
	tcase_add_test(tc, test_every_rule_as_the_tables_say);
	tcase_add_test(tc, test_hot_paths_are_short);
	tcase_add_test(tc, test_selftest_bad_kind);
	if (!SANITIZED) {
		tcase_add_test(tc,
			       test_installed_filter_stops_a_forbidden_call);
		tcase_add_test(tc, test_confined_threads_can_sort_samples);
		tcase_add_test(tc, test_selftest_hook);
	} else {
		fputs("test_seccomp: sanitizer build: the filter-install "
		      "tests are left out\n",
		      stderr);
	}
	suite_add_tcase(s, tc);
	return unit_run(s);
}
