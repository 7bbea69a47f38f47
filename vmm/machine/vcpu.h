/* SPDX-License-Identifier: MIT */
/*
 * vCPU threads: each runs KVM_RUN and dispatches the exit, nothing else.
 * Stopping a vCPU = setting kvm_run.immediate_exit and signalling its
 * thread, so it leaves KVM_RUN whether it is inside or about to enter.
 */
#ifndef TINYVMM_VMM_VCPU_H
#define TINYVMM_VMM_VCPU_H

#include <signal.h>

#include "vmm/base/log.h"

/* Interrupts a thread's KVM_RUN (with kvm_run.immediate_exit set). */
#define VCPU_KICK_SIGNAL SIGUSR1

struct vm;
struct vcpu;

/* KVM_CREATE_VCPU, map kvm_run, arch_vcpu_init(). */
TV_MUST_CHECK int vcpu_create(struct vm *vm, struct vcpu *vcpu,
			      unsigned int id);
void vcpu_destroy(struct vcpu *vcpu);

/* Installs the kick signal's handler; once per process, before threads. */
TV_MUST_CHECK int vcpu_signals_init(void);
TV_MUST_CHECK int vcpu_start(struct vcpu *vcpu);
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);

#endif
