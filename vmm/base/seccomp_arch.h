/* SPDX-License-Identifier: MIT */
#ifndef TINYVMM_BASE_SECCOMP_ARCH_H
#define TINYVMM_BASE_SECCOMP_ARCH_H

#include <stddef.h>
#include <stdint.h>

struct seccomp_rule;

/*
 * The arch hooks of seccomp (vmm/base/seccomp.h), in
 * arch/<arch>/seccomp_arch.c, which the
 * unit tests link too. arch_seccomp_audit_arch(): the AUDIT_ARCH_* value
 * of this arch's native syscalls in seccomp_data.arch.
 * arch_seccomp_rules(): the arch's own rules — the ioctls its hooks issue
 * on each thread, and the syscalls its libc makes where the common lists
 * name only those every arch has (x86_64's poll beside ppoll).
 * arch_seccomp_sigsys_arg(): argument @i (0-5) of the refused syscall,
 * from a SIGSYS handler's ucontext. All constant and async-signal-safe.
 */
uint32_t arch_seccomp_audit_arch(void);
const struct seccomp_rule *arch_seccomp_rules(size_t *nr);
uint64_t arch_seccomp_sigsys_arg(const void *ucontext, unsigned int i);

#endif
