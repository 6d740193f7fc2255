/* cpu.h: x86-64 instruction wrappers the sample kernel needs (port I/O, MSRs, CPUID, TSC). */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdint.h>

static inline void cpu_outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void cpu_outl(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t cpu_inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline void cpu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]), "=d"(regs[3])
	                 : "a"(leaf), "c"(subleaf));
}

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t cpu_read_cr2(void)
{
	uint64_t value;
	__asm__ volatile("mov %%cr2, %0" : "=r"(value));
	return value;
}

static inline uint64_t cpu_read_cr3(void)
{
	uint64_t value;
	__asm__ volatile("mov %%cr3, %0" : "=r"(value));
	return value;
}

static inline void cpu_write_cr3(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

static inline void cpu_pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* IA32_APIC_BASE (Intel SDM vol. 3A 10.4.4): bit 11 global enable, bit 10 x2APIC mode. */
#define CPU_MSR_APIC_BASE 0x1Bu
#define CPU_APIC_BASE_X2APIC (1ull << 10)

/* The initial APIC ID of the running CPU: CPUID.0BH:EDX (x2APIC ID) when leaf 0xB exists,
 * else CPUID.01H:EBX[31:24] (Intel SDM vol. 3A 10.4.6 and 10.12.8.1). */
static inline uint32_t cpu_apic_id(void)
{
	uint32_t regs[4];
	cpu_cpuid(0, 0, regs);
	if (regs[0] >= 0xB) {
		uint32_t leaf_b[4];
		cpu_cpuid(0xB, 0, leaf_b);
		if (leaf_b[1] != 0)
			return leaf_b[3];
	}
	cpu_cpuid(1, 0, regs);
	return regs[1] >> 24;
}

#endif
