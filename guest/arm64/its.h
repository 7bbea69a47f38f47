/* SPDX-License-Identifier: MIT */
/*
 * A minimal GICv3 ITS driver for the arm64 guests (Arm IHI 0069, chapters
 * 5.3 "The ITS" and 6 "Locality-specific Peripheral Interrupts and the
 * ITS"): LPIs on one CPU's redistributor, the ITS's device and collection
 * tables, its command queue, and the few commands that map one
 * (DeviceID, EventID) to one LPI and raise it. Enough for the lpi
 * benchmark, nothing more: flat tables, one device, one collection.
 *
 * The tables live in the guest's own .bss. The guest runs with the MMU
 * and caches off, while KVM reads them through the host's cacheable
 * mapping of guest RAM: every table and command is cleaned to memory
 * (DC CIVAC) before the GIC is told about it.
 */
#ifndef TINYVMM_GUEST_ARM64_ITS_H
#define TINYVMM_GUEST_ARM64_ITS_H

#include "gic.h"

struct its {
	uintptr_t base;	  /* GITS_* control frame, from the device tree */
	uintptr_t rd;	  /* the target CPU's redistributor (RD_base) */
	uint64_t rdbase;  /* that CPU as commands name it (RDbase field) */
	uintptr_t cmdq;	  /* the command queue, ITS_CMDQ_SIZE bytes */
	uint32_t cwriter; /* next free offset in it */
	uintptr_t itt;	  /* the one device's interrupt translation table */
};

/*
 * Finds the "arm,gic-v3-its" node (a child of the GIC's) and its control
 * frame. Returns 0, or a -FDT_ERR_* code (-FDT_ERR_NOTFOUND: no ITS
 * described).
 */
int its_probe(const struct fdt *fdt, struct its *its);

/*
 * Turns LPIs on at the redistributor of the CPU with MPIDR @mpidr (the
 * CPU running this), gives the ITS its tables and command queue and
 * enables it. Once per boot: KVM's redistributors need not let LPIs be
 * turned off again. Returns 0, or -1 after setting *@why.
 */
int its_init(const struct gic *gic, struct its *its, uint64_t mpidr,
	     const char **why);

/*
 * Maps @device_id / @event_id to LPI @intid (enabled, at the SGIs'
 * priority) on collection 0, itself mapped to the CPU its_init() set
 * up: MAPD, MAPC, MAPTI, INV, SYNC. Returns 0, or -1 after setting
 * *@why (the ITS did not take the commands).
 */
int its_map_lpi(struct its *its, uint32_t device_id, uint32_t event_id,
		uint32_t intid, const char **why);

/*
 * Queues an INT command for @device_id / @event_id and bumps
 * GITS_CWRITER: the write that makes KVM's ITS raise the LPI. Inline, for
 * the lpi benchmark's clock window.
 */
void its_send_int(struct its *its, uint32_t device_id, uint32_t event_id);

#endif
