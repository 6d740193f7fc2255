/* isr.S: CPU exception entry stubs (vectors 0-31) and the GDT/IDT loader. */

/* Vectors that push an error code (Intel SDM vol. 3A table 6-1): 8, 10-14, 17, 21, 29, 30. */
.macro ISR_NOERR vector
isr_\vector:
	pushq $0
	pushq $\vector
	jmp isr_common
.endm

.macro ISR_ERR vector
isr_\vector:
	pushq $\vector
	jmp isr_common
.endm

	.text
	.code64
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31

/* Save the registers in struct desc_exception_frame order and report; never returns. */
isr_common:
	cld
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	andq $-16, %rsp
	call desc_exception
1:	cli
	hlt
	jmp 1b

/* void desc_load_tables(const void *gdtr, const void *idtr): lgdt, reload every segment
 * register (CS through a far return), lidt. */
	.globl desc_load_tables
desc_load_tables:
	lgdt (%rdi)
	lidt (%rsi)
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	popq %rax
	pushq $0x08
	pushq %rax
	lretq

	.section .rodata
	.balign 8
	.globl desc_isr_table
desc_isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\v
	.endr

	.section .note.GNU-stack,"",@progbits
