// G-code lines the front panel runs: queued into the same command queue the serial port fills
// (gcode/queue.ts), as entries that owe the host no "ok" (Entry.Panel), so every procedure has
// one implementation whichever way it was started. A line is built in `text` from flash texts
// and numbers, then queued whole, or not at all when the queue is full (the caller tries again
// on a later pass).

import * as queue from "../gcode/queue";
import { Entry } from "../gcode/queue";
import { RomText, romLength, romOffset } from "../rom";
import { romByte } from "../hal";
import { formatFixed, NUMBER_MAX } from "../format";
import { alert } from "./input";

const LINE_MAX: u32 = 40;
const text = memory.data(LINE_MAX);
let length: u32 = 0;

export function begin(t: RomText): void {
  length = 0;
  append(t);
}

export function append(t: RomText): void {
  const offset = romOffset(t);
  const n = romLength(t);
  for (let i: u32 = 0; i < n && length < LINE_MAX; i++) store<u8>(text + length++, <u8>romByte(offset + i));
}

export function appendChar(c: u32): void {
  if (length < LINE_MAX) store<u8>(text + length++, <u8>c);
}

export function appendFixed(v: f32, decimals: u32): void {
  if (length + NUMBER_MAX <= LINE_MAX) length += formatFixed(text + length, v, decimals);
}

/** Queues the line built; false (nothing queued) when the queue has no free slot. */
export function submit(): bool {
  if (queue.freeSlots() == 0) return false;
  queue.push(Entry.Panel, 0, text, length);
  return true;
}

/** Queues a whole line given as one flash text; the alert tone when the queue is full. */
export function run(line: RomText): bool {
  begin(line);
  if (submit()) return true;
  alert();
  return false;
}

/**
 * Queues two or three whole lines (`c` 0: two), all or none, so that a half-done action (a
 * nozzle preheated without its bed) never happens; the alert tone when the queue has no room.
 */
export function runAll(a: RomText, b: RomText, c: RomText): bool {
  if (queue.freeSlots() < (c != 0 ? <u32>3 : <u32>2)) {
    alert();
    return false;
  }
  run(a);
  run(b);
  if (c != 0) run(c);
  return true;
}
