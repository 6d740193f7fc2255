/* jump.S: the last step of a native boot: loader GDT, CR3 and stack, then the handoff kernel (RDI = handoff) or Linux (RSI = boot_params). */

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


/* void jump_to_linux(gdtr, cr3, stack_top, boot_params, entry): the 64-bit entry of
 * Documentation/arch/x86/boot.rst: long mode, the loader's identity map (it covers the kernel,
 * boot_params and the command line), a GDT with flat 4 GiB segments, CS = __BOOT_CS (0x10),
 * DS = ES = SS = __BOOT_DS (0x18), interrupts off, RSI = boot_params. Arguments as above:
 * RDI = GDTR, RSI = CR3, RDX = stack top, RCX = boot_params, R8 = entry. */
	.text
	.code64
	.globl jump_to_linux
jump_to_linux:
	cli
	cld
	lgdt (%rdi)
	movl $0x18, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	leaq 1f(%rip), %rax
	pushq $0x10
	pushq %rax
	lretq
1:
	movq %rsi, %cr3
	movq %rdx, %rsp
	movq %rcx, %rsi
	xorl %edi, %edi
	xorl %ebp, %ebp
	xorl %ebx, %ebx
	pushq $0
	jmp *%r8

	.section .note.GNU-stack,"",@progbits
