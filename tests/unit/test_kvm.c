// SPDX-License-Identifier: MIT
/*
 * The KVM layer without /dev/kvm: every wrapper on an fd that is no KVM
 * fd returns the kernel's -errno, leaves its out-parameter alone and
 * prints nothing (its callers print the one line).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/base/kvm.h"
#include "tests/unit/unit.h"

#define UNTOUCHED (-42)

static int call_api_version(int fd)
{
	return kvm_api_version(fd);
}

static int call_check_extension(int fd)
{
	return kvm_check_extension(fd, KVM_CAP_IRQFD);
}

static int call_create_vm(int fd)
{
	int vm_fd = UNTOUCHED, ret = kvm_create_vm(fd, 0, &vm_fd);

	ck_assert_int_eq(vm_fd, UNTOUCHED);
	return ret;
}

static int call_vcpu_mmap_size(int fd)
{
	return kvm_vcpu_mmap_size(fd);
}

static int call_create_vcpu(int fd)
{
	int vcpu_fd = UNTOUCHED, ret = kvm_create_vcpu(fd, 0, &vcpu_fd);

	ck_assert_int_eq(vcpu_fd, UNTOUCHED);
	return ret;
}

static int call_memslot_set(int fd)
{
	static char page[4096];

	return kvm_memslot_set(fd, 0, 0x40000000, sizeof(page), page);
}

static int call_memslot_delete(int fd)
{
	return kvm_memslot_set(fd, 3, 0, 0, NULL);
}

static int call_ioeventfd(int fd)
{
	return kvm_ioeventfd(fd, 0x0a000050, 4, NULL, 0, true);
}

static int call_ioeventfd_datamatch(int fd)
{
	uint64_t queue = 1;

	return kvm_ioeventfd(fd, 0x0a000050, 4, &queue, 0, false);
}

static int call_irqfd(int fd)
{
	return kvm_irqfd(fd, 33, 0, true);
}

static const struct {
	const char *name;
	int (*call)(int fd);
} wrappers[] = {
	{ "kvm_api_version", call_api_version },
	{ "kvm_check_extension", call_check_extension },
	{ "kvm_create_vm", call_create_vm },
	{ "kvm_vcpu_mmap_size", call_vcpu_mmap_size },
	{ "kvm_create_vcpu", call_create_vcpu },
	{ "kvm_memslot_set", call_memslot_set },
	{ "kvm_memslot_set (delete)", call_memslot_delete },
	{ "kvm_ioeventfd", call_ioeventfd },
	{ "kvm_ioeventfd (datamatch, deassign)", call_ioeventfd_datamatch },
	{ "kvm_irqfd", call_irqfd },
};

#define NR_WRAPPERS (int)(sizeof(wrappers) / sizeof(wrappers[0]))

/* stdout and stderr go to a file; its size says whether anything printed. */
static int quiet_begin(void)
{
	FILE *f = tmpfile();
	int fd;

	ck_assert_ptr_nonnull(f);
	fd = dup(fileno(f));
	fclose(f);
	fflush(stdout);
	fflush(stderr);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	return fd;
}

static void quiet_end(int fd, const char *what)
{
	struct stat st;

	fflush(stdout);
	fflush(stderr);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_msg(st.st_size == 0, "%s printed %lld bytes", what,
		      (long long)st.st_size);
	close(fd);
}

static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	close(fd);
	return fd;
}

/* Check forks per test: the redirected stdout/stderr die with the child. */
START_TEST(test_closed_fd_is_ebadf)
{
	int fd = closed_fd(), out = quiet_begin();

	ck_assert_int_eq(wrappers[_i].call(fd), -EBADF);
	ck_assert_int_eq(wrappers[_i].call(-1), -EBADF);
	quiet_end(out, wrappers[_i].name);
}
END_TEST

/* An fd that is no KVM fd: the kernel says the ioctl is not its own. */
START_TEST(test_not_kvm_fd_is_enotty)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC), out;

	ck_assert_int_ge(fd, 0);
	out = quiet_begin();
	ck_assert_int_eq(wrappers[_i].call(fd), -ENOTTY);
	quiet_end(out, wrappers[_i].name);
	close(fd);
}
END_TEST

START_TEST(test_open_dev_errors)
{
	static const struct {
		const char *path;
		int expect;
	} cases[] = {
		{ "/nonexistent/kvm", -ENOENT },
		{ "/", -EISDIR },
	};
	int out = quiet_begin();

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = UNTOUCHED;

		ck_assert_int_eq(kvm_open_dev(cases[i].path, &fd),
				 cases[i].expect);
		ck_assert_int_eq(fd, UNTOUCHED);
	}
	quiet_end(out, "kvm_open_dev");
}
END_TEST

START_TEST(test_open_dev_opens_read_write_cloexec)
{
	int fd = UNTOUCHED;

	ck_assert_int_eq(kvm_open_dev("/dev/null", &fd), 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Opened, but no KVM: the API version check is what tells. */
	ck_assert_int_eq(kvm_api_version(fd), -ENOTTY);
	close(fd);
}
END_TEST

/* Without a working check every capability is missing, the first named. */
START_TEST(test_caps_missing_on_bad_fd)
{
	const char *missing = NULL;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert(!kvm_has_cap(fd, KVM_CAP_IOEVENTFD));
	ck_assert(!kvm_has_cap(-1, KVM_CAP_IOEVENTFD));
	ck_assert_int_eq(kvm_check_eventfd_caps(fd, &missing), -ENOTSUP);
	ck_assert_str_eq(missing, "KVM_CAP_IOEVENTFD");
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kvm");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_closed_fd_is_ebadf, 0, NR_WRAPPERS);
	tcase_add_loop_test(tc, test_not_kvm_fd_is_enotty, 0, NR_WRAPPERS);
	tcase_add_test(tc, test_open_dev_errors);
	tcase_add_test(tc, test_open_dev_opens_read_write_cloexec);
	tcase_add_test(tc, test_caps_missing_on_bad_fd);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
