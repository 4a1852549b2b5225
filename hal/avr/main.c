/*
 * Reset, the main loop and the step interrupt. The firmware module is compiled into this file
 * (one translation unit) so avr-gcc can inline the module's step function into the interrupt.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/wdt.h>
#include "hal.h"
#include "plumb_module.c" /* generated: build/<board>/gen/ */

/*
 * Step timer: Timer1 free-running at F_CPU/8 = 2 MHz, compare A schedules the next tick.
 *
 * fw_stepperIsr() returns one word about the *next* tick:
 *   bits  0..7   step-port bits to pulse at that tick,
 *   bits  8..15  direction-port bits to set now (well before that tick: setup time),
 *   bits 16..31  timer ticks from this tick to that one.
 * The pulse for this tick was computed last time, so the rising edge comes at a constant
 * latency after the compare match, and the pin stays high while the next word is computed
 * (>= 1 us, which the simulator checks). Ticks closer than STEP_MIN_GAP are run back to back
 * in this interrupt: that is how the firmware steps more than once per interrupt.
 */
#define STEP_MIN_GAP 24      /* ticks (12 us): a tick closer than this is run now */
#define STEP_MAX_BURST 16    /* ticks per interrupt at most, so the main loop always runs */
#define STEP_IDLE 0xffffu    /* interval meaning "nothing to do": wake me with hal_stepperWake */

static uint8_t pending_steps;
static volatile uint8_t stepper_idle = 1;

ISR(TIMER1_COMPA_vect) {
  uint8_t burst = STEP_MAX_BURST;
  uint16_t tick = OCR1A; /* when this tick was due */
  for (;;) {
    uint8_t steps = pending_steps;
    BOARD_STEP_PORT |= steps;
    u32 word = fw_stepperIsr();
    BOARD_STEP_PORT &= (uint8_t)~steps;
    BOARD_DIR_PORT = (uint8_t)((BOARD_DIR_PORT & (uint8_t)~BOARD_DIR_MASK) | ((uint8_t)(word >> 8) & BOARD_DIR_MASK));
    pending_steps = (uint8_t)word & BOARD_STEP_MASK;
    uint16_t interval = (uint16_t)(word >> 16);
    uint16_t elapsed = (uint16_t)(TCNT1 - tick);
    tick += interval;
    OCR1A = tick;
    stepper_idle = interval == STEP_IDLE;
    if (interval >= elapsed + STEP_MIN_GAP) break;
    if (--burst == 0) {
      /* Behind schedule for too long: slip the schedule rather than starve the main loop. */
      OCR1A = TCNT1 + STEP_MIN_GAP;
      break;
    }
    /* Step low time >= 1 us before the next rising edge. */
    __builtin_avr_delay_cycles(12);
  }
}

void stepper_timer_init(void) {
  TCCR1A = 0;
  TCCR1B = _BV(CS11); /* /8 */
  OCR1A = TCNT1 + 2000;
  TIFR1 = _BV(OCF1A);
  TIMSK1 = _BV(OCIE1A);
}

/* New work while the interrupt idles: schedule a tick now instead of up to 32 ms later. */
void hal_stepperWake(void) {
  uint8_t sreg = SREG;
  cli();
  if (stepper_idle) {
    stepper_idle = 0;
    OCR1A = TCNT1 + STEP_MIN_GAP;
  }
  SREG = sreg;
}

int main(void) {
  board_pins_init();
  serial_init();
  clock_init();
  hal_marker(MARKER_BOOT);
  fw_instantiate();
  hal_marker(MARKER_INSTANTIATED);
  stepper_timer_init();
  wdt_enable(WDTO_4S);
  sei();
  fw_setup();
  hal_marker(MARKER_SETUP_DONE);
  for (;;) fw_loop();
}
