/*
 * The AVR wasm runtime: everything the post-processed wasm2c output (tools/build/wasm2avr.ts)
 * needs, in place of wabt's wasm-rt. About 200 bytes of code once compiled.
 *
 * Linear memory is the static array plumb_memory covering wasm addresses
 * [PLUMB_MEM_BASE, PLUMB_MEM_END): exactly what the module's static data uses. Addresses below
 * the base (null pointers) and above the end trap. Every access checks its effective address
 * addr + offset with one 32-bit compare against a compile-time bound; when the address is a
 * constant or provably in range, avr-gcc removes the check.
 *
 * A trap calls hal_trap(code), which stops heaters and steppers, prints
 * "Error:firmware trap <code>" and halts. It never returns and never longjmps, so a trap inside
 * the step interrupt is as safe as one in the main loop.
 */
#pragma once
#include <avr/pgmspace.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifndef PLUMB_MEM_BASE
#error "PLUMB_MEM_BASE/PLUMB_MEM_END come from the generated module"
#endif

#define PLUMB_MEM_SIZE (PLUMB_MEM_END - PLUMB_MEM_BASE)
extern u8 plumb_memory[];

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Trap codes, as printed in "Error:firmware trap <code>". */
enum {
  PLUMB_TRAP_OOB = 1,                /* memory access out of bounds */
  PLUMB_TRAP_INT_OVERFLOW = 2,       /* integer overflow (INT_MIN / -1, float to int out of range) */
  PLUMB_TRAP_DIV_BY_ZERO = 3,        /* integer division by zero */
  PLUMB_TRAP_INVALID_CONVERSION = 4, /* NaN converted to an integer */
  PLUMB_TRAP_UNREACHABLE = 5,        /* unreachable executed: a firmware bug */
  PLUMB_TRAP_CALL_INDIRECT = 6,
  PLUMB_TRAP_EXHAUSTION = 7,
};

#define TRAP(x) (hal_trap(PLUMB_TRAP_##x), 0)
#define UNREACHABLE TRAP(UNREACHABLE)
#define FUNC_PROLOGUE
#define FUNC_EPILOGUE

/*
 * Is the effective address addr + off (computed without wrapping) inside memory for an n-byte
 * access? off and n are compile-time constants, so this is one compare.
 *   off <= BASE: ea in range  <=>  (u32)(addr - (BASE - off)) <= SIZE - n   (modular arithmetic
 *                is exact here because the range does not wrap);
 *   off >  BASE: ea >= BASE always, so only the top bound: addr <= END - n - off.
 */
#define PLUMB_IN_RANGE(addr, off, n)                                                      \
  ((off) <= PLUMB_MEM_BASE ? ((u32)((addr) - (PLUMB_MEM_BASE - (off))) <= PLUMB_MEM_SIZE - (n)) \
   : (off) <= PLUMB_MEM_END - (n) ? ((addr) <= PLUMB_MEM_END - (n) - (off))                \
                                  : 0)

/* After the check the index fits in 16 bits: compute it in 16 bits. */
#define PLUMB_PTR(addr, off) (plumb_memory + (uint16_t)((uint16_t)(addr) + (uint16_t)((off) - PLUMB_MEM_BASE)))

#define DEFINE_LOAD(name, t1, t2, t3)                                     \
  static inline t3 name(u32 addr, u32 off) {                              \
    if (UNLIKELY(!PLUMB_IN_RANGE(addr, off, sizeof(t1)))) TRAP(OOB);      \
    t1 result;                                                            \
    memcpy(&result, PLUMB_PTR(addr, off), sizeof(t1));                    \
    return (t3)(t2)result;                                                \
  }

#define DEFINE_STORE(name, t1, t2)                                        \
  static inline void name(u32 addr, u32 off, t2 value) {                  \
    if (UNLIKELY(!PLUMB_IN_RANGE(addr, off, sizeof(t1)))) TRAP(OOB);      \
    t1 wrapped = (t1)value;                                               \
    memcpy(PLUMB_PTR(addr, off), &wrapped, sizeof(t1));                   \
  }

DEFINE_LOAD(i32_load, u32, u32, u32)
DEFINE_LOAD(f32_load, f32, f32, f32)
DEFINE_LOAD(i32_load8_s, s8, s32, u32)
DEFINE_LOAD(i32_load8_u, u8, u32, u32)
DEFINE_LOAD(i32_load16_s, s16, s32, u32)
DEFINE_LOAD(i32_load16_u, u16, u32, u32)
DEFINE_STORE(i32_store, u32, u32)
DEFINE_STORE(f32_store, f32, f32)
DEFINE_STORE(i32_store8, u8, u32)
DEFINE_STORE(i32_store16, u16, u32)

/* Zero bytes touch nothing: no check. In wasm a zero-length fill or copy anywhere inside the
 * module's memory is valid, including below PLUMB_MEM_BASE, which this runtime does not back; a
 * check here made M999's setStatusText(0, 0) trap on the AVR while the host ran it. */
static inline void memory_fill(u32 d, u32 val, u32 n) {
  if (!n) return;
  if (UNLIKELY(n > PLUMB_MEM_SIZE || !PLUMB_IN_RANGE(d, 0, n))) TRAP(OOB);
  memset(PLUMB_PTR(d, 0), (int)(u8)val, (size_t)n);
}

static inline void memory_copy(u32 dest, u32 src, u32 n) {
  if (!n) return;
  if (UNLIKELY(n > PLUMB_MEM_SIZE || !PLUMB_IN_RANGE(dest, 0, n) || !PLUMB_IN_RANGE(src, 0, n))) TRAP(OOB);
  memmove(PLUMB_PTR(dest, 0), PLUMB_PTR(src, 0), (size_t)n);
}

/* Data segments are PROGMEM arrays (kept below 64 KiB by the linker: .progmem comes first). */
static inline void plumb_load_data(u32 addr, const u8 *src, u32 n) {
  memcpy_P(PLUMB_PTR(addr, 0), src, (size_t)n);
}

/* int is 16 bits on AVR: the 32-bit builtins are the "l" ones. */
#define I32_CLZ(x) ((x) ? (u32)__builtin_clzl(x) : 32u)
#define I32_CTZ(x) ((x) ? (u32)__builtin_ctzl(x) : 32u)
#define I32_POPCNT(x) ((u32)__builtin_popcountl(x))

#define DIV_S(ut, min, x, y)                                                              \
  ((UNLIKELY((y) == 0)) ? TRAP(DIV_BY_ZERO)                                               \
   : (UNLIKELY((x) == min && (y) == -1)) ? TRAP(INT_OVERFLOW) : (ut)((x) / (y)))
#define REM_S(ut, min, x, y) \
  ((UNLIKELY((y) == 0)) ? TRAP(DIV_BY_ZERO) : (UNLIKELY((x) == min && (y) == -1)) ? 0 : (ut)((x) % (y)))
#define I32_DIV_S(x, y) DIV_S(u32, INT32_MIN, (s32)x, (s32)y)
#define I32_REM_S(x, y) REM_S(u32, INT32_MIN, (s32)x, (s32)y)
#define DIVREM_U(op, x, y) ((UNLIKELY((y) == 0)) ? TRAP(DIV_BY_ZERO) : ((x)op(y)))
#define DIV_U(x, y) DIVREM_U(/, x, y)
#define REM_U(x, y) DIVREM_U(%, x, y)

#define ROTL(x, y, mask) (((x) << ((y) & (mask))) | ((x) >> (((mask) - (y) + 1) & (mask))))
#define ROTR(x, y, mask) (((x) >> ((y) & (mask))) | ((x) << (((mask) - (y) + 1) & (mask))))
#define I32_ROTL(x, y) ROTL(x, y, 31)
#define I32_ROTR(x, y) ROTR(x, y, 31)

#define FMIN(x, y) \
  ((UNLIKELY((x) != (x))) ? NAN : (UNLIKELY((y) != (y))) ? NAN : (UNLIKELY((x) == 0 && (y) == 0)) ? (signbit(x) ? x : y) : (x < y) ? x : y)
#define FMAX(x, y) \
  ((UNLIKELY((x) != (x))) ? NAN : (UNLIKELY((y) != (y))) ? NAN : (UNLIKELY((x) == 0 && (y) == 0)) ? (signbit(x) ? y : x) : (x > y) ? x : y)

#define TRUNC_S(ut, st, ft, min, minop, max, x) \
  ((UNLIKELY((x) != (x))) ? TRAP(INVALID_CONVERSION) : (UNLIKELY(!((x)minop(min) && (x) < (max)))) ? TRAP(INT_OVERFLOW) : (ut)(st)(x))
#define I32_TRUNC_S_F32(x) TRUNC_S(u32, s32, f32, (f32)INT32_MIN, >=, 2147483648.f, x)
#define TRUNC_U(ut, ft, max, x) \
  ((UNLIKELY((x) != (x))) ? TRAP(INVALID_CONVERSION) : (UNLIKELY(!((x) > (ft)-1 && (x) < (max)))) ? TRAP(INT_OVERFLOW) : (ut)(x))
#define I32_TRUNC_U_F32(x) TRUNC_U(u32, f32, 4294967296.f, x)
#define TRUNC_SAT_S(ut, st, ft, min, smin, minop, max, smax, x) \
  ((UNLIKELY((x) != (x))) ? 0 : (UNLIKELY(!((x)minop(min)))) ? smin : (UNLIKELY(!((x) < (max)))) ? smax : (ut)(st)(x))
#define I32_TRUNC_SAT_S_F32(x) TRUNC_SAT_S(u32, s32, f32, (f32)INT32_MIN, INT32_MIN, >=, 2147483648.f, INT32_MAX, x)
#define TRUNC_SAT_U(ut, ft, max, smax, x) \
  ((UNLIKELY((x) != (x))) ? 0 : (UNLIKELY(!((x) > (ft)-1))) ? 0 : (UNLIKELY(!((x) < (max)))) ? smax : (ut)(x))
#define I32_TRUNC_SAT_U_F32(x) TRUNC_SAT_U(u32, f32, 4294967296.f, UINT32_MAX, x)

static inline f32 f32_reinterpret_i32(u32 x) {
  f32 r;
  memcpy(&r, &x, 4);
  return r;
}

static inline u32 i32_reinterpret_f32(f32 x) {
  u32 r;
  memcpy(&r, &x, 4);
  return r;
}

static inline f32 wasm_quietf(f32 x) {
  return isnan(x) ? f32_reinterpret_i32(i32_reinterpret_f32(x) | 0x7fc00000UL) : x;
}

static inline f32 wasm_floorf(f32 x) { return isnan(x) ? wasm_quietf(x) : floorf(x); }
static inline f32 wasm_ceilf(f32 x) { return isnan(x) ? wasm_quietf(x) : ceilf(x); }
static inline f32 wasm_truncf(f32 x) { return isnan(x) ? wasm_quietf(x) : truncf(x); }
static inline f32 wasm_sqrtf(f32 x) { return isnan(x) ? wasm_quietf(x) : sqrtf(x); }

/* wasm's f32.abs clears the sign bit, NaN included (stock wasm2c shifts 1 << 31 in a 16-bit int). */
static inline f32 wasm_fabsf(f32 x) {
  return f32_reinterpret_i32(i32_reinterpret_f32(x) & 0x7fffffffUL);
}

/* f32.nearest: round half to even. avr-libc has no nearbyintf. x - trunc(x) is exact in f32. */
static inline f32 wasm_nearbyintf(f32 x) {
  if (isnan(x)) return wasm_quietf(x);
  if (!(fabsf(x) < 8388608.0f)) return x; /* already integral (or infinite) */
  f32 t = truncf(x);
  f32 d = x - t;
  if (d > 0.5f || (d == 0.5f && fmodf(t, 2.0f) != 0.0f)) t += 1.0f;
  else if (d < -0.5f || (d == -0.5f && fmodf(t, 2.0f) != 0.0f)) t -= 1.0f;
  return copysignf(t, x);
}
