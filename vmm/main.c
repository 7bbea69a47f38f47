// SPDX-License-Identifier: MIT
/* tinyvmm: parse the command line, build the VM, run it, report. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "config.h"
#include "hostinfo.h"
#include "options.h"
#include "vm.h"

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = buf;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		p += n;
		len -= (size_t)n;
	}
	return close(fd) ? -errno : 0;
}

static int dump_machine_description(const struct vm *vm, const char *path)
{
	const void *blob;
	size_t len;
	int ret = arch_machine_description(vm, &blob, &len);

	if (ret == -EOPNOTSUPP) {
		tv_err("--dtb-out %s: %s guests get no device tree", path,
		       arch_platform()->name);
		return ret;
	}
	if (!ret)
		ret = write_file(path, blob, len);
	if (ret)
		tv_errno(ret, "writing the device tree to %s", path);
	return ret;
}

static int run_host_info(void)
{
	struct host_info info;

	host_info_collect(&info);
	host_info_print(&info, stdout);
	return TINYVMM_EXIT_POWEROFF;
}

static int run_vm(const struct options *opts)
{
	const struct vm_config cfg = {
		.kernel_path = opts->kernel,
		.initrd_path = opts->initrd,
		.cmdline = opts->cmdline,
		.mem_size = opts->mem_size,
		.nr_cpus = opts->nr_cpus,
	};
	struct vm vm;
	int status;

	if (vm_create(&vm, &cfg))
		return TINYVMM_EXIT_ERROR;
	if (opts->dtb_out && dump_machine_description(&vm, opts->dtb_out)) {
		vm_destroy(&vm);
		return TINYVMM_EXIT_ERROR;
	}
	status = opts->kernel ? vm_run(&vm) : TINYVMM_EXIT_POWEROFF;
	vm_destroy(&vm);
	return status;
}

int main(int argc, char **argv)
{
	const struct arch_platform *platform = arch_platform();
	struct options opts;

	/* Guest output reaches the user byte by byte, as the UART sends it. */
	setvbuf(stdout, NULL, _IONBF, 0);
	if (options_parse(argc, argv, platform->ram_max, platform->max_vcpus,
			  &opts))
		return TINYVMM_EXIT_USAGE;
	if (opts.help) {
		options_usage(stdout);
		return 0;
	}
	if (opts.version) {
		printf("tinyvmm %s (%s)\n", TINYVMM_VERSION, TINYVMM_ARCH);
		return 0;
	}
	tv_log_set_verbose(opts.verbose);
	if (opts.host_info)
		return run_host_info();
	return run_vm(&opts);
}
