/* appark.S: the code parked APs run: real-mode trampoline (SIPI vector) to long mode, then a loop polling the MP wakeup mailbox. */

/*
 * Two blobs, copied by the BSP (appark_efi.c) into the parking area (loader/core/appark.h):
 * appark_tramp_* into the trampoline page below 1 MiB, appark_loop_* into the code page
 * below 4 GiB. The BSP fills every parameter field before the first STARTUP IPI. Nothing
 * here refers to an absolute address: the 16- and 32-bit parts address their page through
 * EBX = CS << 4, the 64-bit parts are RIP-relative, and far pointers and table bases are
 * filled in by the BSP.
 */

#include "tagboot_wakelog.h"

/* appark.h APPARK_PT_PAGES (that header is C) */
#define APPARK_PT_PAGES_ASM 6

	.text

/* ---------------------------------------------------------------------------------------- */
/* Trampoline: a STARTUP IPI starts the AP in real mode at CS = page >> 4, IP = 0 (Intel SDM */
/* vol. 3A 8.4.4.1).                                                                          */
/* ---------------------------------------------------------------------------------------- */
	.balign 16
	.globl appark_tramp_start, appark_tramp_end, appark_tramp_pm32, appark_tramp_lm64
	.globl appark_tramp_gdt, appark_tramp_gdtr, appark_tramp_far32, appark_tramp_far64
	.globl appark_tramp_cr3, appark_tramp_loop

	.code16
appark_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx
	lgdtl (appark_tramp_gdtr - appark_tramp_start)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl *(appark_tramp_far32 - appark_tramp_start)

	.code32
appark_tramp_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	/* PAE, CR3 = the parking tables, EFER.LME, then paging with caching on (INIT leaves
	 * CR0.CD and NW set). */
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl (appark_tramp_cr3 - appark_tramp_start)(%ebx), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	andl $0x9FFFFFFF, %eax
	orl $0x80000001, %eax
	movl %eax, %cr0
	ljmpl *(appark_tramp_far64 - appark_tramp_start)(%ebx)

	.code64
appark_tramp_lm64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movq appark_tramp_loop(%rip), %rax
	jmp *%rax

	/* 0x08 64-bit code, 0x10 data, 0x18 32-bit code (for the step out of real mode). */
	.balign 16
appark_tramp_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF
	.quad 0x00CF92000000FFFF
	.quad 0x00CF9A000000FFFF
appark_tramp_gdtr:
	.word 4 * 8 - 1
	.long 0                 /* filled: physical address of appark_tramp_gdt */
	.balign 8
appark_tramp_far32:
	.long 0                 /* filled: physical address of appark_tramp_pm32 */
	.word 0x18
	.balign 8
appark_tramp_far64:
	.long 0                 /* filled: physical address of appark_tramp_lm64 */
	.word 0x08
	.balign 8
appark_tramp_cr3:
	.long 0                 /* filled: the parking PML4 (below 4 GiB) */
	.long 0
appark_tramp_loop:
	.quad 0                 /* filled: physical address of appark_loop_start */
appark_tramp_end:

/* ---------------------------------------------------------------------------------------- */
/* The loop, in long mode on the parking tables: own GDT and IDT, APIC ID in R8, a stack,    */
/* report in, then poll the mailbox (ACPI 6.4 5.2.12.19).                                     */
/* ---------------------------------------------------------------------------------------- */
	.balign 16
	.globl appark_loop_start, appark_loop_end, appark_loop_stop, appark_loop_gdt
	.globl appark_loop_gdtr, appark_loop_idtr, appark_loop_params, appark_loop_arrived
	.globl lp_code_end

appark_loop_start:
	/* From here on nothing below 1 MiB is used: the trampoline's GDT is replaced (the
	 * segment caches stay valid), and an exception halts this CPU instead of shutting it
	 * down (on QEMU a shutdown of any CPU resets the whole machine), as long as this page
	 * and the parking page tables are intact. */
	lgdt appark_loop_gdtr(%rip)
	lidt appark_loop_idtr(%rip)

	/* R8 = own APIC ID: CPUID leaf 0xB (x2APIC ID) when present and valid (EBX != 0),
	 * else CPUID.1:EBX[31:24]. */
	xorl %eax, %eax
	cpuid
	cmpl $0xB, %eax
	jb 1f
	movl $0xB, %eax
	xorl %ecx, %ecx
	cpuid
	testl %ebx, %ebx
	jz 1f
	movl %edx, %r8d
	jmp 2f
1:	movl $1, %eax
	cpuid
	shrl $24, %ebx
	movl %ebx, %r8d
2:
	/* A stack slot of our own; more CPUs than slots: stop. */
	movl $1, %eax
	lock xaddl %eax, lp_next_slot(%rip)
	cmpl lp_max_slots(%rip), %eax
	jae appark_loop_stop
	movl %eax, %ecx
	leaq 1(%rcx), %rdx
	imulq lp_stack_size(%rip), %rdx
	addq lp_stacks(%rip), %rdx
	movq %rdx, %rsp
	xorl %ebp, %ebp
	/* The canary at the bottom of this stack; R12 keeps its address for the wakeup check. */
	movq %rsp, %r12
	subq lp_stack_size(%rip), %r12
	movabsq $TB_WAKELOG_STACK_CANARY, %r10
	movq %r10, (%r12)
	/* Report in: the APIC ID in this slot of the arrival list, then the count. */
	movq lp_arrived_ids(%rip), %rdx
	movl %r8d, (%rdx,%rcx,4)
	lock incl appark_loop_arrived(%rip)

	movq lp_mailbox(%rip), %rsi
lp_poll:
	pause
	/* command (u16) and the reserved u16 after it, in one read */
	movl (%rsi), %eax
	testl %eax, %eax
	jz lp_poll
	/* No OS writes a command other than 0, 1, 2 or sets the reserved field: the mailbox has
	 * been overwritten, and so, probably, will the rest of this memory. Stop for good. */
	cmpl $2, %eax
	ja appark_loop_stop
	cmpl 4(%rsi), %r8d
	jne lp_poll
	cmpl $1, %eax
	jne lp_test
	/* Wakeup: read the vector before acknowledging (the OS may reuse the mailbox at once),
	 * check what this AP runs on (lp_selfcheck, on this AP's stack), log the wakeup in the
	 * firmware half (tagboot_wakelog.h), acknowledge. Then jump in long mode on these page
	 * tables with R8 = APIC ID, as TDVF does; or, when a check failed, stop here rather than
	 * run on destroyed memory. */
	movq 8(%rsi), %rax
	pushq %rax
	call lp_selfcheck
	popq %rax
	movl $1, %ecx
	lock xaddl %ecx, TB_WAKELOG_COUNT(%rsi)
	cmpl $TB_WAKELOG_MAX, %ecx
	jae 3f
	movl %r8d, TB_WAKELOG_ENTRIES(%rsi,%rcx,8)
	movl %edx, TB_WAKELOG_ENTRY_CHECKS(%rsi,%rcx,8)
3:	movq %rax, TB_WAKELOG_VECTOR(%rsi)
	movw $0, (%rsi)
	cmpl $TB_WAKELOG_CHECK_ALL, %edx
	jne appark_loop_stop
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	jmp *%rax
lp_test:
	/* Test (ACPI 6.6): acknowledge and stay parked. */
	movw $0, (%rsi)
	jmp lp_poll

	/* EDX = the TB_WAKELOG_CHECK_* bits that hold. Uses RCX, RDI, R9, R10; R12 = stack canary. */
lp_selfcheck:
	xorl %edx, %edx
	/* Page tables: 6 pages of entries, accessed and dirty bits (5, 6) masked, added up. */
	movq lp_pt_base(%rip), %rdi
	movl $(APPARK_PT_PAGES_ASM * 512), %ecx
	xorl %r9d, %r9d
1:	movq (%rdi), %r10
	andq $~0x60, %r10
	addq %r10, %r9
	addq $8, %rdi
	decl %ecx
	jnz 1b
	cmpq lp_pt_sum(%rip), %r9
	jne 2f
	orl $TB_WAKELOG_CHECK_PAGE_TABLES, %edx
2:	movabsq $TB_WAKELOG_STACK_CANARY, %r10
	cmpq (%r12), %r10
	jne 3f
	orl $TB_WAKELOG_CHECK_STACK, %edx
3:	/* The loop's instructions, h = h * 31 + byte. */
	leaq appark_loop_start(%rip), %rdi
	leaq lp_code_end(%rip), %rcx
	xorl %r9d, %r9d
4:	imulq $31, %r9, %r9
	movzbl (%rdi), %r10d
	addq %r10, %r9
	incq %rdi
	cmpq %rcx, %rdi
	jb 4b
	cmpq lp_code_sum(%rip), %r9
	jne 5f
	orl $TB_WAKELOG_CHECK_CODE, %edx
5:	ret

	/* Every exception vector of the parking IDT lands here too. */
appark_loop_stop:
	cli
	hlt
	jmp appark_loop_stop
lp_code_end:

	/* 0x08 64-bit code, 0x10 data: what the IDT gates and the segment caches refer to. */
	.balign 16
appark_loop_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF
	.quad 0x00CF92000000FFFF
	.balign 8
	.word 0, 0, 0
appark_loop_gdtr:
	.word 3 * 8 - 1
	.quad 0                 /* filled: physical address of appark_loop_gdt */
	.balign 8
	.word 0, 0, 0
appark_loop_idtr:
	.word 0                 /* filled: IDT limit */
	.quad 0                 /* filled: IDT base */
	/* Filled by the BSP, in this order (struct appark_efi_params). */
	.balign 8
appark_loop_params:
lp_stacks:
	.quad 0
lp_stack_size:
	.quad 0
lp_mailbox:
	.quad 0
lp_arrived_ids:
	.quad 0
lp_pt_base:
	.quad 0
lp_pt_sum:
	.quad 0
lp_code_sum:
	.quad 0
lp_max_slots:
	.long 0
lp_next_slot:
	.long 0
appark_loop_arrived:
	.long 0
	.long 0
appark_loop_end:

	.section .note.GNU-stack,"",@progbits
