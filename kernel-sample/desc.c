/* desc.c: GDT and IDT of the sample kernel; an exception prints its state and fails the run. */
#include "desc.h"

#include <stddef.h>

#include "console.h"
#include "cpu.h"
#include "result.h"

/* Flat descriptors (Intel SDM vol. 3A 3.4.5): 64-bit code (L=1), data, 32-bit code. */
static const uint64_t desc_gdt[4] __attribute__((aligned(16))) = {
	0,
	0x00AF9A000000FFFFull,
	0x00CF92000000FFFFull,
	0x00CF9A000000FFFFull,
};

/* 64-bit interrupt gate (Intel SDM vol. 3A 6.14.1), 16 bytes. */
struct desc_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

struct __attribute__((packed)) desc_pointer {
	uint16_t limit;
	uint64_t base;
};

static struct desc_gate desc_idt[32] __attribute__((aligned(16)));
static struct desc_pointer desc_gdtr;
static struct desc_pointer desc_idtr;

void desc_init(void)
{
	for (size_t v = 0; v < 32; v++) {
		uint64_t handler = desc_isr_table[v];
		desc_idt[v].offset_low = (uint16_t)handler;
		desc_idt[v].selector = DESC_KERNEL_CS;
		desc_idt[v].ist = 0;
		/* present, DPL 0, type 0xE interrupt gate */
		desc_idt[v].type_attr = 0x8E;
		desc_idt[v].offset_mid = (uint16_t)(handler >> 16);
		desc_idt[v].offset_high = (uint32_t)(handler >> 32);
		desc_idt[v].reserved = 0;
	}
	desc_gdtr.limit = sizeof(desc_gdt) - 1;
	desc_gdtr.base = (uint64_t)(uintptr_t)desc_gdt;
	desc_idtr.limit = sizeof(desc_idt) - 1;
	desc_idtr.base = (uint64_t)(uintptr_t)desc_idt;
}

void desc_load(void)
{
	desc_load_tables(&desc_gdtr, &desc_idtr);
}

static const char *const desc_exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
	"#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

void desc_exception(struct desc_exception_frame *frame)
{
	uint64_t cr2 = cpu_read_cr2();
	uint32_t apic_id = cpu_apic_id();
	const char *name = desc_exception_names[frame->vector & 31];
	kprint("\nEXCEPTION on apic id %u: vector %lu (%s) error code 0x%lx\n", apic_id,
	       frame->vector, name, frame->error_code);
	kprint("  rip 0x%016lx cs 0x%lx rflags 0x%lx rsp 0x%016lx cr2 0x%016lx cr3 0x%lx\n",
	       frame->rip, frame->cs, frame->rflags, frame->rsp, cr2, cpu_read_cr3());
	kprint("  rax 0x%lx rbx 0x%lx rcx 0x%lx rdx 0x%lx rsi 0x%lx rdi 0x%lx rbp 0x%lx\n",
	       frame->rax, frame->rbx, frame->rcx, frame->rdx, frame->rsi, frame->rdi, frame->rbp);
	result_fail("exception vector=%lu (%s) rip=0x%lx cr2=0x%lx error=0x%lx apic=%u",
	            frame->vector, name, frame->rip, cr2, frame->error_code, apic_id);
}
