/*
 * The front panel's inputs and beeper: the rotary encoder's quadrature on PJ2/PJ1, its push
 * button on PH6 and the beeper on PH2 (board_pins.h). The firmware module decides what a detent
 * or a press means; this file only samples, decodes and counts.
 *
 * Why a timer and not pin-change interrupts: PJ1/PJ2 are PCINT10/11 on the chip, but simavr 1.6's
 * ATmega2560 model wires pin-change interrupts to port B only, so the simulated printer could
 * never test that path. Timer3 (free: Timer0 is the millisecond clock, Timer1 the step timer,
 * Timer2 the heaters, Timer5 the motor-current PWM) interrupts at 4 kHz instead and samples
 * both phases every 250 us. Sampling every 250 us follows every edge as long as edges are at
 * least 250 us apart: up to 1000 detents/s with even phases, and 200 detents/s (the issue's
 * fastest burst by hand) with phases as uneven as 1:4. A missed edge (both phases changed between
 * two samples) cannot be given a direction and is dropped. Measured in
 * simavr: the interrupt takes 2.3% of the CPU (about 90 cycles, 4000 times a second).
 *
 * The interrupt is ISR_NOBLOCK: it re-enables interrupts first, so the step interrupt is never
 * held up by more than the few cycles of the entry. Nothing else runs it, and it is over in far
 * less than its 250 us period, so it never nests in itself.
 *
 * The encoder's resting position (a detent) is both phases high (pull-ups, contacts open); one
 * detent is a full quadrature cycle of 4 edges (Prusa's ENCODER_PULSES_PER_STEP 4).
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>
#include "hal.h"
#include "pins.h"

#define PANEL_TICK_HZ 4000u
#define EDGES_PER_DETENT 4

static volatile int16_t encoder_edges; /* signed quarter-steps not yet taken as detents */
static uint8_t encoder_phases;         /* last sample: A in bit 1, B in bit 0 */
static volatile uint16_t beep_ticks;   /* beeper on for this many more ticks */

/*
 * Quadrature step from the previous phases (bits 3..2) and the new (bits 1..0): +1 for A leading
 * B (turning clockwise, the firmware's "down the list, up the value"), -1 for B leading A, 0 for
 * no change; 2 marks an impossible jump (both phases changed).
 */
static const int8_t QUADRATURE[16] = {
  /* 00->00 */ 0, /* 00->01 */ -1, /* 00->10 */ +1, /* 00->11 */ 2,
  /* 01->00 */ +1, /* 01->01 */ 0, /* 01->10 */ 2, /* 01->11 */ -1,
  /* 10->00 */ -1, /* 10->01 */ 2, /* 10->10 */ 0, /* 10->11 */ +1,
  /* 11->00 */ 2, /* 11->01 */ +1, /* 11->10 */ -1, /* 11->11 */ 0,
};

/* A pin of board_pins.h ("J, 2") expanded into PIN_PULLUP_X's two parameters. */
#define PULLUP(...) PIN_PULLUP_X(__VA_ARGS__)

static inline uint8_t read_phases(void) {
  return (uint8_t)((PIN_READ(BOARD_PIN_ENC_A) ? 2 : 0) | (PIN_READ(BOARD_PIN_ENC_B) ? 1 : 0));
}

void panel_init(void) {
  /* Encoder phases and button: inputs with pull-ups (the contacts close to ground). */
  PULLUP(BOARD_PIN_ENC_A)
  PULLUP(BOARD_PIN_ENC_B)
  PULLUP(BOARD_PIN_ENC_BUTTON)
  PIN_SET_LOW(BOARD_PIN_BEEPER);
  PIN_MAKE_OUTPUT(BOARD_PIN_BEEPER);
  encoder_phases = read_phases();
  /* Timer3, CTC on OCR3A, clk/8 = 2 MHz: 500 counts = 250 us. No output-compare pins. */
  TCCR3A = 0;
  TCCR3B = _BV(WGM32) | _BV(CS31);
  OCR3A = (uint16_t)(F_CPU / 8 / PANEL_TICK_HZ - 1);
  TIFR3 = _BV(OCF3A);
  TIMSK3 = _BV(OCIE3A);
}

ISR(TIMER3_COMPA_vect, ISR_NOBLOCK) {
  uint8_t now = read_phases();
  int8_t step = QUADRATURE[(uint8_t)(encoder_phases << 2 | now)];
  encoder_phases = now;
  if (step == 1 || step == -1) encoder_edges += step;
  if (beep_ticks && --beep_ticks == 0) {
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { PIN_SET_LOW(BOARD_PIN_BEEPER); } /* PORTH is shared with the fans */
  }
}

/* Whole detents turned since the last call (negative: counter-clockwise); the part of a detent
   under way stays for the next call. */
u32 hal_encoderTake(void) {
  int16_t detents;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
    detents = encoder_edges / EDGES_PER_DETENT;
    encoder_edges -= detents * EDGES_PER_DETENT;
  }
  return (u32)(int32_t)detents;
}

/* The button's contact as it is now: 1 pressed (the pin pulled to ground). Not debounced: the
   firmware samples it on every pass of its main loop and debounces it there (ui/input.ts). */
u32 hal_buttonDown(void) {
  return PIN_READ(BOARD_PIN_ENC_BUTTON) ? 0 : 1;
}

/* The beeper on for `ms` milliseconds (0: off now); a new call replaces a tone under way. */
void hal_beep(u32 ms) {
  if (ms > 10000) ms = 10000;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
    beep_ticks = (uint16_t)(ms * (PANEL_TICK_HZ / 1000));
    PIN_WRITE(ms != 0, BOARD_PIN_BEEPER);
  }
}
