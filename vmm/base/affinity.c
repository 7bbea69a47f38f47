// SPDX-License-Identifier: MIT
#include <errno.h>
#include <sched.h>

#include "vmm/base/affinity.h"

int affinity_nth_cpu(unsigned int index, int *cpu, int *count)
{
	cpu_set_t allowed;
	int n;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -errno;
	n = CPU_COUNT(&allowed);
	if (count)
		*count = n;
	if (n == 0)
		return -ENOENT;
	index %= (unsigned int)n;
	for (*cpu = 0; *cpu < CPU_SETSIZE; (*cpu)++)
		if (CPU_ISSET(*cpu, &allowed) && index-- == 0)
			return 0;
	return -ENOENT;
}

int affinity_attr_pin(pthread_attr_t *attr, int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return -pthread_attr_setaffinity_np(attr, sizeof(one), &one);
}
