/* SPDX-License-Identifier: MIT */
/*
 * The one KVM layer: every KVM_CREATE_VM, KVM_CREATE_VCPU,
 * KVM_SET_USER_MEMORY_REGION, KVM_IOEVENTFD, KVM_IRQFD and
 * KVM_CHECK_EXTENSION outside arch/ goes through here (after the Linux
 * KVM selftests' kvm_util). Arch-specific ioctls stay in arch/.
 *
 * The contract, for every function:
 *  - one ioctl (or open), nothing kept: the caller owns every fd;
 *  - returns 0 (or the value it names) on success, -errno on failure,
 *    with its out-parameters written only on success;
 *  - prints nothing: the caller knows what it was doing and on what, and
 *    says so in one line (vmm/base/log.h).
 * It knows no struct vm, so the benchmark's peer VM uses it as the
 * machine does.
 */
#ifndef TINYVMM_VMM_KVM_H
#define TINYVMM_VMM_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

#define KVM_DEV_PATH "/dev/kvm"

/* Opens @path (KVM_DEV_PATH) read-write, close-on-exec, into *@kvm_fd. */
TV_MUST_CHECK int kvm_open_dev(const char *path, int *kvm_fd);

/* KVM_GET_API_VERSION: the version (KVM_API_VERSION is 12), or -errno. */
TV_MUST_CHECK int kvm_api_version(int kvm_fd);

/*
 * KVM_CHECK_EXTENSION on /dev/kvm or a VM fd (a VM may say more than
 * /dev/kvm, e.g. its IPA size): 0 when @cap is absent, its positive
 * value when present, -errno when the ioctl itself fails.
 */
TV_MUST_CHECK int kvm_check_extension(int fd, long cap);

/* Whether kvm_check_extension() says @cap is there; an error is "no". */
static inline bool kvm_has_cap(int fd, long cap)
{
	return kvm_check_extension(fd, cap) > 0;
}

/*
 * Whether @vm_fd has both KVM_CAP_IOEVENTFD and KVM_CAP_IRQFD, which a
 * device with in-kernel kicks and interrupts needs: 0, or -ENOTSUP with
 * *@missing naming the first capability missing ("KVM_CAP_IRQFD").
 */
TV_MUST_CHECK int kvm_check_eventfd_caps(int vm_fd, const char **missing);

/* KVM_CREATE_VM of machine @type (arch_vm_type()) into *@vm_fd. */
TV_MUST_CHECK int kvm_create_vm(int kvm_fd, unsigned long type, int *vm_fd);

/*
 * KVM_GET_VCPU_MMAP_SIZE: the size of a vCPU fd's mapping (struct
 * kvm_run and what follows it), or -errno.
 */
TV_MUST_CHECK int kvm_vcpu_mmap_size(int kvm_fd);

/* KVM_CREATE_VCPU number @id into *@vcpu_fd. */
TV_MUST_CHECK int kvm_create_vcpu(int vm_fd, unsigned int id, int *vcpu_fd);

/*
 * KVM_SET_USER_MEMORY_REGION: memory slot @slot becomes
 * [@host, @host + @size) at guest-physical @gpa; @size 0 deletes it.
 */
TV_MUST_CHECK int kvm_memslot_set(int vm_fd, uint32_t slot, uint64_t gpa,
				  uint64_t size, void *host);

/*
 * KVM_IOEVENTFD: a guest MMIO write of @len bytes (1, 2, 4 or 8) to @gpa
 * signals eventfd @fd instead of exiting; only writes of *@datamatch when
 * @datamatch is not NULL. @assign false removes the same registration.
 */
TV_MUST_CHECK int kvm_ioeventfd(int vm_fd, uint64_t gpa, uint32_t len,
				const uint64_t *datamatch, int fd, bool assign);

/*
 * KVM_IRQFD: a write to eventfd @fd injects interrupt @gsi (the machine's
 * routing says which line that is). @assign false removes it.
 */
TV_MUST_CHECK int kvm_irqfd(int vm_fd, uint32_t gsi, int fd, bool assign);

#endif
