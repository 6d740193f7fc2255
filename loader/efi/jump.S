/* jump.S: the last step of a native boot: loader GDT, CR3 and stack, RDI = handoff, jump. */

/* void jump_to_kernel(gdtr, cr3, stack_top, handoff, entry): SysV arguments
 * RDI = GDTR address, RSI = CR3, RDX = stack top, RCX = handoff, R8 = entry. Boot services
 * are gone; the loader's code and stack stay reachable because the new tables identity map
 * all of RAM. */
	.text
	.code64
	.globl jump_to_kernel
jump_to_kernel:
	cli
	cld
	lgdt (%rdi)
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	/* Reload CS with 0x08 through a far return. */
	leaq 1f(%rip), %rax
	pushq $0x08
	pushq %rax
	lretq
1:
	movq %rsi, %cr3
	movq %rdx, %rsp
	movq %rcx, %rdi
	xorl %ebp, %ebp
	/* The kernel is entered as if called: RSP + 8 is 16-byte aligned. */
	pushq $0
	jmp *%r8

	.section .note.GNU-stack,"",@progbits
