// What a slicer's file says about the print around the moves: progress (M73), units (G20/G21),
// linear advance (M900). PrusaSlicer's MK2S start code sends M900 and G21, and M73 throughout.

import * as out from "../serial/out";
import { rom } from "../rom";
import * as parser from "./parser";
import { Letter } from "./letters";

/** Percent done (M73 P), or -1 before any. */
export let progressPercent: i32 = -1;
/** Minutes left (M73 R), or -1 when not given. */
export let minutesLeft: i32 = -1;
let advanceWarned = false;

/** M73 P<percent> R<minutes left>: shown on the status screen. */
export function m73(): void {
  if (parser.has(Letter.P)) {
    const p = parser.value(Letter.P);
    if (!(p >= 0 && p <= 100)) {
      out.line(rom("Error:M73 P must be 0-100; not changed"));
      return;
    }
    progressPercent = <i32>p;
  }
  if (parser.has(Letter.R)) {
    const r = parser.value(Letter.R);
    minutesLeft = r >= 0 && r < 100000 ? <i32>r : -1;
  }
}

/** G21: millimetres, which Plumb always uses. */
export function g21(): void {}

/** G20 (inches): refused, so that a file in inches never prints 25.4 times too small. */
export function g20(): void {
  out.line(rom("Error:G20 (inches) is not supported: Plumb works in millimetres (G21); not executed"));
}

/** M900 K: accepted so files run, but Plumb has no linear advance; said once. */
export function m900(): void {
  if (advanceWarned) return;
  advanceWarned = true;
  out.line(rom("echo:M900: no linear advance in this firmware; K ignored (said once)"));
}
