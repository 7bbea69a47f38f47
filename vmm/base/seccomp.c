// SPDX-License-Identifier: MIT
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/base/seccomp_arch.h"
#include "vmm/base/seccomp.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "argument tests read the low word first");

#define SD_NR offsetof(struct seccomp_data, nr)
#define SD_ARCH offsetof(struct seccomp_data, arch)
#define SD_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))

/* The rules @t's list takes, common ones first, in table order. */
struct rule_set {
	const struct seccomp_rule *r[512];
	unsigned int n;
};

static int rules_add(struct rule_set *s, const struct seccomp_rule *tab,
		     size_t n, uint32_t kinds)
{
	for (size_t i = 0; i < n; i++) {
		if (!(tab[i].threads & kinds))
			continue;
		if (s->n == sizeof(s->r) / sizeof(s->r[0]))
			return -E2BIG;
		s->r[s->n++] = &tab[i];
	}
	return 0;
}

static int rules_collect(enum seccomp_thread t, struct rule_set *s)
{
	uint32_t kinds = seccomp_thread_includes(t);
	const struct seccomp_rule *tab;
	size_t n;
	int ret;

	s->n = 0;
	tab = seccomp_common_rules(&n);
	ret = rules_add(s, tab, n, kinds);
	if (ret)
		return ret;
	tab = arch_seccomp_rules(&n);
	return rules_add(s, tab, n, kinds);
}

static int emit(struct seccomp_prog *p, uint16_t code, uint8_t jt, uint8_t jf,
		uint32_t k)
{
	if (p->len == SECCOMP_MAX_INSNS)
		return -E2BIG;
	p->insns[p->len++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
	return 0;
}

/*
 * One argument test: on a match jump to the ALLOW that ends the body,
 * @to_allow instructions past the test's last one. Tests are 2 or 3
 * instructions: load, [and], jeq.
 */
static unsigned int test_len(const struct seccomp_rule *r)
{
	return r->test == SECCOMP_ARG_EQ ? 2 : 3;
}

static int emit_test(struct seccomp_prog *p, const struct seccomp_rule *r,
		     unsigned int to_allow)
{
	uint32_t want = r->test == SECCOMP_ARG_NONE ? 0 : r->value;
	int ret = emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SD_ARG_LO(r->arg));

	if (!ret && r->test != SECCOMP_ARG_EQ)
		ret = emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, r->value);
	if (!ret)
		ret = emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)to_allow, 0,
			   want);
	return ret;
}

/* What a syscall's rules come to when none tests an argument, or 0. */
static uint32_t plain_verdict(const struct rule_set *s, unsigned int first)
{
	uint32_t verdict = 0;

	for (unsigned int i = first; i < s->n; i++) {
		if (s->r[i]->nr != s->r[first]->nr)
			continue;
		if (s->r[i]->test == SECCOMP_ANY)
			return SECCOMP_RET_ALLOW;
		if (s->r[i]->test == SECCOMP_ENOSYS)
			verdict = SECCOMP_RET_ERRNO | ENOSYS;
	}
	return verdict;
}

/* The body for syscall s->r[first]->nr: its tests, TRAP, ALLOW. */
static int body_len(const struct rule_set *s, unsigned int first)
{
	unsigned int len = 2;

	if (plain_verdict(s, first))
		return 1;
	for (unsigned int i = first; i < s->n; i++)
		if (s->r[i]->nr == s->r[first]->nr)
			len += test_len(s->r[i]);
	return len > 255 ? -E2BIG : (int)len;
}

static int emit_body(struct seccomp_prog *p, const struct rule_set *s,
		     unsigned int first, uint32_t trap, unsigned int len)
{
	uint32_t verdict = plain_verdict(s, first);
	unsigned int left = len - 2; /* test instructions still to come */
	int ret = 0;

	if (verdict)
		return emit(p, BPF_RET | BPF_K, 0, 0, verdict);
	for (unsigned int i = first; !ret && i < s->n; i++) {
		if (s->r[i]->nr != s->r[first]->nr)
			continue;
		left -= test_len(s->r[i]);
		ret = emit_test(p, s->r[i], left + 1); /* past TRAP */
	}
	if (!ret)
		ret = emit(p, BPF_RET | BPF_K, 0, 0, trap);
	return ret ? ret : emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

static bool seen_before(const struct rule_set *s, unsigned int i)
{
	for (unsigned int j = 0; j < i; j++)
		if (s->r[j]->nr == s->r[i]->nr)
			return true;
	return false;
}

static void count(struct seccomp_prog *p, const struct rule_set *s)
{
	for (unsigned int i = 0; i < s->n; i++) {
		if (!seen_before(s, i))
			p->nr_syscalls++;
		if (s->r[i]->nr == SYS_ioctl && s->r[i]->test == SECCOMP_ARG_EQ)
			p->nr_ioctls++;
	}
}

/*
 * The program: a foreign arch (e.g. x32 or compat calls) is killed
 * outright; then one "jeq nr" per syscall, in the tables' order (the hot
 * ones first), each followed by its body; what matches none traps with
 * the thread kind in SECCOMP_RET_DATA, which the handler reads back.
 */
int seccomp_build(enum seccomp_thread t, struct seccomp_prog *p)
{
	struct rule_set *s = malloc(sizeof(*s));
	uint32_t trap = SECCOMP_RET_TRAP | (uint32_t)t;
	int ret, len;

	memset(p, 0, sizeof(*p));
	if (!s)
		return -ENOMEM;
	ret = rules_collect(t, s);
	if (!ret)
		ret = emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SD_ARCH);
	if (!ret)
		ret = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0,
			   arch_seccomp_audit_arch());
	if (!ret)
		ret = emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	if (!ret)
		ret = emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SD_NR);
	for (unsigned int i = 0; !ret && i < s->n; i++) {
		if (seen_before(s, i))
			continue;
		len = body_len(s, i);
		ret = len < 0 ? len
			      : emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0,
				     (uint8_t)len, (uint32_t)s->r[i]->nr);
		/* Bodies end in RET: A still holds nr at the next jeq. */
		if (!ret)
			ret = emit_body(p, s, i, trap, (unsigned int)len);
	}
	if (!ret)
		ret = emit(p, BPF_RET | BPF_K, 0, 0, trap);
	if (!ret)
		count(p, s);
	free(s);
	return ret;
}

/* Async-signal-safe text building for the SIGSYS handler. */
struct line {
	char buf[256];
	size_t len;
};

static void put_str(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

static void put_num(struct line *l, uint64_t v, unsigned int base)
{
	char digits[24];
	unsigned int n = 0;

	if (base == 16)
		put_str(l, "0x");
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = digits[--n];
}

/* The name of syscall @nr if some list names it (an ioctl, say), else NULL. */
static const char *syscall_name(int nr)
{
	const struct seccomp_rule *tab[2];
	size_t n[2];

	tab[0] = seccomp_common_rules(&n[0]);
	tab[1] = arch_seccomp_rules(&n[1]);
	for (unsigned int t = 0; t < 2; t++)
		for (size_t i = 0; i < n[t]; i++)
			if (tab[t][i].nr == nr && tab[t][i].test == SECCOMP_ANY)
				return tab[t][i].name;
	if (nr == SYS_ioctl)
		return "ioctl";
	return nr == SYS_socket ? "socket" : NULL;
}

/*
 * SECCOMP_RET_TRAP: si_syscall is the number, si_errno the filter's
 * SECCOMP_RET_DATA (the kind of the thread whose list refused it). One
 * line, then the process goes: the thread may be anywhere, holding any
 * lock, so nothing but write(2) and _exit(2).
 */
static void seccomp_sigsys(int sig, siginfo_t *si, void *ucontext)
{
	struct line l = { .len = 0 };
	const char *name = syscall_name(si->si_syscall);
	int kind = si->si_errno;

	(void)sig;
	put_str(&l, "tinyvmm: seccomp: the ");
	put_str(&l, kind >= 0 && kind < SECCOMP_NR_THREADS
			    ? seccomp_thread_name((enum seccomp_thread)kind)
			    : "?");
	put_str(&l, " thread's allow-list refused syscall ");
	put_num(&l, (uint64_t)si->si_syscall, 10);
	put_str(&l, " (");
	put_str(&l, name ? name : "not in any list");
	if (si->si_syscall == SYS_ioctl) {
		put_str(&l, " request ");
		put_num(&l, (uint32_t)arch_seccomp_sigsys_arg(ucontext, 1), 16);
	}
	put_str(&l, "); exiting with status ");
	put_num(&l, SECCOMP_EXIT_STATUS, 10);
	put_str(&l, "\n");
	(void)!write(STDERR_FILENO, l.buf, l.len);
	_exit(SECCOMP_EXIT_STATUS);
}

/* "main, vcpu, ...": every kind's key, for the message of a bad one. */
static void selftest_keys(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int t = 0; t < SECCOMP_NR_THREADS && len < size; t++) {
		const char *key = seccomp_thread_key((enum seccomp_thread)t);

		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					t ? ", " : "", key);
	}
}

static int selftest_parse(const char *val, int *out)
{
	char keys[128];

	*out = -1;
	if (!val || !*val)
		return 0;
	for (int t = 0; t < SECCOMP_NR_THREADS; t++) {
		if (!strcmp(val, seccomp_thread_key((enum seccomp_thread)t))) {
			*out = t;
			return 0;
		}
	}
	selftest_keys(keys, sizeof(keys));
	tv_err("%s=%s: not a thread kind (%s)", SECCOMP_SELFTEST_ENV, val,
	       keys);
	return -EINVAL;
}

int seccomp_policy_init(struct seccomp_policy *p, bool enabled)
{
	struct sigaction sa;
	int ret = selftest_parse(getenv(SECCOMP_SELFTEST_ENV), &p->selftest);

	p->enabled = enabled;
	if (ret || !enabled)
		return ret;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = seccomp_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask); /* nothing else runs on this thread then */
	if (sigaction(SIGSYS, &sa, NULL)) {
		tv_errno(errno, "installing the seccomp SIGSYS handler");
		return -errno;
	}
	return 0;
}

/* A list's size, for -v: what seccomp_report_once() says. */
struct seccomp_size {
	unsigned int syscalls, ioctls, insns;
};

/*
 * Every thread of a kind gets the same filter, so its size is said once;
 * while held (seccomp_reports_hold()), it waits for the release.
 */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static bool reports_held;
static bool reported[SECCOMP_NR_THREADS], pending[SECCOMP_NR_THREADS];
static struct seccomp_size held_size[SECCOMP_NR_THREADS];

static void report_line(enum seccomp_thread t, const struct seccomp_size *z)
{
	tv_info("seccomp: %s thread: %u syscalls, %u ioctl requests, %u BPF instructions",
		seccomp_thread_name(t), z->syscalls, z->ioctls, z->insns);
}

static void seccomp_report_once(enum seccomp_thread t,
				const struct seccomp_prog *p)
{
	struct seccomp_size z = { p->nr_syscalls, p->nr_ioctls, p->len };

	pthread_mutex_lock(&report_lock);
	if (!reported[t]) {
		reported[t] = true;
		if (reports_held) {
			held_size[t] = z;
			pending[t] = true;
		} else {
			report_line(t, &z);
		}
	}
	pthread_mutex_unlock(&report_lock);
}

void seccomp_reports_hold(void)
{
	pthread_mutex_lock(&report_lock);
	reports_held = true;
	pthread_mutex_unlock(&report_lock);
}

void seccomp_reports_release(void)
{
	pthread_mutex_lock(&report_lock);
	reports_held = false;
	for (int t = 0; t < SECCOMP_NR_THREADS; t++) {
		if (pending[t])
			report_line((enum seccomp_thread)t, &held_size[t]);
		pending[t] = false;
	}
	pthread_mutex_unlock(&report_lock);
}

static int seccomp_install(enum seccomp_thread t)
{
	struct seccomp_prog *p = malloc(sizeof(*p));
	struct sock_fprog fprog;
	sigset_t sys;
	int ret = p ? seccomp_build(t, p) : -ENOMEM;

	if (ret) {
		tv_errno(ret, "building the %s thread's seccomp filter",
			 seccomp_thread_name(t));
		free(p);
		return ret;
	}
	seccomp_report_once(t, p);
	/* A blocked SIGSYS would make the kernel kill us without the line. */
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	fprog = (struct sock_fprog){ .len = (unsigned short)p->len,
				     .filter = p->insns };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog)) {
		ret = -errno;
		tv_errno(ret, "installing the %s thread's seccomp filter",
			 seccomp_thread_name(t));
	}
	free(p);
	return ret;
}

/* TINYVMM_SECCOMP_SELFTEST: a call no list allows, as a break-in would. */
static void seccomp_selftest(enum seccomp_thread t)
{
	int fd;

	tv_err("seccomp self-test (%s): the %s thread calls socket()",
	       SECCOMP_SELFTEST_ENV, seccomp_thread_name(t));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	tv_err("seccomp self-test: socket() returned %d: this thread is not confined",
	       fd);
	if (fd >= 0)
		close(fd);
}

static bool selftest_wants(const struct seccomp_policy *p,
			   enum seccomp_thread t)
{
	if (p->selftest < 0)
		return false;
	return p->selftest == (int)t ||
	       (p->selftest == SECCOMP_VCPU && t == SECCOMP_VCPU_BENCH);
}

int seccomp_confine(enum seccomp_thread t, const struct seccomp_policy *p)
{
	int ret = 0;

	if (!p)
		return 0;
	if (p->enabled)
		ret = seccomp_install(t);
	if (!ret && selftest_wants(p, t))
		seccomp_selftest(t);
	return ret;
}
