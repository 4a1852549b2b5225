/*
 * Board-level HAL: pin set-up, stepper enables, flash tables, watchdog, reset cause, halt.
 * (The display's pins and protocol are in lcd.c.)
 * Pins come from the generated board_pins.h (boards/<name>/board.json).
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include "hal.h"
#include "pins.h"

extern const uint16_t board_word_count;
extern const uint32_t board_words[] PROGMEM;
extern const uint16_t rom_text_size;
extern const uint8_t rom_text[] PROGMEM;

/* MCUSR as it was at reset; saved by reset_cause_capture() before anything clears it. */
static uint8_t reset_flags __attribute__((section(".noinit")));

/* Runs before main(): a watchdog reset leaves the watchdog enabled with its shortest timeout. */
void reset_cause_capture(void) __attribute__((naked, used, section(".init3")));
void reset_cause_capture(void) {
  reset_flags = MCUSR;
  MCUSR = 0;
  wdt_disable();
}

u32 hal_resetCause(void) {
  return reset_flags;
}

#define ENABLE_LEVEL(on) (BOARD_ENABLE_ACTIVE_LOW ? !(on) : (on))

void board_pins_init(void) {
  BOARD_STEPPER_PINS_INIT();
  PIN_MAKE_OUTPUT(BOARD_PIN_ENABLE_X);
  PIN_MAKE_OUTPUT(BOARD_PIN_ENABLE_Y);
  PIN_MAKE_OUTPUT(BOARD_PIN_ENABLE_Z);
  PIN_MAKE_OUTPUT(BOARD_PIN_ENABLE_E);
  hal_stepperEnable(0);
#if BOARD_MICROSTEP_LEVEL
  BOARD_MICROSTEP_PINS(PIN_OUTPUT_HIGH_X)
#else
  BOARD_MICROSTEP_PINS(PIN_OUTPUT_LOW_X)
#endif
  BOARD_INPUT_PULLUPS(PIN_PULLUP_X)
  PIN_MAKE_OUTPUT(BOARD_PIN_HEATER_HOTEND);
  PIN_MAKE_OUTPUT(BOARD_PIN_HEATER_BED);
  PIN_MAKE_OUTPUT(BOARD_PIN_FAN_PRINT);
  PIN_MAKE_OUTPUT(BOARD_PIN_FAN_HOTEND);
  outputs_off();
  lcd_pins_init();
#ifdef BOARD_PIN_CURRENT_XY
  /* Motor current references: Timer5 8-bit fast PWM on OC5A/B/C. Duty from Prusa's MK2
     defaults (270, 830, 450 of a 2000 range -> 34, 106, 57 of 255). */
  PIN_MAKE_OUTPUT(BOARD_PIN_CURRENT_XY);
  PIN_MAKE_OUTPUT(BOARD_PIN_CURRENT_Z);
  PIN_MAKE_OUTPUT(BOARD_PIN_CURRENT_E);
  TCCR5A = _BV(COM5A1) | _BV(COM5B1) | _BV(COM5C1) | _BV(WGM50);
  TCCR5B = _BV(WGM52) | _BV(CS50);
  OCR5A = 34;
  OCR5B = 106;
  OCR5C = 57;
#endif
}

/* Heaters and fans off: the first thing done at start and on every stop. */
void outputs_off(void) {
  PIN_SET_LOW(BOARD_PIN_HEATER_HOTEND);
  PIN_SET_LOW(BOARD_PIN_HEATER_BED);
  PIN_SET_LOW(BOARD_PIN_FAN_PRINT);
  PIN_SET_LOW(BOARD_PIN_FAN_HOTEND);
}

void hal_stepperEnable(u32 axisMask) {
  PIN_WRITE(ENABLE_LEVEL(axisMask & 1), BOARD_PIN_ENABLE_X);
  PIN_WRITE(ENABLE_LEVEL(axisMask & 2), BOARD_PIN_ENABLE_Y);
  PIN_WRITE(ENABLE_LEVEL(axisMask & 4), BOARD_PIN_ENABLE_Z);
  PIN_WRITE(ENABLE_LEVEL(axisMask & 8), BOARD_PIN_ENABLE_E);
}

u32 hal_boardWord(u32 key) {
  if (key >= board_word_count) return 0;
  return pgm_read_dword(&board_words[(uint16_t)key]);
}

u32 hal_romByte(u32 addr) {
  if (addr >= rom_text_size) return 0;
  return pgm_read_byte(&rom_text[(uint16_t)addr]);
}

/* The firmware calls this from every pass of its loops. One WDR per 32 ms is plenty for a 4 s
   watchdog, and spares simavr a peripheral scan per call (its WDR is that slow). */
void hal_watchdogReset(void) {
  static uint8_t last;
  uint8_t now = (uint8_t)(hal_millis() >> 5);
  if (now != last) {
    last = now;
    wdt_reset();
  }
}

static void stop_everything(void) {
  cli();
  outputs_off();
  hal_stepperEnable(0);
  TIMSK1 = 0;
  wdt_disable();
}

/* Stop for good: interrupts off and sleep (simavr ends the run there). */
static void __attribute__((noreturn)) sleep_forever(void) {
  cli();
  set_sleep_mode(SLEEP_MODE_PWR_DOWN);
  for (;;) {
    sleep_enable();
    sleep_cpu();
  }
}

/* "<prefix><code>" on the display (no printf: it would cost 1.5 KiB of flash for this). */
static void show_halt(char *what, const char *prefix_P, u32 code) {
  uint8_t n = 0;
  char c;
  while ((c = (char)pgm_read_byte(prefix_P++)) != 0 && n < 14) what[n++] = c;
  char digits[10];
  uint8_t k = 0;
  do {
    digits[k++] = (char)('0' + code % 10);
    code /= 10;
  } while (code && k < sizeof digits);
  while (k && n < 20) what[n++] = digits[--k];
  what[n] = 0;
  lcd_show_halt(what);
}

void hal_halt(u32 code) {
  stop_everything();
  serial_flush_polled();
  char what[21];
  show_halt(what, PSTR("Halted, code "), code);
  sleep_forever();
}

static void print_polled_P(const char *s) {
  char c;
  while ((c = (char)pgm_read_byte(s++)) != 0) serial_write_polled((uint8_t)c);
}

static const char trap_names[] PROGMEM =
    "?\0memory access out of bounds\0integer overflow\0division by zero\0"
    "invalid conversion to integer\0unreachable code reached\0bad indirect call\0call stack exhausted\0";

void hal_trap(u8 code) {
  stop_everything();
  serial_flush_polled();
  print_polled_P(PSTR("\nError:firmware trap "));
  serial_write_polled((uint8_t)('0' + code % 10));
  print_polled_P(PSTR(" ("));
  const char *name = trap_names;
  for (uint8_t i = 0; i < code && i < 8; i++) name += strlen_P(name) + 1;
  print_polled_P(name);
  print_polled_P(PSTR("), heaters and motors off, halted\n"));
  char what[21];
  show_halt(what, PSTR("Firmware trap "), code);
  sleep_forever();
}
