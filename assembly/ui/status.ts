// The printer's status message: the line the LCD shows (M117 sets it, and the firmware sets it
// when something needs the owner's attention, e.g. settings that could not be used).

import { RomText, romLength, romOffset } from "../rom";
import { romByte } from "../hal";

export const STATUS_MAX: u32 = 20; // one line of the 20x4 display
const text = memory.data(STATUS_MAX);
let length: u32 = 0;
/** Bumped on every change, so a display knows to redraw. */
export let revision: u32 = 0;

export function setStatusText(ptr: usize, len: u32): void {
  if (len > STATUS_MAX) len = STATUS_MAX;
  memory.copy(text, ptr, len);
  length = len;
  revision++;
}

export function setStatus(t: RomText): void {
  let len = romLength(t);
  if (len > STATUS_MAX) len = STATUS_MAX;
  const offset = romOffset(t);
  for (let i: u32 = 0; i < len; i++) store<u8>(text + i, <u8>romByte(offset + i));
  length = len;
  revision++;
}

export function statusLength(): u32 {
  return length;
}

export function statusChar(i: u32): u32 {
  return i < length ? load<u8>(text + i) : 32;
}

/** A status message that takes over the display until the owner clicks (ui/panel.ts). */
let noticePending = false;

/** Sets the status message and shows it on a screen of its own until acknowledged. */
export function setStatusNotice(t: RomText): void {
  setStatus(t);
  noticePending = true;
}

/** True once after each setStatusNotice(). */
export function takeNotice(): bool {
  const pending = noticePending;
  noticePending = false;
  return pending;
}

/** The status message is flash text `t` (a procedure's verdict, e.g. M45's "XYZ calibration ok"). */
export function statusIs(t: RomText): bool {
  const len = romLength(t);
  if (len != length) return false;
  const offset = romOffset(t);
  for (let i: u32 = 0; i < len; i++) {
    if (load<u8>(text + i) != <u8>romByte(offset + i)) return false;
  }
  return true;
}
