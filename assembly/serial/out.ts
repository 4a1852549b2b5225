// Everything the firmware prints on the serial port goes through here: flash texts and numbers.
// No strings, no allocation: digits are produced into a small static scratch area.
// While the transmit ring is full, motion keeps being prepared (system/background.ts), so a long
// report never lets the step interrupt run dry.

import { serialWrite, romByte } from "../hal";
import { RomText, romLength, romOffset } from "../rom";
import { background } from "../system/background";

const digits = memory.data(12);

export function char(c: u32): void {
  while (serialWrite(c) == 0) background();
}

export function newline(): void {
  char(10);
}

export function text(t: RomText): void {
  const offset = romOffset(t);
  const length = romLength(t);
  for (let i: u32 = 0; i < length; i++) char(romByte(offset + i));
}

/** Bytes from linear memory, e.g. a command line echoed back. */
export function chars(ptr: usize, length: u32): void {
  for (let i: u32 = 0; i < length; i++) char(load<u8>(ptr + i));
}

export function line(t: RomText): void {
  text(t);
  newline();
}

export function uint(v: u32): void {
  let n: u32 = 0;
  do {
    store<u8>(digits + n, <u8>(48 + v % 10));
    v /= 10;
    n++;
  } while (v != 0);
  while (n > 0) {
    n--;
    char(load<u8>(digits + n));
  }
}

export function int(v: i32): void {
  if (v < 0) {
    char(45); // '-'
    uint(<u32>(-v));
  } else {
    uint(<u32>v);
  }
}

const POWERS_OF_TEN = memory.data<u32>([1, 10, 100, 1000, 10000, 100000, 1000000]);

/**
 * `v` rounded to `decimals` (0..6) places. An f32 holds about 7 significant digits: decimals that
 * would only show rounding noise (scaled value beyond 2^24) are dropped, integer digits never.
 */
export function fixed(v: f32, decimals: u32): void {
  if (decimals > 6) decimals = 6;
  if (v != v) {
    char(110); char(97); char(110); // "nan"
    return;
  }
  let magnitude = Mathf.abs(v);
  let scale = load<u32>(POWERS_OF_TEN + (decimals << 2));
  while (decimals > 0 && magnitude * <f32>scale >= <f32>16777216.0) {
    decimals--;
    scale = load<u32>(POWERS_OF_TEN + (decimals << 2));
  }
  if (magnitude >= <f32>4.0e9) magnitude = <f32>4.0e9;
  const scaled = <u32>(magnitude * <f32>scale + <f32>0.5);
  if (v < 0 && scaled != 0) char(45);
  uint(scaled / scale);
  if (decimals == 0) return;
  char(46); // '.'
  let fraction = scaled % scale;
  let divisor = scale / 10;
  while (divisor > 0) {
    char(48 + fraction / divisor);
    fraction %= divisor;
    divisor /= 10;
  }
}
