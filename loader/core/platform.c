/* platform.c: platform detection (TDX, SEV/SNP, Xen HVM, KVM, other hypervisors) from CPUID and MSR values. */
#include "platform.h"

#include "util.h"

#define PLATFORM_LEAF_TDX 0x21u
#define PLATFORM_LEAF_HV_FIRST 0x40000000u
#define PLATFORM_LEAF_HV_END 0x40010000u /* exclusive */
#define PLATFORM_LEAF_HV_STEP 0x100u
#define PLATFORM_LEAF_EXT_MAX 0x80000000u
#define PLATFORM_LEAF_AMD_MEM_ENC 0x8000001Fu

/* CPUID.1:ECX[31]: "a hypervisor is present" (reserved for hypervisors to set). */
#define PLATFORM_CPUID1_ECX_HYPERVISOR (1u << 31)
/* CPUID 0x8000001F EAX[1]: SEV supported (AMD APM vol. 3, E.4.17). */
#define PLATFORM_MEM_ENC_EAX_SEV (1u << 1)
/* MSR_AMD64_SEV bits: what is active for this guest. */
#define PLATFORM_SEV_STATUS_SEV (1ull << 0)
#define PLATFORM_SEV_STATUS_SEV_ES (1ull << 1)
#define PLATFORM_SEV_STATUS_SNP (1ull << 2)

static void platform_cpuid(const struct platform_probe *probe, uint32_t leaf, uint32_t subleaf,
                           uint32_t regs[4])
{
	regs[0] = regs[1] = regs[2] = regs[3] = 0;
	probe->cpuid(probe->ctx, leaf, subleaf, regs);
}

/* Store a 12-byte signature made of three registers in the given order, little-endian. */
static void platform_signature(uint32_t r1, uint32_t r2, uint32_t r3, char out[12])
{
	uint32_t r[3] = { r1, r2, r3 };
	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			out[i * 4 + b] = (char)(r[i] >> (8 * b));
}

/* TDX: the TDX module answers leaf 0x21 with "IntelTDX    " in EBX, EDX, ECX. */
static bool platform_is_tdx(const struct platform_probe *probe, uint32_t max_leaf)
{
	if (max_leaf < PLATFORM_LEAF_TDX)
		return false;
	uint32_t regs[4];
	char sig[12];
	platform_cpuid(probe, PLATFORM_LEAF_TDX, 0, regs);
	platform_signature(regs[PLATFORM_EBX], regs[PLATFORM_EDX], regs[PLATFORM_ECX], sig);
	return util_memcmp(sig, "IntelTDX    ", 12) == 0;
}

/* SEV flags from MSR_AMD64_SEV, read only when CPUID says SEV exists (the MSR faults on
 * Intel, and in a TDX guest reading it would be a #VE). */
static uint32_t platform_sev_flags(const struct platform_probe *probe)
{
	uint32_t regs[4];
	platform_cpuid(probe, PLATFORM_LEAF_EXT_MAX, 0, regs);
	if (regs[PLATFORM_EAX] < PLATFORM_LEAF_AMD_MEM_ENC || regs[PLATFORM_EAX] > 0x8000FFFFu)
		return 0;
	platform_cpuid(probe, PLATFORM_LEAF_AMD_MEM_ENC, 0, regs);
	if ((regs[PLATFORM_EAX] & PLATFORM_MEM_ENC_EAX_SEV) == 0 || probe->read_msr == NULL)
		return 0;
	uint64_t status = 0;
	if (!probe->read_msr(probe->ctx, PLATFORM_MSR_SEV_STATUS, &status))
		return 0;
	uint32_t flags = 0;
	if (status & PLATFORM_SEV_STATUS_SEV)
		flags |= TB_PLATFORM_F_SEV;
	if (status & PLATFORM_SEV_STATUS_SEV_ES)
		flags |= TB_PLATFORM_F_SEV_ES;
	if (status & PLATFORM_SEV_STATUS_SNP)
		flags |= TB_PLATFORM_F_SEV_SNP;
	return flags;
}

static bool platform_sig_is(const char sig[12], const char *want)
{
	return util_memcmp(sig, want, 12) == 0;
}

static bool platform_sig_empty(const char sig[12])
{
	for (int i = 0; i < 12; i++)
		if (sig[i] != '\0')
			return false;
	return true;
}

/* Hypervisor leaves: Xen may sit at any 0x100 step (Viridian moves it to 0x40000100 and puts
 * "Microsoft Hv" at 0x40000000); every other hypervisor is named by 0x40000000. */
static void platform_hypervisor(const struct platform_probe *probe, struct tb_rec_platform *out)
{
	uint32_t regs[4];
	char first[12], sig[12];
	platform_cpuid(probe, PLATFORM_LEAF_HV_FIRST, 0, regs);
	platform_signature(regs[PLATFORM_EBX], regs[PLATFORM_ECX], regs[PLATFORM_EDX], first);
	for (uint32_t leaf = PLATFORM_LEAF_HV_FIRST; leaf < PLATFORM_LEAF_HV_END;
	     leaf += PLATFORM_LEAF_HV_STEP) {
		platform_cpuid(probe, leaf, 0, regs);
		platform_signature(regs[PLATFORM_EBX], regs[PLATFORM_ECX], regs[PLATFORM_EDX], sig);
		if (!platform_sig_is(sig, "XenVMMXenVMM"))
			continue;
		out->kind = TB_PLATFORM_XEN_HVM;
		out->hypervisor_leaf = leaf;
		util_memcpy(out->hypervisor_signature, sig, 12);
		if (leaf != PLATFORM_LEAF_HV_FIRST && platform_sig_is(first, "Microsoft Hv"))
			out->flags |= TB_PLATFORM_F_VIRIDIAN;
		return;
	}
	if (platform_sig_empty(first))
		return;
	out->hypervisor_leaf = PLATFORM_LEAF_HV_FIRST;
	util_memcpy(out->hypervisor_signature, first, 12);
	/* QEMU without KVM (TCG) behaves like KVM for everything the handoff cares about. */
	if (platform_sig_is(first, "KVMKVMKVM\0\0\0") || platform_sig_is(first, "TCGTCGTCGTCG"))
		out->kind = TB_PLATFORM_KVM;
	else
		out->kind = TB_PLATFORM_OTHER_HV;
}

void platform_detect(const struct platform_probe *probe, struct tb_rec_platform *out)
{
	out->kind = TB_PLATFORM_NONE;
	out->flags = 0;
	out->hypervisor_leaf = 0;
	util_memset(out->hypervisor_signature, 0, sizeof out->hypervisor_signature);
	if (probe == NULL || probe->cpuid == NULL)
		return;
	uint32_t regs[4];
	platform_cpuid(probe, 0, 0, regs);
	uint32_t max_leaf = regs[PLATFORM_EAX];
	bool hypervisor = false;
	if (max_leaf >= 1) {
		platform_cpuid(probe, 1, 0, regs);
		hypervisor = (regs[PLATFORM_ECX] & PLATFORM_CPUID1_ECX_HYPERVISOR) != 0;
	}
	if (hypervisor)
		out->flags |= TB_PLATFORM_F_HYPERVISOR;
	bool tdx = platform_is_tdx(probe, max_leaf);
	/* A TDX guest has no AMD MSRs: do not probe them there. */
	if (!tdx)
		out->flags |= platform_sev_flags(probe);
	/* The hypervisor signature is recorded in every case (a TDX or SNP guest still runs on
	 * KVM, Xen, ...); the confidential kinds then take precedence over it. */
	if (hypervisor)
		platform_hypervisor(probe, out);
	if (tdx)
		out->kind = TB_PLATFORM_TDX;
	else if (out->flags & TB_PLATFORM_F_SEV_SNP)
		out->kind = TB_PLATFORM_SEV_SNP;
}
