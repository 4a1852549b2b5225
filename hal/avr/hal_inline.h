/* The HAL imports the step interrupt calls: inline, so the generated code has no call overhead. */
#pragma once
#include <avr/io.h>
#include <math.h>
#include "board_pins.h"

static inline u32 hal_readInputs(void) {
  return board_read_inputs();
}

/*
 * The hand-over of data between the main loop and the step interrupt (segments, finished
 * blocks, the abort flag): linear memory is a plain array, so without this avr-gcc may move the
 * main loop's stores past the one that publishes them (the segment ring's head) or keep a
 * value the interrupt changes in a register. An empty asm with a "memory" clobber forbids both:
 * every store before it is emitted before it, every load after it reads memory again. That is
 * enough on the AVR: one core, no cache, no store buffer, no out-of-order execution, so the
 * instructions reach memory in program order; and the fields that publish (one-byte ring
 * indices and flags) are written by a single ST, which an interrupt cannot split. It costs no
 * instruction.
 */
static inline void hal_stepperBarrier(void) {
  __asm__ __volatile__("" ::: "memory");
}

/* avr-libc's single-precision logarithm (AssemblyScript's own would be f64). */
static inline f32 hal_logf(f32 x) {
  return logf(x);
}

/* GPIOR0 is a spare I/O register: one OUT instruction the simulator timestamps. */
static inline void hal_marker(u32 id) {
  GPIOR0 = (uint8_t)id;
}

/* Markers the HAL itself emits (the firmware uses 16 and up). */
enum {
  MARKER_BOOT = 1,
  MARKER_INSTANTIATED = 2,
  MARKER_SETUP_DONE = 3,
};

/* Shared by the HAL's C files. */
void serial_init(void);
void serial_flush_polled(void);
void serial_write_polled(uint8_t byte);
void clock_init(void);
void adc_init(void);
void outputs_init(void);
void panel_init(void);
uint16_t clock_us16(void);
void stepper_timer_init(void);
void board_pins_init(void);
void outputs_off(void);
void lcd_pins_init(void);
void lcd_show_halt(const char *what);
