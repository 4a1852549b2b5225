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

/* Microseconds, to 4 us (a Timer0 count), modulo 65536: for timing waits shorter than 65 ms by
   difference, (uint16_t)(clock_us16() - then) >= us. 16 bits keep it a few cycles. */
uint16_t clock_us16(void) {
  uint16_t now;
  uint8_t count, pending;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
    now = (uint16_t)ms;
    count = TCNT0;
    pending = TIFR0 & _BV(OCF0A);
  }
  /* A compare match while interrupts were off: its millisecond is not counted yet. */
  if (pending && count < 125) now++;
  return (uint16_t)(now * 1000u + count * 4u);
}
