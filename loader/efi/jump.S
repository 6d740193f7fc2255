/* jump.S: the last step of a native boot: the loader's GDT, CR3 and stack, then the kernel's entry with its argument. */

/* void jump_to_kernel(gdtr, cr3, stack_top, arg, entry, selectors): SysV arguments
 * RDI = GDTR address, RSI = CR3, RDX = stack top, RCX = the kernel's argument, R8 = entry,
 * R9 = code selector (bits 0-15) | data selector (bits 16-31). The argument goes into both
 * RDI (a handoff kernel's handoff, docs/handoff.md) and RSI (Linux's boot_params,
 * Documentation/arch/x86/boot.rst 64-bit entry): each protocol reads its own register. Boot
 * services are gone; the loader's code and stack stay reachable because the new tables
 * identity map all of RAM. */
	.text
	.code64
	.globl jump_to_kernel
jump_to_kernel:
	cli
	cld
	lgdt (%rdi)
	movl %r9d, %eax
	shrl $16, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	/* Reload CS through a far return. */
	movzwl %r9w, %eax
	leaq 1f(%rip), %r10
	pushq %rax
	pushq %r10
	lretq
1:
	movq %rsi, %cr3
	movq %rdx, %rsp
	movq %rcx, %rdi
	movq %rcx, %rsi
	xorl %ebp, %ebp
	xorl %ebx, %ebx
	/* The kernel is entered as if called: RSP + 8 is 16-byte aligned. */
	pushq $0
	jmp *%r8

	.section .note.GNU-stack,"",@progbits
