/* entry.S: kernel entry from tagboot: leave the loader's stack at once, clear .bss, call C. */

/* Entry state (docs/handoff.md): long mode, interrupts off, RDI = physical address of the
 * handoff (identity mapped), RSP = loader stack, CR3 = loader page tables, GDT 0x08/0x10. */
	.section .text.entry, "ax"
	.code64
	.globl _start
_start:
	cli
	cld
	/* rep stosb below needs RDI: keep the handoff address in a callee-saved register, and
	 * the loader's RSP for the stack check (verify.c), stored once .bss is cleared. */
	movq %rdi, %r12
	movq %rsp, %r13
	/* The loader zero-fills p_memsz past p_filesz, but a kernel should not rely on one loader. */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movq %r13, kernel_entry_rsp(%rip)
	/* Our own stack (in .bss, so in KERNEL memory): the loader stack is LOADER_RECLAIMABLE. */
	leaq kernel_boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	movq %r12, %rdi
	call kernel_main
1:	cli
	hlt
	jmp 1b

	.section .bss
	.balign 8
	.globl kernel_entry_rsp
kernel_entry_rsp:
	.skip 8
	.balign 4096
kernel_boot_stack:
	.skip 65536
kernel_boot_stack_top:

	.section .note.GNU-stack,"",@progbits
