// Everything the firmware prints on the serial port goes through here: flash texts and numbers.
// No strings, no allocation: digits are produced (format.ts) into a small static scratch area.
// While the transmit ring is full, motion keeps being prepared (system/background.ts), so a long
// report never lets the step interrupt run dry.

import { serialWrite, romByte } from "../hal";
import { RomText, romLength, romOffset } from "../rom";
import { background } from "../system/background";
import { NUMBER_MAX, formatUint, formatInt, formatFixed } from "../format";

const digits = memory.data(NUMBER_MAX);

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
  chars(digits, formatUint(digits, v));
}

export function int(v: i32): void {
  chars(digits, formatInt(digits, v));
}

/**
 * `v` rounded to `decimals` (0..6) places; decimals that would only show an f32's rounding noise
 * are dropped, integer digits never (format.ts).
 */
export function fixed(v: f32, decimals: u32): void {
  chars(digits, formatFixed(digits, v, decimals));
}
