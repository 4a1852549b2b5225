/*
 * Reset, the main loop and the step interrupt. The firmware module is compiled into this file
 * (one translation unit) so avr-gcc can inline the module's step function into the interrupt.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/wdt.h>
#include "hal.h"
#include "plumb_module.c" /* generated: build/<board>/gen/ */

#ifdef PLUMB_REFERENCE_STEPPER
/* Benchmark images only (npm run bench): the same stepping written by hand in C. */
#include "reference_stepper.c"
#define STEPPER_TICK() ref_stepperIsr()
#define STEPPER_REPEATS() ref_stepperRepeats()
#else
#define STEPPER_TICK() fw_stepperIsr()
#define STEPPER_REPEATS() fw_stepperRepeats()
#endif

/*
 * Step timer: Timer1 free-running at F_CPU/8 = 2 MHz, compare A schedules the next tick.
 *
 * fw_stepperIsr() returns one word about the *next* step event:
 *   bits  0..7   step bits to pulse at that event (the board's word bits: BOARD_STEP_HIGH maps
 *                them to pins, on the MiniRambo the PORTC bits themselves),
 *   bits  8..15  direction bits to set now (well before that event: setup time),
 *   bits 16..31  timer ticks from this event to that one; 0 = right after this one (the
 *                events of a group, how the firmware steps several times per interrupt at
 *                high rates); STEP_IDLE = nothing to do until hal_stepperWake().
 * After each call, fw_stepperRepeats() tells how many copies of that next event to pulse right
 * after it (the firmware's groups of identical events, when every moving axis steps on each).
 * The pulse for this event was computed last time, so the rising edge comes at a constant
 * latency after the compare match, and the pin stays high while the next word is computed
 * (>= 1 us, which the simulator checks). The schedule advances by the returned intervals, so
 * a late interrupt delays an edge but never the ones after it.
 *
 * The scheduling policy (STEP_MIN_GAP, STEP_MAX_BURST, STEP_IDLE) is the module's enum
 * StepSchedule (assembly/motion/stepper.ts), generated into board_pins.h; hal/host/hal.ts runs
 * the same rules on the same numbers:
 *   - events due at once (interval 0) run in this interrupt, at most STEP_MAX_BURST per call;
 *   - an event due less than STEP_MIN_GAP ticks from now also runs now, within the same budget;
 *   - past the budget the next event slips to STEP_MIN_GAP ticks from now, so the main loop
 *     (and the serial receiver) always gets the CPU between two interrupts.
 */
static uint8_t pending_steps;
static uint8_t pending_repeats; /* copies of the pending event to pulse right after it */
static uint8_t step_dirs;       /* direction bits last written */
/* The interrupt returned STEP_IDLE and waits for hal_stepperWake(). Written by the interrupt on
   every call, and by hal_stepperWake() with interrupts off. */
static volatile uint8_t stepper_idle = 1;

ISR(TIMER1_COMPA_vect) {
  uint8_t burst = STEP_MAX_BURST;
  uint8_t steps = pending_steps;
  uint8_t repeats = pending_repeats;
  for (;;) {
    BOARD_STEP_HIGH(steps);
    /* The copies: back to back, each pulse high and low for the drivers' minimum (the loop's
       own instructions add a few cycles to each). */
    while (repeats) {
      repeats--;
      __builtin_avr_delay_cycles(BOARD_STEP_HIGH_CYCLES);
      BOARD_STEP_LOW(steps);
      __builtin_avr_delay_cycles(BOARD_STEP_LOW_CYCLES);
      BOARD_STEP_HIGH(steps);
    }
    u32 word = STEPPER_TICK();
    repeats = (uint8_t)STEPPER_REPEATS();
    BOARD_STEP_LOW(steps);
    uint8_t next_dirs = (uint8_t)(word >> 8) & BOARD_DIR_BITS;
    if (next_dirs != step_dirs) {
      step_dirs = next_dirs;
      BOARD_DIR_WRITE(next_dirs);
    }
    steps = (uint8_t)word & BOARD_STEP_BITS;
    uint16_t interval = (uint16_t)(word >> 16);
    if (interval == 0 && --burst) continue; /* the next event of a group: now (the path back to
                                                the rising edge is > 16 cycles: step low >= 1 us) */
    /* The interrupt itself says whether it idles, on every call: the idle re-poll may pick up
       segments prepare() has published but not yet woken it for, and a wake that then found the
       flag still set would overwrite the compare scheduled here and cut that interval short. */
    stepper_idle = interval == STEP_IDLE;
    uint16_t tick = OCR1A + interval; /* when that event is due */
    /* (An interval of 16 ms or more is never due soon: no interrupt is that late.) */
    if (interval == 0 || (interval < 0x8000 && (int16_t)(tick - TCNT1) < STEP_MIN_GAP)) {
      /* A full burst, or due too soon to leave and come back: take the event now, or slip the
         schedule a little rather than starve the main loop. */
      if (interval != 0 && --burst) {
        OCR1A = tick;
        continue;
      }
      tick = TCNT1 + STEP_MIN_GAP;
    }
    OCR1A = tick;
    break;
  }
  pending_steps = steps;
  pending_repeats = repeats;
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
  adc_init();
  outputs_init();
  panel_init();
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
