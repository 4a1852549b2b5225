// Numbers as decimal text, written into a byte buffer in linear memory: the one digit formatter
// of the firmware, shared by the serial port (serial/out.ts) and the display (ui/display.ts).
// No strings, no allocation; every function returns how many bytes it wrote.
//
// Digits come from subtracting powers of ten, not from dividing: the AVR has no divide
// instruction, and one 32-bit division costs about 600 cycles (40 us), a digit's subtractions a
// few dozen.

/** The longest text these functions write: sign, 10 digits, point. */
export const NUMBER_MAX: u32 = 12;

const POWERS_OF_TEN = memory.data<u32>([1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000]);

/** 10^i for i in 0..9 (the parser scales decimals with it too). */
export function powerOfTen(i: u32): u32 {
  return load<u32>(POWERS_OF_TEN + (i << 2));
}

/** How many decimal digits `v` has (1 for 0). */
function digitCount(v: u32): u32 {
  let n: u32 = 1;
  while (n < 10 && v >= powerOfTen(n)) n++;
  return n;
}

/** `v` in exactly `count` digits, with leading zeros; `v` must have no more digits than that. */
function formatDigits(dest: usize, v: u32, count: u32): u32 {
  for (let i: u32 = 0; i < count; i++) {
    const p = powerOfTen(count - 1 - i);
    let digit: u32 = 48;
    while (v >= p) {
      v -= p;
      digit++;
    }
    store<u8>(dest + i, <u8>digit);
  }
  return count;
}

/** Decimal digits of `v`. */
export function formatUint(dest: usize, v: u32): u32 {
  return formatDigits(dest, v, digitCount(v));
}

/** `v` with a '-' when negative. */
export function formatInt(dest: usize, v: i32): u32 {
  if (v >= 0) return formatUint(dest, <u32>v);
  store<u8>(dest, 45); // '-'
  return 1 + formatUint(dest + 1, <u32>(-v));
}

/**
 * `v` rounded to `decimals` (0..6) places. An f32 holds about 7 significant digits: decimals that
 * would only show rounding noise (scaled value beyond 2^24) are dropped, integer digits never.
 */
export function formatFixed(dest: usize, v: f32, decimals: u32): u32 {
  if (decimals > 6) decimals = 6;
  if (v != v) {
    store<u8>(dest, 110); // "nan"
    store<u8>(dest + 1, 97);
    store<u8>(dest + 2, 110);
    return 3;
  }
  let magnitude = Mathf.abs(v);
  while (decimals > 0 && magnitude * <f32>powerOfTen(decimals) >= <f32>16777216.0) decimals--;
  if (magnitude >= <f32>4.0e9) magnitude = <f32>4.0e9;
  const scaled = <u32>(magnitude * <f32>powerOfTen(decimals) + <f32>0.5);
  let n: u32 = 0;
  if (v < 0 && scaled != 0) {
    store<u8>(dest, 45); // '-'
    n = 1;
  }
  // All digits of the scaled value (at least one before the point), then the point moved in.
  let count = digitCount(scaled);
  if (decimals > 0 && count <= decimals) count = decimals + 1;
  formatDigits(dest + n, scaled, count);
  if (decimals == 0) return n + count;
  const point = dest + n + count - decimals;
  for (let i = decimals; i > 0; i--) store<u8>(point + i, load<u8>(point + i - 1));
  store<u8>(point, 46); // '.'
  return n + count + 1;
}

/**
 * `v` in at most `width` characters, with up to `decimals` places: as many as fit (99.996 at
 * width 5 is "100.0"). 0 when even the integer part does not fit.
 */
export function formatFixedFit(dest: usize, v: f32, decimals: u32, width: u32): u32 {
  let n = formatFixed(dest, v, decimals);
  while (n > width) {
    if (decimals == 0) return 0;
    decimals--;
    n = formatFixed(dest, v, decimals);
  }
  return n;
}
