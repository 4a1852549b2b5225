/*
 * Pin helpers over the generated board_pins.h, where a pin is written "C, 0" (port, bit).
 * The macros are variadic because such a pin expands to two arguments on the way through.
 */
#pragma once
#include <avr/io.h>

#define PIN_PORT(...) PIN_PORT_(__VA_ARGS__)
#define PIN_PORT_(p, b) PORT##p
#define PIN_DDR(...) PIN_DDR_(__VA_ARGS__)
#define PIN_DDR_(p, b) DDR##p
#define PIN_IN(...) PIN_IN_(__VA_ARGS__)
#define PIN_IN_(p, b) PIN##p
#define PIN_BIT(...) PIN_BIT_(__VA_ARGS__)
#define PIN_BIT_(p, b) (b)

#define PIN_MAKE_OUTPUT(...) (PIN_DDR(__VA_ARGS__) |= _BV(PIN_BIT(__VA_ARGS__)))
#define PIN_SET_HIGH(...) (PIN_PORT(__VA_ARGS__) |= _BV(PIN_BIT(__VA_ARGS__)))
#define PIN_SET_LOW(...) (PIN_PORT(__VA_ARGS__) &= (uint8_t)~_BV(PIN_BIT(__VA_ARGS__)))
#define PIN_READ(...) ((PIN_IN(__VA_ARGS__) & _BV(PIN_BIT(__VA_ARGS__))) != 0)
/* PIN_WRITE(level, pin): the level first, so the pin can expand to two arguments. */
#define PIN_WRITE(level, ...) ((level) ? PIN_SET_HIGH(__VA_ARGS__) : PIN_SET_LOW(__VA_ARGS__))

/* For the X-macro pin lists of board_pins.h: X(C, 0) X(L, 1) ... */
#define PIN_OUTPUT_HIGH_X(p, b) do { DDR##p |= _BV(b); PORT##p |= _BV(b); } while (0);
#define PIN_PULLUP_X(p, b) do { DDR##p &= (uint8_t)~_BV(b); PORT##p |= _BV(b); } while (0);
#define PIN_OUTPUT_LOW_X(p, b) do { DDR##p |= _BV(b); PORT##p &= (uint8_t)~_BV(b); } while (0);
