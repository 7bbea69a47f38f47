// SPDX-License-Identifier: MIT
/*
 * lpi: an LPI raised through the GICv3 ITS and taken by this CPU, the
 * arm64 guest's MSI path (kvm-unit-tests' micro-bench has one by the
 * same name, which sends its LPI to a second CPU; this one targets the
 * CPU that issues it, so no other CPU's wake-up is in the figure).
 *
 * Set-up, once (the first prep): LPIs on at the boot CPU's
 * redistributor, the ITS's tables and command queue, then MAPD, MAPC,
 * MAPTI, INV, SYNC map (LPI_DEVICE, LPI_EVENT) to LPI_INTID on
 * collection 0, which is this CPU.
 *
 * One sample: an INT command written to the queue and GITS_CWRITER
 * bumped, which KVM's ITS handles in the kernel (the MMIO write is
 * emulated there, no exit to userspace): it reads the command from guest
 * RAM, finds the mapping and makes the LPI pending; back in the guest,
 * with interrupts unmasked, the LPI is taken at once, acknowledged and
 * EOIed. Clock: CNTPCT (CNTVCT's rate, reported as the default counter),
 * from the read before the command is written to the handler's read
 * after its ICC_EOIR1_EL1 write.
 */
#include "bench_arm64.h"

#define LPI_DEVICE 1
#define LPI_EVENT 0
#define LPI_INTID GIC_LPI_FIRST

void bench_lpi_init(const struct fdt *fdt, struct bench_arm64 *a)
{
	struct bench_lpi *l = &a->lpi;
	int ret = its_probe(fdt, &l->its);

	l->found = ret == 0;
	l->ready = false;
	l->intid = 0; /* bench_irq() matches it: nothing until mapped */
	if (ret == -FDT_ERR_NOTFOUND)
		l->why = "no arm,gic-v3-its node: tinyvmm --no-its, or no ITS "
			 "in the host's KVM";
	else if (ret)
		l->why = "the arm,gic-v3-its node has no usable reg";
}

uint32_t lpi_prep(struct bench *b, struct bench_arm64 *a)
{
	struct bench_lpi *l = &a->lpi;
	const char *why = "";

	if (!l->found) {
		bench_note(b, l->why);
		return BENCH_STATUS_SKIPPED;
	}
	if (l->ready)
		return BENCH_STATUS_OK;
	l->intid = LPI_INTID; /* before MAPTI: an early LPI finds its case */
	if (its_init(&a->gic, &l->its, a->g->mpidr[a->self], &why) ||
	    its_map_lpi(&l->its, LPI_DEVICE, LPI_EVENT, LPI_INTID, &why)) {
		bench_notef(b, "ITS set-up: %s", why);
		return BENCH_STATUS_FAILED;
	}
	l->ready = true;
	return BENCH_STATUS_OK;
}

int lpi_sample(struct bench *b, struct bench_arm64 *a, uint64_t *sample)
{
	struct bench_lpi *l = &a->lpi;
	uint32_t seq = l->seq;
	uint64_t t0 = cntpct_read();

	its_send_int(&l->its, LPI_DEVICE, LPI_EVENT);
	if (!wait_change(&l->seq, seq)) {
		bench_notef(b, "LPI %u never arrived after INT", LPI_INTID);
		return -1;
	}
	*sample = l->t1 - t0;
	return 0;
}

void lpi_handle(struct bench_arm64 *a, uint32_t iar)
{
	gic_eoi(iar);
	a->lpi.t1 = cntpct_read(); /* its leading isb: after the EOI */
	dsb_sy();
	a->lpi.seq = a->lpi.seq + 1;
}
