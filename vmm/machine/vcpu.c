// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/base/affinity.h"
#include "vmm/machine/arch.h"
#include "vmm/base/exit_names.h"
#include "vmm/base/kvm.h"
#include "vmm/machine/vcpu.h"
#include "vmm/machine/vm.h"

/* Unmapped accesses reported per vCPU before going quiet. */
#define VCPU_UNMAPPED_REPORTS 8

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id)
{
	void *run;
	int ret;

	vcpu->vm = vm;
	vcpu->id = id;
	ret = kvm_create_vcpu(vm->vm_fd, id, &vcpu->fd);
	if (ret) {
		tv_errno(ret, "KVM_CREATE_VCPU for vCPU %u", id);
		return ret;
	}
	run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED) {
		tv_errno(errno, "mapping kvm_run of vCPU %u", id);
		return -errno;
	}
	vcpu->run = run;
	return arch_vcpu_init(vcpu);
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->vcpu_mmap_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

static void vcpu_kick_handler(int sig)
{
	(void)sig; /* its only job is to make KVM_RUN return -EINTR */
}

int vcpu_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler =
		vcpu_kick_handler; /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL))
		return -errno;
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (vcpu->run)
		__atomic_store_n(&vcpu->run->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
	if (atomic_load(&vcpu->thread_started))
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

static void vcpu_fail(struct vcpu *vcpu, const char *what)
{
	tv_err("vCPU %u: %s at pc 0x%" PRIx64 "; stopping the VM", vcpu->id,
	       what, arch_vcpu_pc(vcpu));
	vm_request_stop(vcpu->vm, TINYVMM_EXIT_ERROR);
}

static void vcpu_report_unmapped(struct vcpu *vcpu, const char *bus,
				 uint64_t addr, uint32_t len, int is_write)
{
	if (vcpu->unmapped_reports >= VCPU_UNMAPPED_REPORTS)
		return;
	vcpu->unmapped_reports++;
	tv_err("vCPU %u: guest %s of %u bytes at unmapped %s address 0x%" PRIx64
	       " (pc 0x%" PRIx64 ")%s",
	       vcpu->id, is_write ? "write" : "read", len, bus, addr,
	       arch_vcpu_pc(vcpu),
	       vcpu->unmapped_reports == VCPU_UNMAPPED_REPORTS
		       ? "; not reporting more"
		       : "");
}

static void vcpu_handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t len = run->mmio.len;

	/* KVM passes 1, 2, 4 or 8 bytes; bus devices rely on it. */
	if (len == 0 || len > sizeof(run->mmio.data) || (len & (len - 1))) {
		vcpu_fail(vcpu, "MMIO exit with an impossible length");
		return;
	}
	if (!bus_access(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data,
			len, run->mmio.is_write))
		vcpu_report_unmapped(vcpu, "MMIO", run->mmio.phys_addr, len,
				     run->mmio.is_write);
}

static void vcpu_handle_pio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t size = run->io.size;
	uint64_t bytes = (uint64_t)size * run->io.count;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	int is_write = run->io.direction == KVM_EXIT_IO_OUT;

	if (size == 0 || size > 8 ||
	    run->io.data_offset > vcpu->vm->vcpu_mmap_size ||
	    bytes > vcpu->vm->vcpu_mmap_size - run->io.data_offset) {
		vcpu_fail(vcpu, "port I/O exit with an impossible size");
		return;
	}
	for (uint32_t i = 0; i < run->io.count; i++, data += size)
		if (!bus_access(&vcpu->vm->pio, run->io.port, data, size,
				is_write))
			vcpu_report_unmapped(vcpu, "port", run->io.port, size,
					     is_write);
}

static void vcpu_handle_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		tv_info("vCPU %u: guest powered off", vcpu->id);
		vm_request_stop(vcpu->vm, TINYVMM_EXIT_POWEROFF);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		tv_info("vCPU %u: guest asked for a reset", vcpu->id);
		vm_request_stop(vcpu->vm, TINYVMM_EXIT_RESET);
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		vcpu_fail(vcpu,
			  "guest reported a crash (KVM_SYSTEM_EVENT_CRASH)");
		break;
	default:
		vcpu_fail(vcpu, "unknown KVM_EXIT_SYSTEM_EVENT type");
		break;
	}
}

static void vcpu_handle_fail_entry(struct vcpu *vcpu)
{
	char what[96];

	snprintf(what, sizeof(what),
		 "KVM_EXIT_FAIL_ENTRY (hardware reason 0x%llx)",
		 (unsigned long long)
			 vcpu->run->fail_entry.hardware_entry_failure_reason);
	vcpu_fail(vcpu, what);
}

static void vcpu_handle_internal_error(struct vcpu *vcpu)
{
	char what[96];

	snprintf(what, sizeof(what), "KVM_EXIT_INTERNAL_ERROR (suberror %u)",
		 vcpu->run->internal.suberror);
	vcpu_fail(vcpu, what);
}

static void vcpu_handle_other(struct vcpu *vcpu)
{
	uint32_t reason = vcpu->run->exit_reason;
	char what[96];
	int ret = arch_vcpu_handle_exit(vcpu);

	if (ret == 0)
		return;
	if (ret == -ENOSYS) {
		snprintf(what, sizeof(what), "unhandled exit %s (%u)",
			 kvm_exit_name(reason), reason);
		vcpu_fail(vcpu, what);
		return;
	}
	/* The arch hook printed why; make sure the VM stops. */
	vm_request_stop(vcpu->vm, TINYVMM_EXIT_ERROR);
}

/* One helper per exit reason; the run loop itself stays a switch. */
static void vcpu_dispatch_exit(struct vcpu *vcpu)
{
	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_MMIO:
		vcpu_handle_mmio(vcpu);
		break;
	case KVM_EXIT_IO:
		vcpu_handle_pio(vcpu);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_handle_system_event(vcpu);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_handle_fail_entry(vcpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_handle_internal_error(vcpu);
		break;
	case KVM_EXIT_INTR:
		break;
	default:
		vcpu_handle_other(vcpu);
		break;
	}
}

/* Single writer (this vCPU's thread): plain adds, published relaxed. */
static void vcpu_account_mmio(struct vcpu *vcpu, uint64_t ticks)
{
	struct vcpu_exit_stats *s = &vcpu->exit_stats;

	__atomic_store_n(&s->mmio_user_exits, s->mmio_user_exits + 1,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&s->mmio_user_ticks, s->mmio_user_ticks + ticks,
			 __ATOMIC_RELAXED);
}

void vm_exit_stats(const struct vm *vm, struct vcpu_exit_stats *sum)
{
	*sum = (struct vcpu_exit_stats){ 0 };
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu_exit_stats *s = &vm->vcpus[i].exit_stats;

		sum->mmio_user_exits +=
			__atomic_load_n(&s->mmio_user_exits, __ATOMIC_RELAXED);
		sum->mmio_user_ticks +=
			__atomic_load_n(&s->mmio_user_ticks, __ATOMIC_RELAXED);
	}
}

/* Wider where a device starts VMs from the vCPU (vm_switch's peer). */
static int vcpu_confine(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	return seccomp_confine(vm_vcpu_seccomp_thread(vm), &vm->seccomp);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	uint64_t mmio_back = 0; /* host counter when an MMIO exit reached us */

	if (vcpu_confine(vcpu)) {
		vm_request_stop(vcpu->vm, TINYVMM_EXIT_ERROR);
		return NULL;
	}
	while (!vm_is_stopping(vcpu->vm)) {
		if (mmio_back) {
			vcpu_account_mmio(vcpu,
					  arch_host_counter() - mmio_back);
			mmio_back = 0;
		}
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			int err = errno; /* before arch_vcpu_pc()'s ioctl */

			if (err == EINTR || err == EAGAIN)
				continue;
			tv_errno(err, "vCPU %u: KVM_RUN at pc 0x%" PRIx64,
				 vcpu->id, arch_vcpu_pc(vcpu));
			vm_request_stop(vcpu->vm, TINYVMM_EXIT_ERROR);
			break;
		}
		if (vcpu->run->exit_reason == KVM_EXIT_MMIO)
			mmio_back = arch_host_counter();
		vcpu_dispatch_exit(vcpu);
	}
	return NULL;
}

static int vcpu_thread_attr(struct vcpu *vcpu, pthread_attr_t *attr)
{
	int cpu = -1, ret;

	pthread_attr_init(attr);
	if (!vcpu->vm->cfg->pin_vcpus)
		return 0;
	/* vCPU i gets its own host CPU while there are enough of them. */
	ret = affinity_nth_cpu(vcpu->id, &cpu, NULL);
	if (ret) {
		tv_errno(ret, "choosing a host CPU for vCPU %u (--pin)",
			 vcpu->id);
		return ret;
	}
	ret = affinity_attr_pin(attr, cpu);
	if (ret)
		tv_errno(ret, "pinning vCPU %u to host CPU %d", vcpu->id, cpu);
	else
		tv_info("vCPU %u pinned to host CPU %d", vcpu->id, cpu);
	return ret;
}

int vcpu_start(struct vcpu *vcpu)
{
	pthread_attr_t attr;
	int ret = vcpu_thread_attr(vcpu, &attr);

	if (!ret)
		ret = pthread_create(&vcpu->thread, &attr, vcpu_thread, vcpu);
	pthread_attr_destroy(&attr);
	if (ret < 0)
		return ret; /* vcpu_thread_attr() said why */
	if (ret) {
		tv_errno(ret, "starting the thread of vCPU %u", vcpu->id);
		return -ret;
	}
	atomic_store(&vcpu->thread_started, true);
	return 0;
}

void vcpu_join(struct vcpu *vcpu)
{
	if (atomic_load(&vcpu->thread_started))
		pthread_join(vcpu->thread, NULL);
	atomic_store(&vcpu->thread_started, false);
}
