/* timer.h: TSC calibrated against the PIT, for bounded waits. */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

/* Measure the TSC rate with PIT channel 2; falls back to an assumed rate if the PIT is silent. */
void timer_init(void);
uint64_t timer_tsc_per_ms(void);
/* TSC value `us` microseconds from now. */
uint64_t timer_deadline_us(uint64_t us);
bool timer_expired(uint64_t deadline);
void timer_delay_us(uint64_t us);
/* Milliseconds since timer_init. */
uint64_t timer_elapsed_ms(void);

#endif
