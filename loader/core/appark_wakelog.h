/* appark_wakelog.h: the wakeup log parked APs keep in the mailbox's firmware half (macros only: included by C, assembly and the guest test). */
#ifndef TAGBOOT_APPARK_WAKELOG_H
#define TAGBOOT_APPARK_WAKELOG_H

/* The mailbox's firmware half (offset 0x800, ACPI 6.4 5.2.12.19: for firmware use) is the
 * loop's wakeup log, so that a kernel or a test can prove how its APs were started: a woken
 * AP adds its APIC ID to the list and the vector it jumped to, before it acknowledges the
 * command. An AP started any other way (INIT-SIPI) leaves no entry. docs/linux.md. */
#define APPARK_WAKE_LOG 0x800                        /* u32 magic "TBWK" */
#define APPARK_WAKE_MAGIC 0x4b574254
#define APPARK_WAKE_COUNT (APPARK_WAKE_LOG + 4)      /* u32 wakeups, each AP adds 1 */
#define APPARK_WAKE_VECTOR (APPARK_WAKE_LOG + 8)     /* u64 the last wakeup vector */
#define APPARK_WAKE_IDS (APPARK_WAKE_LOG + 16)       /* u32 APIC IDs in wakeup order */
#define APPARK_WAKE_MAX ((4096 - APPARK_WAKE_IDS) / 4)
#endif /* TAGBOOT_APPARK_WAKELOG_H */
