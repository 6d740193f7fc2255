/* test_platform.c: platform_detect against CPUID/MSR tables of bare metal, KVM, TCG, Hyper-V, Xen (plain and shifted), TDX and SEV guests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "platform.h"

/* One CPUID answer (subleaf 0); leaves not in the table answer all zeros, as CPUs do for
 * unimplemented hypervisor leaves. */
struct leaf {
	uint32_t leaf;
	uint32_t regs[4];
};

struct machine {
	struct leaf leaves[16];
	size_t n;
	bool has_msr;        /* read_msr succeeds */
	uint64_t sev_status; /* MSR 0xC0010131 */
	unsigned msr_reads;
	unsigned cpuid_calls;
};

static void fake_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	struct machine *m = ctx;
	m->cpuid_calls++;
	assert_int_equal(subleaf, 0);
	memset(regs, 0, 4 * sizeof regs[0]);
	for (size_t i = 0; i < m->n; i++)
		if (m->leaves[i].leaf == leaf)
			memcpy(regs, m->leaves[i].regs, 4 * sizeof regs[0]);
}

static bool fake_msr(void *ctx, uint32_t msr, uint64_t *value)
{
	struct machine *m = ctx;
	m->msr_reads++;
	assert_int_equal(msr, 0xC0010131u);
	if (!m->has_msr)
		return false;
	*value = m->sev_status;
	return true;
}

/* Four bytes of a string as the little-endian register CPUID returns them in. */
static uint32_t le4(const char *s)
{
	return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
	       (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

static void add(struct machine *m, uint32_t leaf, uint32_t eax, uint32_t ebx, uint32_t ecx,
                uint32_t edx)
{
	struct leaf *l = &m->leaves[m->n++];
	l->leaf = leaf;
	l->regs[0] = eax;
	l->regs[1] = ebx;
	l->regs[2] = ecx;
	l->regs[3] = edx;
}

/* A hypervisor leaf: EAX = highest leaf of this range, signature in EBX, ECX, EDX. */
static void add_hv(struct machine *m, uint32_t leaf, const char sig[12])
{
	add(m, leaf, leaf + 0x10, le4(sig), le4(sig + 4), le4(sig + 8));
}

/* Basic leaves of a CPU: max leaf and the hypervisor bit (CPUID.1:ECX[31]). */
static void base(struct machine *m, uint32_t max_leaf, bool hypervisor)
{
	memset(m, 0, sizeof *m);
	add(m, 0, max_leaf, le4("Genu"), le4("ntel"), le4("ineI"));
	add(m, 1, 0x000806f8, 0, hypervisor ? 0x80000000u | 0x00200000u : 0x00200000u, 0x0f8bfbff);
}

static void detect(struct machine *m, struct tb_rec_platform *out)
{
	struct platform_probe probe = { fake_cpuid, fake_msr, m };
	memset(out, 0xA5, sizeof *out);
	platform_detect(&probe, out);
}

static void expect_sig(const struct tb_rec_platform *p, const char sig[12])
{
	assert_memory_equal(p->hypervisor_signature, sig, 12);
	/* NUL padded past the 12 bytes. */
	for (int i = 12; i < 16; i++)
		assert_int_equal(p->hypervisor_signature[i], 0);
}

static void test_bare_metal(void **state)
{
	(void)state;
	struct machine m;
	struct tb_rec_platform p;
	base(&m, 0x16, false);
	/* A signature is present but the hypervisor bit is clear: it must not be believed. */
	add_hv(&m, 0x40000000, "KVMKVMKVM\0\0\0");
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_NONE);
	assert_int_equal(p.flags, 0);
	assert_int_equal(p.hypervisor_leaf, 0);
	expect_sig(&p, "\0\0\0\0\0\0\0\0\0\0\0\0");
	assert_int_equal(m.msr_reads, 0);
	/* Only the four identity fields are written: the EFI glue's fields keep their bytes. */
	assert_int_equal(p.firmware_revision, 0xA5A5A5A5u);
	assert_int_equal((uint8_t)p.firmware_vendor[0], 0xA5);
	assert_int_equal(p.hdr.size, 0xA5A5A5A5u);
}

static void test_kvm_and_tcg(void **state)
{
	(void)state;
	struct machine m;
	struct tb_rec_platform p;
	base(&m, 0x0d, true);
	add_hv(&m, 0x40000000, "KVMKVMKVM\0\0\0");
	/* Hand check of the packing: EBX holds "KVMK" = 4b 56 4d 4b read little-endian. */
	assert_int_equal(m.leaves[2].regs[1], 0x4b4d564b);
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_KVM);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR);
	assert_int_equal(p.hypervisor_leaf, 0x40000000);
	expect_sig(&p, "KVMKVMKVM\0\0\0");

	base(&m, 0x0d, true);
	add_hv(&m, 0x40000000, "TCGTCGTCGTCG");
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_KVM);
	expect_sig(&p, "TCGTCGTCGTCG");
}

static void test_other_hypervisors(void **state)
{
	(void)state;
	struct machine m;
	struct tb_rec_platform p;
	const char *sigs[] = { "Microsoft Hv", "VMwareVMware", "VBoxVBoxVBox", "bhyve bhyve " };
	for (size_t i = 0; i < 4; i++) {
		base(&m, 0x0d, true);
		add_hv(&m, 0x40000000, sigs[i]);
		detect(&m, &p);
		assert_int_equal(p.kind, TB_PLATFORM_OTHER_HV);
		assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR);
		assert_int_equal(p.hypervisor_leaf, 0x40000000);
		expect_sig(&p, sigs[i]);
	}
	/* Hypervisor bit without any signature: a hypervisor we cannot name. */
	base(&m, 0x0d, true);
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_NONE);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR);
	assert_int_equal(p.hypervisor_leaf, 0);
}

static void test_xen(void **state)
{
	(void)state;
	struct machine m;
	struct tb_rec_platform p;
	base(&m, 0x0d, true);
	add_hv(&m, 0x40000000, "XenVMMXenVMM");
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_XEN_HVM);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR);
	assert_int_equal(p.hypervisor_leaf, 0x40000000);
	expect_sig(&p, "XenVMMXenVMM");

	/* Viridian enabled: Hyper-V's signature first, Xen one step (0x100) up. */
	base(&m, 0x0d, true);
	add_hv(&m, 0x40000000, "Microsoft Hv");
	add_hv(&m, 0x40000100, "XenVMMXenVMM");
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_XEN_HVM);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR | TB_PLATFORM_F_VIRIDIAN);
	assert_int_equal(p.hypervisor_leaf, 0x40000100);
	expect_sig(&p, "XenVMMXenVMM");

	/* The last step of the scan range, 0x4000FF00, is still found. */
	base(&m, 0x0d, true);
	add_hv(&m, 0x4000FF00, "XenVMMXenVMM");
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_XEN_HVM);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR);
	assert_int_equal(p.hypervisor_leaf, 0x4000FF00);

	/* Off the 0x100 grid, or past the range, it is not Xen. */
	base(&m, 0x0d, true);
	add_hv(&m, 0x40000080, "XenVMMXenVMM");
	add_hv(&m, 0x40010000, "XenVMMXenVMM");
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_NONE);
}

static void test_tdx(void **state)
{
	(void)state;
	struct machine m;
	struct tb_rec_platform p;
	base(&m, 0x21, true);
	/* Leaf 0x21 spells "IntelTDX    " across EBX, EDX, ECX (note the order). */
	add(&m, 0x21, 0, le4("Inte"), le4("    "), le4("lTDX"));
	add_hv(&m, 0x40000000, "KVMKVMKVM\0\0\0");
	add(&m, 0x80000000, 0x80000008, 0, 0, 0);
	/* Even if an AMD-style leaf answered, a TDX guest must not touch the AMD MSR. */
	add(&m, 0x8000001F, 0x2, 0, 0, 0);
	m.has_msr = true;
	m.sev_status = 0x7;
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_TDX);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR);
	assert_int_equal(p.hypervisor_leaf, 0x40000000);
	expect_sig(&p, "KVMKVMKVM\0\0\0");
	assert_int_equal(m.msr_reads, 0);

	/* The same leaf beyond the reported maximum (0x20) is not looked at. */
	m.leaves[0].regs[0] = 0x20;
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_KVM);

	/* Registers in the wrong order spell "IntelTDX" differently: not TDX. */
	base(&m, 0x21, true);
	add(&m, 0x21, 0, le4("Inte"), le4("lTDX"), le4("    "));
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_NONE);
}

static void sev_machine(struct machine *m, uint64_t status)
{
	base(m, 0x10, true);
	memcpy(&m->leaves[0].regs[1], "Auth", 4);
	add_hv(m, 0x40000000, "KVMKVMKVM\0\0\0");
	add(m, 0x80000000, 0x80000021, 0, 0, 0);
	/* EAX of 0x8000001F on an SNP-capable EPYC: SME, SEV, page flush, SEV-ES, SNP, ... */
	add(m, 0x8000001F, 0x0001007f, 0x00000173, 0x000001fd, 0x00000001);
	m->has_msr = true;
	m->sev_status = status;
}

static void test_sev(void **state)
{
	(void)state;
	struct machine m;
	struct tb_rec_platform p;
	sev_machine(&m, 0x7); /* SEV | SEV-ES | SNP */
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_SEV_SNP);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR | TB_PLATFORM_F_SEV |
	                          TB_PLATFORM_F_SEV_ES | TB_PLATFORM_F_SEV_SNP);
	expect_sig(&p, "KVMKVMKVM\0\0\0");
	assert_int_equal(m.msr_reads, 1);

	sev_machine(&m, 0x3); /* SEV-ES without SNP: flags only, the kind is the hypervisor's */
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_KVM);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR | TB_PLATFORM_F_SEV | TB_PLATFORM_F_SEV_ES);

	sev_machine(&m, 0x1);
	detect(&m, &p);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR | TB_PLATFORM_F_SEV);

	/* The MSR read fails, or there is no MSR callback: nothing is claimed. */
	sev_machine(&m, 0x7);
	m.has_msr = false;
	detect(&m, &p);
	assert_int_equal(p.kind, TB_PLATFORM_KVM);
	assert_int_equal(p.flags, TB_PLATFORM_F_HYPERVISOR);
	sev_machine(&m, 0x7);
	struct platform_probe probe = { fake_cpuid, NULL, &m };
	platform_detect(&probe, &p);
	assert_int_equal(p.kind, TB_PLATFORM_KVM);

	/* CPUID says no SEV (EAX bit 1 clear): the MSR is not read. */
	sev_machine(&m, 0x7);
	m.leaves[4].regs[0] = 0x1; /* SME only */
	detect(&m, &p);
	assert_int_equal(m.msr_reads, 0);
	assert_int_equal(p.kind, TB_PLATFORM_KVM);

	/* Leaf 0x8000001F above the extended maximum: not read either. */
	sev_machine(&m, 0x7);
	m.leaves[3].regs[0] = 0x8000001E;
	detect(&m, &p);
	assert_int_equal(m.msr_reads, 0);
}

static void test_null_probe(void **state)
{
	(void)state;
	struct tb_rec_platform p;
	memset(&p, 0xA5, sizeof p);
	platform_detect(NULL, &p);
	assert_int_equal(p.kind, TB_PLATFORM_NONE);
	assert_int_equal(p.flags, 0);
	assert_int_equal(p.hypervisor_leaf, 0);
	struct platform_probe probe = { NULL, NULL, NULL };
	platform_detect(&probe, &p);
	assert_int_equal(p.kind, TB_PLATFORM_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_metal),
		cmocka_unit_test(test_kvm_and_tcg),
		cmocka_unit_test(test_other_hypervisors),
		cmocka_unit_test(test_xen),
		cmocka_unit_test(test_tdx),
		cmocka_unit_test(test_sev),
		cmocka_unit_test(test_null_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
