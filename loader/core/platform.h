/* platform.h: platform detection (TDX, SEV/SNP, Xen HVM, KVM, other hypervisors) from CPUID/MSR values. */
#ifndef TAGBOOT_PLATFORM_H
#define TAGBOOT_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "tagboot_handoff.h"

/* Register order of a CPUID result. */
#define PLATFORM_EAX 0
#define PLATFORM_EBX 1
#define PLATFORM_ECX 2
#define PLATFORM_EDX 3

/* MSR_AMD64_SEV (AMD APM vol. 2, 15.34.10; Linux arch/x86/include/asm/msr-index.h). */
#define PLATFORM_MSR_SEV_STATUS 0xC0010131u

/* CPU access: cpuid fills regs (EAX, EBX, ECX, EDX) for leaf/subleaf; read_msr (may be NULL)
 * reads an MSR and returns false if it could not. In the loader these execute the
 * instructions; tests feed tables. read_msr is only called when CPUID says the MSR exists. */
struct platform_probe {
	void (*cpuid)(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
	bool (*read_msr)(void *ctx, uint32_t msr, uint64_t *value);
	void *ctx;
};

/* Detect the platform and fill out->kind, flags, hypervisor_leaf and hypervisor_signature.
 * Leaves out->hdr, firmware_revision and firmware_vendor untouched (the EFI glue owns them).
 * Precedence: TDX, then SEV-SNP, then the hypervisor signature (Xen, KVM, other). */
void platform_detect(const struct platform_probe *probe, struct tb_rec_platform *out);

#endif /* TAGBOOT_PLATFORM_H */
