/* tagboot_wakelog.h: the wakeup log tagboot-parked APs keep in the mailbox's firmware half, for kernels that check how their APs started (macros only: C and assembly). */
#ifndef TAGBOOT_WAKELOG_H
#define TAGBOOT_WAKELOG_H

/* The mailbox's firmware half (offset 0x800, ACPI 6.4 5.2.12.19: for firmware use) is the
 * loop's wakeup log, so that a kernel or a test can prove how its APs were started and what
 * they ran on: a woken AP checks its parking memory (below), then adds one entry {APIC ID,
 * check bits} and the vector, before it acknowledges the command. An AP started any other way
 * (INIT-SIPI) leaves no entry. An AP whose check failed acknowledges and stops (cli; hlt)
 * instead of jumping. docs/linux.md, docs/handoff.md. */
#define TB_WAKELOG_LOG 0x800                        /* u32 magic "TBWK" */
#define TB_WAKELOG_MAGIC 0x4b574254
#define TB_WAKELOG_COUNT (TB_WAKELOG_LOG + 4)      /* u32 wakeups, each AP adds 1 */
#define TB_WAKELOG_VECTOR (TB_WAKELOG_LOG + 8)     /* u64 the last wakeup vector */
#define TB_WAKELOG_ENTRIES (TB_WAKELOG_LOG + 16)   /* {u32 APIC ID, u32 checks} in order */
#define TB_WAKELOG_ENTRY_CHECKS (TB_WAKELOG_ENTRIES + 4)
#define TB_WAKELOG_ENTRY_SIZE 8
#define TB_WAKELOG_MAX ((4096 - TB_WAKELOG_ENTRIES) / TB_WAKELOG_ENTRY_SIZE)
/* The checks a woken AP makes before it jumps (bits of an entry's second u32): */
#define TB_WAKELOG_CHECK_PAGE_TABLES 0x1 /* its page tables sum as the loader built them (A/D masked) */
#define TB_WAKELOG_CHECK_STACK 0x2       /* the canary at the bottom of its stack is intact */
#define TB_WAKELOG_CHECK_CODE 0x4        /* the loop's instructions sum as the loader copied them */
#define TB_WAKELOG_CHECK_ALL 0x7
/* The canary each AP writes at the lowest quadword of its stack when it arrives. */
#define TB_WAKELOG_STACK_CANARY 0x54424b4341545321
#endif /* TAGBOOT_WAKELOG_H */
