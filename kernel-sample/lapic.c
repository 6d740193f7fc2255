/* lapic.c: local APIC ICR access for the INIT-SIPI-SIPI AP start-up sequence. */
#include "lapic.h"

#include "cpu.h"
#include "timer.h"

/* xAPIC register offsets (Intel SDM vol. 3A table 10-1) and x2APIC MSRs (table 10-6). */
#define LAPIC_REG_SVR 0xF0u
#define LAPIC_REG_ICR_LOW 0x300u
#define LAPIC_REG_ICR_HIGH 0x310u
#define LAPIC_MSR_SVR 0x80Fu
#define LAPIC_MSR_ICR 0x830u
/* ICR fields (Intel SDM vol. 3A 10.6.1): delivery mode INIT = 5, STARTUP = 6 (bits 8-10),
 * level assert (bit 14), delivery status (bit 12, xAPIC only). */
#define LAPIC_ICR_INIT 0x00000500u
#define LAPIC_ICR_STARTUP 0x00000600u
#define LAPIC_ICR_ASSERT 0x00004000u
#define LAPIC_ICR_PENDING 0x00001000u
#define LAPIC_SVR_ENABLE 0x100u

static volatile uint32_t *lapic_mmio;
static bool lapic_x2apic;

static uint32_t lapic_read(uint32_t reg)
{
	return lapic_mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t value)
{
	lapic_mmio[reg / 4] = value;
}

void lapic_init(uint64_t mmio_phys)
{
	lapic_x2apic = (cpu_rdmsr(CPU_MSR_APIC_BASE) & CPU_APIC_BASE_X2APIC) != 0;
	lapic_mmio = (volatile uint32_t *)(uintptr_t)mmio_phys;
	/* Software-enable the APIC (spurious vector 0xFF); interrupts stay off (IF = 0). */
	if (lapic_x2apic)
		cpu_wrmsr(LAPIC_MSR_SVR, cpu_rdmsr(LAPIC_MSR_SVR) | LAPIC_SVR_ENABLE | 0xFF);
	else
		lapic_write(LAPIC_REG_SVR, lapic_read(LAPIC_REG_SVR) | LAPIC_SVR_ENABLE | 0xFF);
}

bool lapic_is_x2apic(void)
{
	return lapic_x2apic;
}

static bool lapic_wait_idle(void)
{
	if (lapic_x2apic)
		return true;
	uint64_t deadline = timer_deadline_us(100000);
	while (lapic_read(LAPIC_REG_ICR_LOW) & LAPIC_ICR_PENDING) {
		if (timer_expired(deadline))
			return false;
		cpu_pause();
	}
	return true;
}

static bool lapic_send(uint32_t apic_id, uint32_t low)
{
	if (lapic_x2apic) {
		cpu_wrmsr(LAPIC_MSR_ICR, ((uint64_t)apic_id << 32) | low);
		return true;
	}
	if (!lapic_wait_idle())
		return false;
	lapic_write(LAPIC_REG_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_REG_ICR_LOW, low);
	return lapic_wait_idle();
}

bool lapic_start_ap(uint32_t apic_id, uint8_t vector_page)
{
	if (!lapic_send(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT))
		return false;
	/* 10 ms after INIT, 200 us between the STARTUPs (Intel SDM vol. 3A 8.4.4.1). */
	timer_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		if (!lapic_send(apic_id, LAPIC_ICR_STARTUP | LAPIC_ICR_ASSERT | vector_page))
			return false;
		timer_delay_us(200);
	}
	return true;
}
