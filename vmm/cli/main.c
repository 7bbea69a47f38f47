// SPDX-License-Identifier: MIT
/* tinyvmm: parse the command line, build the VM, run it, report. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/machine/arch.h"
#include "vmm/bench/bench_guest.h"
#include "vmm/bench/bench.h"
#include "vmm/devices/boot_timer.h"
#include "vmm/devices/serial.h"
#include "vmm/compare/compare_cmd.h"
#include "config.h"
#include "vmm/machine/hostinfo.h"
#include "vmm/cli/options.h"
#include "vmm/cli/paths.h"
#include "vmm/bench/report.h"
#include "vmm/machine/vm.h"

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

/*
 * --dtb-out without a guest: the tree is pure data, built without
 * /dev/kvm (vm_machine_description_offline() names the defaults that
 * stand in for what KVM would offer), so it works on any host.
 */
static int dump_offline_description(const struct vm_config *cfg,
				    const char *path)
{
	void *blob = NULL;
	size_t len = 0;
	int ret = vm_machine_description_offline(cfg, &blob, &len);

	if (ret == -EOPNOTSUPP) {
		tv_err("--dtb-out %s: %s guests get no device tree", path,
		       arch_platform()->name);
		return TINYVMM_EXIT_ERROR;
	}
	if (ret)
		return TINYVMM_EXIT_ERROR;
	ret = write_file(path, blob, len);
	free(blob);
	if (ret) {
		tv_errno(ret, "writing the device tree to %s", path);
		return TINYVMM_EXIT_ERROR;
	}
	tv_info("device tree: %zu bytes written to %s", len, path);
	return TINYVMM_EXIT_POWEROFF;
}

static int run_host_info(void)
{
	struct host_info info;

	host_info_collect(&info);
	host_info_print(&info, stdout);
	return TINYVMM_EXIT_POWEROFF;
}

/*
 * What a --bench report needs from outside the VM, got before the guest
 * runs: once vm_run() confines the main thread it opens no files, so the
 * host's description is read and --json FILE created (emptied) up front.
 * An unwritable FILE thus fails before the benchmarks, not after them.
 */
struct bench_context {
	struct host_info host;
	struct host_emulation emu;
	char ram_host_thp[32]; /* guest_mem_host_thp() for guest RAM */
	FILE *json;	       /* --json FILE, or NULL */
};

static int bench_prepare(const struct vm *vm, const struct options *opts,
			 struct bench_context *ctx)
{
	guest_mem_host_thp(vm->mem.regions[0].fd >= 0, ctx->ram_host_thp,
			   sizeof(ctx->ram_host_thp));
	host_info_collect(&ctx->host);
	host_emulation_detect(&ctx->emu);
	ctx->json = NULL;
	if (!opts->json)
		return 0;
	ctx->json = fopen(opts->json, "w");
	if (!ctx->json) {
		tv_errno(errno, "--json %s", opts->json);
		return -errno;
	}
	return 0;
}

/* Writes the document into the FILE bench_prepare() opened, and closes it. */
static int bench_write_json(const struct report_run *run, FILE *f,
			    const char *path)
{
	int ret = report_write_json(run, f);

	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		tv_errno(ret, "writing --json %s", path);
	return ret;
}

/* 1 when a benchmark failed or the guest's count is off, else 0. */
static int bench_verdict(const struct bench_outcome *oc)
{
	int status = TINYVMM_EXIT_POWEROFF;

	for (unsigned int i = 0; i < oc->nr_results; i++)
		if (oc->results[i].status == BENCH_STATUS_FAILED)
			status = TINYVMM_EXIT_ERROR;
	if (oc->dropped) {
		tv_err("the benchmark guest sent %u reports beyond the %d tinyvmm keeps",
		       oc->dropped, BENCH_MAX_REPORTS);
		status = TINYVMM_EXIT_ERROR;
	}
	if (oc->done_count != oc->nr_results + oc->dropped) {
		tv_err("the benchmark guest wrote DONE for %llu benchmarks but "
		       "reported %u",
		       (unsigned long long)oc->done_count,
		       oc->nr_results + oc->dropped);
		status = TINYVMM_EXIT_ERROR;
	}
	return status;
}

/*
 * After vm_run() of a --bench guest, on the confined main thread: results,
 * and the exit status. Closes @ctx->json (left empty without results).
 */
static int bench_finish(const struct vm *vm, const struct options *opts,
			struct bench_context *ctx, int status)
{
	struct bench_outcome oc;
	struct report_run run;

	bench_outcome(vm_device_find(vm, &bench_kind), &oc);
	if (!oc.done) {
		tv_err("the benchmark guest stopped without DONE (after %u reports)",
		       oc.nr_results);
		if (ctx->json)
			fclose(ctx->json);
		return status ? status : TINYVMM_EXIT_ERROR;
	}
	run = (struct report_run){
		.tinyvmm_version = TINYVMM_VERSION,
		.host = &ctx->host,
		.emulation = &ctx->emu,
		.tags = opts->tags,
		.nr_tags = opts->nr_tags,
		.cpus = opts->nr_cpus,
		.pinned = opts->pin_vcpus,
		.seccomp = vm->seccomp.enabled,
		.ram = &vm->mem.regions[0],
		.ram_host_thp = ctx->ram_host_thp,
		.cpu_features = &vm->cpu_features,
		.iterations = opts->iterations,
		.warmup = opts->warmup,
		.its = arch_vm_its(vm),
		.results = oc.results,
		.nr_results = oc.nr_results,
		.profile_note = oc.profile_note,
	};
	report_print_table(&run, stdout);
	if (ctx->json && bench_write_json(&run, ctx->json, opts->json))
		return TINYVMM_EXIT_ERROR;
	return status ? status : bench_verdict(&oc);
}

/* The guest of --bench without --kernel: the one built into tinyvmm. */
static int bench_guest(const struct options *opts, struct vm_config *cfg)
{
	if (!opts->bench || opts->kernel)
		return 0;
	return bench_carried_guest(&cfg->kernel_image, &cfg->kernel_image_len);
}

/*
 * The guest's console writes to stdout as well: bytes lost there (a full
 * disk, a closed pipe, a stalled non-blocking reader) are said in one
 * line and fail a run that would have exited 0; a non-zero status stands.
 */
static int console_checked(struct vm *vm, int status)
{
	uint64_t lost;
	int err = serial_output_error(vm->console, &lost);

	if (!err)
		return status;
	tv_errno(
		err,
		"console: %" PRIu64
		" bytes of the guest's output were not written to standard output",
		lost);
	return status ? status : TINYVMM_EXIT_ERROR;
}
static int run_vm(const struct options *opts)
{
	struct vm_config cfg = {
		.kernel_path = opts->kernel,
		.initrd_path = opts->initrd,
		.cmdline = opts->cmdline,
		.mem_size = opts->mem_size,
		.ram_huge = opts->huge,
		.ram_hugetlb_page = opts->hugetlb_page,
		.nr_cpus = opts->nr_cpus,
		.pin_vcpus = opts->pin_vcpus,
		.disks = opts->disks,
		.nr_disks = opts->nr_disks,
		.nets = opts->nets,
		.nr_nets = opts->nr_nets,
		.seccomp = !opts->no_seccomp,
		.no_its = opts->no_its,
		.cpu = opts->cpu,
		.nested = opts->nested,
	};
	const struct bench_config bench_cfg = {
		.iterations = opts->iterations,
		.warmup = opts->warmup,
		.select = opts->bench_select,
		.nr_select = opts->nr_bench_select,
	};
	const struct vm_device_spec bench_device = { .kind = &bench_kind,
						     .spec = &bench_cfg };
	struct bench_context bench;
	struct vm vm;
	int status;

	if (opts->bench) {
		cfg.devices = &bench_device;
		cfg.nr_devices = 1;
	}
	if (bench_guest(opts, &cfg))
		return TINYVMM_EXIT_ERROR;
	if (!vm_config_has_guest(&cfg))
		return dump_offline_description(&cfg, opts->dtb_out);
	if (vm_create(&vm, &cfg))
		return TINYVMM_EXIT_ERROR;
	if (opts->dtb_out && dump_machine_description(&vm, opts->dtb_out)) {
		vm_destroy(&vm);
		return TINYVMM_EXIT_ERROR;
	}
	if (opts->bench && bench_prepare(&vm, opts, &bench)) {
		vm_destroy(&vm);
		return TINYVMM_EXIT_ERROR;
	}
	status = vm_run(&vm);
	if (opts->bench)
		status = bench_finish(&vm, opts, &bench, status);
	status = console_checked(&vm, status);
	vm_destroy(&vm);
	return status;
}

/*
 * What tinyvmm printed on stdout (--help, --host-info, the bench table,
 * compare's tables) must have arrived: a write error (a full disk, a
 * closed pipe) makes a zero @status @failed, and one line says so. A
 * non-zero status stands, so a gate's verdict is not hidden.
 */
static int stdout_checked(int status, int failed)
{
	if (!fflush(stdout) && !ferror(stdout))
		return status;
	/* stdout is unbuffered: the write that failed is long past, and
	 * errno no longer says why. */
	tv_err("writing to standard output failed");
	return status ? status : failed;
}

static int tinyvmm_main(int argc, char **argv)
{
	const struct arch_platform *platform = arch_platform();
	struct options opts;

	if (options_parse(argc, argv, platform->ram_max, platform->max_vcpus,
			  &opts))
		return TINYVMM_EXIT_USAGE;
	if (opts.help) {
		options_usage(stdout);
		fputs("\n", stdout);
		compare_usage(stdout, false);
		return 0;
	}
	if (options_check_cpu_features(&opts, platform->cpu_features,
				       platform->name) ||
	    options_check_nested(&opts, platform->nested, platform->name))
		return TINYVMM_EXIT_USAGE;
	if (opts.version) {
		printf("tinyvmm %s (%s)\n", TINYVMM_VERSION, TINYVMM_ARCH);
		return 0;
	}
	tv_log_set_verbose(opts.verbose);
	if (opts.host_info)
		return run_host_info();
	/* Before /dev/kvm: a mistyped path is said as such, KVM or not. */
	if (cli_check_paths(&opts))
		return TINYVMM_EXIT_ERROR;
	return run_vm(&opts);
}

int main(int argc, char **argv)
{
	boot_timer_mark_start();
	/*
	 * The UART writes guest output to fd 1 directly; unbuffered stdio
	 * keeps tinyvmm's own stdout lines (--host-info, the bench table) in
	 * order with it.
	 */
	setvbuf(stdout, NULL, _IONBF, 0);
	/* compare checks its own output, and says why it failed. */
	if (argc > 1 && !strcmp(argv[1], "compare"))
		return compare_main(argc - 1, argv + 1);
	return stdout_checked(tinyvmm_main(argc, argv), TINYVMM_EXIT_ERROR);
}
