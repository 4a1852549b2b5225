/*
 * The HAL import interface: what the firmware module (assembly/hal.ts) may call.
 *
 * Every function between the BEGIN/END markers is an import of the module "hal". The build's
 * gate (tools/build/gate.ts) reads this block and refuses a module that imports anything else;
 * hal/host/hal.ts implements the same list for runs in Node (a test keeps the two in step).
 * Types are the wasm ABI: u32 for i32, f32 for f32.
 *
 * Hot imports (called from the step interrupt) are static inline in the board HAL so the
 * generated code inlines them; the rest are ordinary functions in hal/avr/.
 */
#pragma once
#include <stdint.h>

typedef uint8_t u8;
typedef int8_t s8;
typedef uint16_t u16;
typedef int16_t s16;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
typedef int64_t s64;
typedef float f32;
typedef double f64;

/* BEGIN HAL IMPORTS */
u32 hal_serialRead(void);
u32 hal_serialWrite(u32 byte);
u32 hal_serialAvailable(void);
u32 hal_millis(void);
u32 hal_romByte(u32 addr);
u32 hal_boardWord(u32 key);
u32 hal_eepromRead(u32 addr);
void hal_eepromWrite(u32 addr, u32 value);
u32 hal_eepromSize(void);
void hal_stepperEnable(u32 axisMask);
void hal_stepperWake(void);
static inline void hal_stepperBarrier(void);
static inline u32 hal_readInputs(void);
void hal_watchdogReset(void);
u32 hal_resetCause(void);
static inline void hal_marker(u32 id);
void hal_halt(u32 code);
u32 hal_lcdReady(void);
void hal_lcdWrite(u32 isData, u32 byte);
void hal_adcStart(u32 channel);
u32 hal_adcResult(void);
static inline f32 hal_logf(f32 x);
void hal_outputDuty(u32 output, u32 duty);
u32 hal_encoderTake(void);
u32 hal_buttonDown(void);
void hal_beep(u32 ms);
/* END HAL IMPORTS */

/* The runtime's side: a wasm trap (out-of-bounds access, division by zero, unreachable...). */
void hal_trap(u8 code) __attribute__((noreturn));

/* Inline parts, per MCU family. */
#if defined(__AVR__)
#include "avr/hal_inline.h"
#else
#error "Plumb's C HAL targets AVR; host runs use hal/host (TypeScript)."
#endif
