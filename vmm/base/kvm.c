// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/base/kvm.h"

int kvm_open_dev(const char *path, int *kvm_fd)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*kvm_fd = fd;
	return 0;
}

int kvm_api_version(int kvm_fd)
{
	int version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);

	return version < 0 ? -errno : version;
}

int kvm_check_extension(int fd, long cap)
{
	int ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? -errno : ret;
}

int kvm_check_eventfd_caps(int vm_fd, const char **missing)
{
	static const struct {
		long cap;
		const char *name;
	} needed[] = {
		{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
		{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
	};

	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (!kvm_has_cap(vm_fd, needed[i].cap)) {
			*missing = needed[i].name;
			return -ENOTSUP;
		}
	}
	return 0;
}

/* The ioctls that return a new fd. */
static int kvm_new_fd(int fd, unsigned long request, unsigned long arg,
		      int *out)
{
	int ret = ioctl(fd, request, arg);

	if (ret < 0)
		return -errno;
	*out = ret;
	return 0;
}

int kvm_create_vm(int kvm_fd, unsigned long type, int *vm_fd)
{
	return kvm_new_fd(kvm_fd, KVM_CREATE_VM, type, vm_fd);
}

int kvm_vcpu_mmap_size(int kvm_fd)
{
	int size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	return size < 0 ? -errno : size;
}

int kvm_create_vcpu(int vm_fd, unsigned int id, int *vcpu_fd)
{
	return kvm_new_fd(vm_fd, KVM_CREATE_VCPU, id, vcpu_fd);
}

int kvm_memslot_set(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size,
		    void *host)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) ? -errno : 0;
}

int kvm_ioeventfd(int vm_fd, uint64_t gpa, uint32_t len,
		  const uint64_t *datamatch, int fd, bool assign)
{
	struct kvm_ioeventfd ev = {
		.datamatch = datamatch ? *datamatch : 0,
		.addr = gpa,
		.len = len,
		.fd = fd,
		.flags = (datamatch ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(vm_fd, KVM_IOEVENTFD, &ev) ? -errno : 0;
}

int kvm_irqfd(int vm_fd, uint32_t gsi, int fd, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return ioctl(vm_fd, KVM_IRQFD, &irqfd) ? -errno : 0;
}
