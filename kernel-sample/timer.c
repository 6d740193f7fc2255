/* timer.c: TSC calibration with PIT channel 2 (the gate on port 0x61), and TSC deadlines. */
#include "timer.h"

#include "console.h"
#include "cpu.h"

/* i8254 PIT (Intel 82C54 datasheet; PC/AT wiring): input clock 1193182 Hz, channel 2 data port
 * 0x42, mode/command port 0x43; port 0x61 bit 0 = channel 2 gate, bit 1 = speaker enable,
 * bit 5 = channel 2 output. */
#define TIMER_PIT_HZ 1193182ull
#define TIMER_PIT_CH2 0x42u
#define TIMER_PIT_CMD 0x43u
#define TIMER_PORT_B 0x61u
#define TIMER_CALIBRATE_MS 10ull
#define TIMER_CALIBRATE_TRIES 5
/* Used if the PIT never answers: high enough that waits stay at least as long as meant on
 * any CPU of this century (a too-fast guess only makes waits longer). */
#define TIMER_FALLBACK_TSC_PER_MS 5000000ull

static uint64_t timer_rate = TIMER_FALLBACK_TSC_PER_MS;
static uint64_t timer_start;

/* TSC ticks over one 10 ms PIT countdown, or 0 if the PIT never answered. */
static uint64_t timer_measure(void)
{
	uint16_t count = (uint16_t)(TIMER_PIT_HZ * TIMER_CALIBRATE_MS / 1000);
	/* Gate on, speaker off; channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count):
	 * writing the count (re)starts the countdown. */
	cpu_outb(TIMER_PORT_B, (uint8_t)((cpu_inb(TIMER_PORT_B) & ~0x02u) | 0x01u));
	cpu_outb(TIMER_PIT_CMD, 0xB0);
	cpu_outb(TIMER_PIT_CH2, (uint8_t)count);
	/* Read before the high byte starts the countdown: a delay anywhere can then only make
	 * the measurement longer. */
	uint64_t begin = cpu_rdtsc();
	cpu_outb(TIMER_PIT_CH2, (uint8_t)(count >> 8));
	/* Bounded: tens of thousands of reads are expected; a silent PIT must not hang us. */
	for (uint32_t spin = 0; spin < 50000000u; spin++)
		if (cpu_inb(TIMER_PORT_B) & 0x20u)
			return cpu_rdtsc() - begin;
	return 0;
}

void timer_init(void)
{
	/* A vCPU descheduled by a busy host while the PIT counts makes a measurement too long
	 * (never too short, see timer_measure): keep the shortest of a few, or the bounded
	 * waits stretch many times over (a 3 s wait became minutes on a loaded 2-core host). */
	uint64_t best = 0;
	for (int i = 0; i < TIMER_CALIBRATE_TRIES; i++) {
		uint64_t ticks = timer_measure();
		if (ticks >= TIMER_CALIBRATE_MS * 1000 && (best == 0 || ticks < best))
			best = ticks;
	}
	if (best != 0)
		timer_rate = best / TIMER_CALIBRATE_MS;
	else
		kprint("timer: PIT calibration failed, assuming %lu TSC ticks per ms\n", timer_rate);
	timer_start = cpu_rdtsc();
}

uint64_t timer_tsc_per_ms(void)
{
	return timer_rate;
}

uint64_t timer_deadline_us(uint64_t us)
{
	return cpu_rdtsc() + us * timer_rate / 1000;
}

bool timer_expired(uint64_t deadline)
{
	return (int64_t)(cpu_rdtsc() - deadline) >= 0;
}

void timer_delay_us(uint64_t us)
{
	uint64_t deadline = timer_deadline_us(us);
	while (!timer_expired(deadline))
		cpu_pause();
}

uint64_t timer_elapsed_ms(void)
{
	return (cpu_rdtsc() - timer_start) / timer_rate;
}
