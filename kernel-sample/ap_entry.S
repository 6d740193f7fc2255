/* ap_entry.S: how application processors reach the kernel: the real-mode INIT-SIPI trampoline,
 * the ACPI MP wakeup vector, and the common 64-bit entry that gives each AP a stack. */

#define SMP_AP_STACK_SIZE 8192
#define SMP_MAX_APS 63

/* ---------------------------------------------------------------------------------------- */
/* Real-mode trampoline, copied to a page below 1 MiB (a STARTUP IPI starts the AP at        */
/* CS = page >> 4, IP = 0 in real mode; Intel SDM vol. 3A 8.4.4.1). Position independent:   */
/* it finds its own base from CS and patches its far pointers.                               */
/* ---------------------------------------------------------------------------------------- */
	.section .rodata
	.balign 16
	.globl smp_trampoline_start, smp_trampoline_end, smp_trampoline_cr3
	.code16
smp_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx
	leal (tramp_gdt - smp_trampoline_start)(%ebx), %eax
	movl %eax, (tramp_gdtr + 2 - smp_trampoline_start)
	leal (tramp_pm32 - smp_trampoline_start)(%ebx), %eax
	movl %eax, (tramp_far32 - smp_trampoline_start)
	lgdtl (tramp_gdtr - smp_trampoline_start)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl *(tramp_far32 - smp_trampoline_start)

	.code32
tramp_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	/* CR4.PAE, CR3 = the kernel's PML4 (below 4 GiB), EFER.LME, then CR0.PG with caching on
	 * (INIT leaves CD and NW set). Intel SDM vol. 3A 9.8.5. */
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl (smp_trampoline_cr3 - smp_trampoline_start)(%ebx), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	leal (tramp_lm64 - smp_trampoline_start)(%ebx), %eax
	movl %eax, (tramp_far64 - smp_trampoline_start)(%ebx)
	movl %cr0, %eax
	andl $0x9FFFFFFF, %eax
	orl $0x80000001, %eax
	movl %eax, %cr0
	ljmpl *(tramp_far64 - smp_trampoline_start)(%ebx)

	.code64
tramp_lm64:
	/* No R8 from a parker on this path. */
	movl $0xFFFFFFFF, %esi
	movq tramp_entry64(%rip), %rax
	jmp *%rax

	.balign 16
tramp_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF	/* 0x08 64-bit code */
	.quad 0x00CF92000000FFFF	/* 0x10 data */
	.quad 0x00CF9A000000FFFF	/* 0x18 32-bit code */
tramp_gdtr:
	.word 4 * 8 - 1
	.long 0				/* patched: physical address of tramp_gdt */
	.balign 8
tramp_far32:
	.long 0				/* patched: physical address of tramp_pm32 */
	.word 0x18
	.balign 8
tramp_far64:
	.long 0				/* patched: physical address of tramp_lm64 */
	.word 0x08
	.balign 8
smp_trampoline_cr3:
	.long 0				/* written by the BSP in the copy */
	.long 0
tramp_entry64:
	.quad smp_ap_common64
smp_trampoline_end:

/* ---------------------------------------------------------------------------------------- */
/* ACPI MP wakeup vector (ACPI 6.4 5.2.12.19): the AP arrives in long mode on the firmware's */
/* (or parker's) page tables, which identity-map this code at its physical address. Load the */
/* kernel's CR3 (which identity-maps the kernel image too) and jump to the higher half.      */
/* ---------------------------------------------------------------------------------------- */
	.text
	.code64
	.balign 16
	.globl smp_mailbox_entry
smp_mailbox_entry:
	cli
	/* The parker passes the APIC ID in R8 (TDVF, tagboot's ap-park): smp_ap_main checks it. */
	movl %r8d, %esi
	/* RIP-relative: at the physical address this reads the physical copy of the variable,
	 * since kernel.ld keeps one VMA-LMA offset for all sections. */
	movq smp_kernel_cr3(%rip), %rax
	movq %rax, %cr3
	movabsq $smp_ap_common64, %rax
	jmp *%rax

/* Both paths: on the kernel's page tables, in the higher half. Take a stack slot, load the
 * kernel's GDT and IDT (in smp_ap_main), check in. ESI = the parker's R8 or 0xFFFFFFFF. */
	.balign 16
smp_ap_common64:
	cli
	cld
	movl $1, %eax
	lock xaddl %eax, smp_ap_next_slot(%rip)
	cmpl $SMP_MAX_APS, %eax
	jae 2f
	movl %eax, %edi
	leal 1(%eax), %eax
	imull $SMP_AP_STACK_SIZE, %eax
	leaq smp_ap_stacks(%rip), %rsp
	addq %rax, %rsp
	xorl %ebp, %ebp
	call smp_ap_main
2:	cli
	hlt
	jmp 2b

	.data
	.balign 8
	.globl smp_kernel_cr3, smp_ap_next_slot
smp_kernel_cr3:
	.quad 0
smp_ap_next_slot:
	.long 0

	.bss
	.balign 4096
	.globl smp_ap_stacks
smp_ap_stacks:
	.skip SMP_AP_STACK_SIZE * SMP_MAX_APS

	.section .note.GNU-stack,"",@progbits
