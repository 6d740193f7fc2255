/* desc.h: the kernel's own GDT and IDT (exception handlers that report and fail the run). */
#ifndef KERNEL_DESC_H
#define KERNEL_DESC_H

#include <stdint.h>

/* Same selectors as the loader's GDT, so the AP trampoline and the entry agree. */
#define DESC_KERNEL_CS 0x08u
#define DESC_KERNEL_DS 0x10u
#define DESC_KERNEL_CS32 0x18u

/* Registers as the exception stubs in isr.S push them (lowest address first). */
struct desc_exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Build the GDT and IDT once (BSP). */
void desc_init(void);
/* Load them on the calling CPU (BSP and every AP). */
void desc_load(void);
/* Called from isr.S with the frame of any CPU exception; never returns. */
__attribute__((noreturn)) void desc_exception(struct desc_exception_frame *frame);

/* isr.S */
extern const uint64_t desc_isr_table[32];
void desc_load_tables(const void *gdtr, const void *idtr);

#endif
