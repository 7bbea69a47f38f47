// SPDX-License-Identifier: MIT
/*
 * The IDT, what the interrupt entry calls, and the two ways out of the
 * machine. An exception is reported on the console and resets the
 * machine, so that a crashing guest shows up as a line and a distinct
 * VMM exit (3, as arm64's SYSTEM_RESET), never as a hang.
 */
#include "apic.h"
#include "long_mode.h" /* arch/x86: tinyvmm's boot GDT, which we keep */

#define IDT_GATE_INT64 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define PM1_SLP_EN (1U << 13)
#define PM1_SLP_TYP_SHIFT 10
#define RESET_CPU_HARD 0x06 /* the FADT's RESET_VALUE */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

struct x86_guest x86_guest;

/* Written once by CPU 0 before x86_boot_ready; read-only after. */
static struct idt_gate x86_idt[X86_NR_VECTORS] __attribute__((aligned(16)));

void x86_boot_init(void);
void x86_idt_load(void);

/*
 * CPU 0, before any other CPU runs C: the IDT, and where the local APIC
 * is (IA32_APIC_BASE; every CPU's says the same), which secondaries need
 * at once (secondary_park()).
 */
void x86_boot_init(void)
{
	x86_guest.lapic = (uintptr_t)(rdmsr(X86_MSR_APIC_BASE) & ~0xfffULL);
	for (unsigned int v = 0; v < X86_NR_VECTORS; v++) {
		uint64_t a = (uintptr_t)x86_entry_stubs + v * X86_STUB_SIZE;

		x86_idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)a,
			.selector = X86_GDT_SELECTOR(X86_GDT_CODE64),
			.type = IDT_GATE_INT64,
			.offset_mid = (uint16_t)(a >> 16),
			.offset_hi = (uint32_t)(a >> 32),
		};
	}
}

void x86_idt_load(void)
{
	struct idt_ptr p = { sizeof(x86_idt) - 1, (uintptr_t)x86_idt };

	asm volatile("lidt %0" : : "m"(p));
}

void x86_power_off(void)
{
	outw(X86_PM1A_CNT_PORT,
	     X86_ACPI_S5_SLP_TYP << PM1_SLP_TYP_SHIFT | PM1_SLP_EN);
	cpu_halt();
}

/*
 * The reset register; if the VMM ignores it, a triple fault (no IDT,
 * then an exception) ends the VM through KVM_EXIT_SHUTDOWN instead.
 */
void x86_reset(void)
{
	struct idt_ptr none = { 0, 0 };

	outb(X86_RESET_PORT, RESET_CPU_HARD);
	asm volatile("lidt %0; int3" : : "m"(none));
	cpu_halt();
}

static const char x86_exc_names[X86_NR_EXCEPTIONS][4] = {
	"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "--", "TS",
	"NP", "SS", "GP",  "PF", "--", "MF", "AC", "MC", "XM", "VE", "CP",
	"--", "--", "--",  "--", "--", "--", "HV", "VC", "SX", "--"
};

static _Noreturn void x86_exception(struct x86_guest *g, unsigned int cpu,
				    const struct x86_frame *f)
{
	uint64_t cr2;
	uint32_t depth = cpu < X86_MAX_CPUS ? ++g->in_exception[cpu] : 2;

	if (depth > 1) /* a fault while reporting: reset without a word */
		x86_reset();
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	con_printf(&g->con,
		   "tinyvmm-guest: exception: vector %lu (#%s) on cpu %u:"
		   " error 0x%lx rip 0x%lx rsp 0x%lx rflags 0x%lx cr2 0x%lx\n",
		   (unsigned long)f->vector,
		   f->vector < X86_NR_EXCEPTIONS ? x86_exc_names[f->vector]
						 : "IRQ",
		   cpu, (unsigned long)f->error, (unsigned long)f->rip,
		   (unsigned long)f->rsp, (unsigned long)f->rflags,
		   (unsigned long)cr2);
	x86_reset();
}

/*
 * Called by start.S for every vector, interrupts off. The vectors every
 * guest has (apic.h) are handled here; the rest go to the program's
 * irq_handler, or are reported like faults when it has none.
 */
void x86_trap(struct x86_frame *f)
{
	struct x86_guest *g = &x86_guest;
	unsigned int cpu = x86_cpu_index();

	if (f->vector < X86_NR_EXCEPTIONS)
		x86_exception(g, cpu, f);
	switch (f->vector) {
	case APIC_VEC_SPURIOUS: /* not in service: no EOI */
		return;
	case APIC_VEC_WAKE:
		apic_eoi();
		return;
	case APIC_VEC_TIMER:
		g->timer_fired[cpu] = 1;
		apic_eoi();
		return;
	default:
		if (!g->irq_handler)
			x86_exception(g, cpu, f);
		g->irq_handler(g, cpu, f);
	}
}
