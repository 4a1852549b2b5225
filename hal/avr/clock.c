/* Millisecond clock: Timer0 in CTC mode, prescaler 64, 250 counts -> exactly 1 kHz at 16 MHz. */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>
#include "hal.h"

static volatile u32 ms;

void clock_init(void) {
  TCCR0A = _BV(WGM01);
  TCCR0B = _BV(CS01) | _BV(CS00);
  OCR0A = (uint8_t)(F_CPU / 64 / 1000 - 1);
  TIMSK0 = _BV(OCIE0A);
}

ISR(TIMER0_COMPA_vect) {
  ms++;
}

u32 hal_millis(void) {
  u32 now;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { now = ms; }
  return now;
}
