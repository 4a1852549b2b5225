/*
 * Heaters and fans: the firmware module computes a duty (0-255) for each output, this file only
 * switches the pins. Timer2 interrupts at 1 kHz and each output runs a first-order sigma-delta
 * modulator: every millisecond its duty is added to an accumulator and the pin is on for that
 * millisecond when the sum passes 255. The mean on-time is duty/255 to within 1 ms over any
 * window, with the shortest possible on/off runs (50 % is 500 Hz): the hotend's 12 J/K block
 * sees at most 40 mJ per run, a 3 mK ripple, where a 256 ms PWM period would give 0.4 K. The
 * MOSFETs (the MiniRambo's heater and fan FETs) switch far faster than 1 kHz needs.
 *
 * Heaters never run unwatched: a heater's duty is dropped to 0 when the firmware has not set it
 * for HEATER_REFRESH_MS (the module sets both on every control period, 250 ms), so a firmware
 * that stops calling (a hang the 4 s watchdog has not caught yet) cannot keep heating. Fans keep
 * their duty.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include "hal.h"
#include "pins.h"

#define OUTPUTS 4
#define HEATERS 2 /* outputs 0 and 1 */
#define HEATER_REFRESH_MS 1000

static volatile uint8_t duty[OUTPUTS];
static uint8_t sum[OUTPUTS];
static volatile uint16_t since_set[HEATERS];

void outputs_init(void) {
  TCCR2A = _BV(WGM21);           /* CTC */
  TCCR2B = _BV(CS22);            /* clk/64: 250 kHz */
  OCR2A = (uint8_t)(F_CPU / 64 / 1000 - 1); /* 1 kHz */
  TIMSK2 = _BV(OCIE2A);
}

#define MODULATE(i, pin)                        \
  do {                                          \
    uint16_t s = (uint16_t)sum[i] + duty[i];    \
    if (s >= 255) {                             \
      PIN_SET_HIGH(pin);                        \
      s -= 255;                                 \
    } else {                                    \
      PIN_SET_LOW(pin);                         \
    }                                           \
    sum[i] = (uint8_t)s;                        \
  } while (0)

/* Simulator timestamps around the interrupt's body (tools/bench/heaters.ts); one OUT each. */
#define MARKER_OUTPUTS_START 42
#define MARKER_OUTPUTS_END 43

ISR(TIMER2_COMPA_vect) {
  hal_marker(MARKER_OUTPUTS_START);
  for (uint8_t h = 0; h < HEATERS; h++) {
    if (since_set[h] < HEATER_REFRESH_MS) since_set[h]++;
    else duty[h] = 0;
  }
  MODULATE(0, BOARD_PIN_HEATER_HOTEND);
  MODULATE(1, BOARD_PIN_HEATER_BED);
  MODULATE(2, BOARD_PIN_FAN_PRINT);
  MODULATE(3, BOARD_PIN_FAN_HOTEND);
  hal_marker(MARKER_OUTPUTS_END);
}

void hal_outputDuty(u32 output, u32 value) {
  if (output >= OUTPUTS) return;
  uint8_t d = value > 255 ? 255 : (uint8_t)value;
  uint8_t sreg = SREG;
  cli();
  duty[output] = d;
  if (output < HEATERS) since_set[output] = 0;
  SREG = sreg;
  if (d == 0) { /* off now, not at the next tick: M112 and faults want it at once */
    if (output == 0) PIN_SET_LOW(BOARD_PIN_HEATER_HOTEND);
    else if (output == 1) PIN_SET_LOW(BOARD_PIN_HEATER_BED);
    else if (output == 2) PIN_SET_LOW(BOARD_PIN_FAN_PRINT);
    else PIN_SET_LOW(BOARD_PIN_FAN_HOTEND);
  }
}
