// Motion G-codes: G0/G1, G4, G28, G90/G91, G92, M17, M18/M84, M82/M83, M114, M119, M220, M221,
// M400.

import * as parser from "./parser";
import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import { millis } from "../hal";
import * as motion from "../motion/motion";
import * as homing from "../motion/homing";
import { AXES, E, X, Y, axisLetter } from "../motion/axes";
import { readInputs } from "../hal";
import { INPUT_PROBE, INPUT_X_MIN, INPUT_Y_MIN } from "../motion/inputs";
import { idle } from "../system/idle";

const F: u32 = 70;
const P: u32 = 80;
const S_: u32 = 83;

const targetMm = memory.data(AXES * 4); // f32 native

/** Feedrates a G1 F may ask for, mm/min. */
const F_MIN: f32 = 1;
const F_MAX: f32 = 60000;

/** G0/G1 [X Y Z E F]: a straight move. */
export function g1(): void {
  if (parser.hasValue(F)) {
    const f = parser.value(F);
    if (!(f >= F_MIN && f <= F_MAX)) {
      out.text(rom("Error:G1 F"));
      out.fixed(f, 2);
      out.line(rom(" out of range (1 to 60000 mm/min); not executed"));
      return;
    }
  }
  // Work out the whole move first; refuse it before anything changes.
  let moving: u32 = 0;
  for (let a = 0; a < AXES; a++) {
    const l = axisLetter(a);
    let v = motion.logical(a);
    if (parser.hasValue(l)) {
      const relative = motion.relativeAll || (a == E && motion.relativeE);
      const given = parser.value(l);
      if (a == E) {
        const delta = (relative ? given : given - motion.logical(E)) * <f32>motion.flowPercent / <f32>100;
        v = motion.logical(E) + delta;
      } else {
        v = relative ? v + given : given;
      }
      if (v != motion.logical(a)) moving |= 1 << a;
    }
    store<f32>(targetMm + (<u32>a << 2), a == E ? v : v - motion.offsetOf(a));
  }
  for (let a = 0; a < 3; a++) {
    if ((moving & (1 << a)) != 0 && !motion.isHomed(a)) {
      out.text(rom("Error:Refused: "));
      out.char(axisLetter(a));
      out.line(rom(" is not homed, so its position is unknown; home it first (G28)"));
      return;
    }
  }
  if (parser.hasValue(F)) motion.feedrate = parser.value(F) / <f32>60;
  if (moving == 0) return;
  for (let a = 0; a < 3; a++) {
    if ((moving & (1 << a)) == 0) continue;
    const v = load<f32>(targetMm + (<u32>a << 2));
    const lo = motion.minLimit(a);
    const hi = motion.maxLimit(a);
    if (v < lo || v > hi) {
      const clamped = v < lo ? lo : hi;
      out.text(rom("echo:Warning: "));
      out.char(axisLetter(a));
      out.fixed(v + motion.offsetOf(a), 2);
      out.text(rom(" is outside the travel ("));
      out.fixed(lo + motion.offsetOf(a), 2);
      out.text(rom(" to "));
      out.fixed(hi + motion.offsetOf(a), 2);
      out.text(rom("); moving to "));
      out.fixed(clamped + motion.offsetOf(a), 2);
      out.line(rom(" instead"));
      store<f32>(targetMm + (<u32>a << 2), clamped);
    }
  }
  motion.queueNative(targetMm, (motion.feedrate * <f32>motion.feedratePercent) / <f32>100, 0);
}

/** G4 P<ms> | S<s>: finish the moves, then wait. */
export function g4(): void {
  let ms: u32 = 0;
  if (parser.hasValue(P)) ms = <u32>Mathf.max(parser.value(P), 0);
  if (parser.hasValue(S_)) ms = <u32>Mathf.max(parser.value(S_) * 1000, 0);
  motion.synchronize();
  const start = millis();
  while (millis() - start < ms) idle();
}

/** G28 [X] [Y] [Z] [W]: home the given axes, or all. W (Prusa: "without mesh leveling") is
 * accepted; homing never starts mesh leveling here. */
export function g28(): void {
  let x = parser.has(88);
  let y = parser.has(89);
  let z = parser.has(90);
  if (!x && !y && !z) x = y = z = true;
  homing.liftForTravel();
  if (x && !homing.homeXY(X)) return;
  if (y && !homing.homeXY(Y)) return;
  if (z) homing.homeZ();
}

export function g90(): void {
  motion.relativeAll = false;
}

export function g91(): void {
  motion.relativeAll = true;
}

/** G92 [X Y Z E]: declare the current position without moving. */
export function g92(): void {
  for (let a = 0; a < AXES; a++) {
    if (parser.hasValue(axisLetter(a))) motion.setLogicalPosition(a, parser.value(axisLetter(a)));
  }
}

export function m82(): void {
  motion.relativeE = false;
}

export function m83(): void {
  motion.relativeE = true;
}

function axesGiven(): u32 {
  let mask: u32 = 0;
  for (let a = 0; a < AXES; a++) if (parser.has(axisLetter(a))) mask |= 1 << a;
  return mask;
}

/** M17 [X Y Z E]: drivers on. */
export function m17(): void {
  const mask = axesGiven();
  motion.enableSteppers(mask == 0 ? 0xf : mask);
}

/** M84/M18 [X Y Z E] [S<seconds>]: drivers off (after the moves), or the inactivity timeout. */
export function m84(): void {
  if (parser.hasValue(S_)) {
    const s = parser.value(S_);
    if (!(s >= 0 && s <= 86400)) {
      out.line(rom("Error:M84 S must be 0 to 86400 seconds; nothing changed"));
      return;
    }
    motion.inactivityTimeoutS = <u32>s;
    return;
  }
  const mask = axesGiven();
  motion.disableSteppers(mask == 0 ? 0xf : mask);
}

/** M114: position as G-code sees it, then the stepper's step counts (Marlin's format). */
export function m114(): void {
  for (let a = 0; a < AXES; a++) {
    if (a) out.char(32);
    out.char(axisLetter(a));
    out.char(58);
    out.fixed(motion.logical(a), 2);
  }
  out.text(rom(" Count"));
  for (let a = 0; a < 3; a++) {
    out.char(32);
    out.char(axisLetter(a));
    out.char(58);
    out.int(motion.executedSteps(a));
  }
  out.newline();
}

/** M119: switches and probe. */
export function m119(): void {
  const v = readInputs();
  out.line(rom("Reporting endstop status"));
  out.text(rom("x_min: "));
  state(v & INPUT_X_MIN);
  out.text(rom("y_min: "));
  state(v & INPUT_Y_MIN);
  out.text(rom("z_probe: "));
  state(v & INPUT_PROBE);
}

function state(triggered: u32): void {
  out.line(triggered ? rom("TRIGGERED") : rom("open"));
}

const NO_PERCENT: i32 = -1;
const BAD_PERCENT: i32 = -2;

/** The S<percent> of M220/M221 (10 to 500), NO_PERCENT without S, or BAD_PERCENT (refused). */
function percentArgument(refusal: RomText): i32 {
  if (!parser.hasValue(S_)) return NO_PERCENT;
  const s = parser.value(S_);
  if (!(s >= 10 && s <= 500)) {
    out.line(refusal);
    return BAD_PERCENT;
  }
  return <i32>nearest<f32>(s);
}

function reportPercent(label: RomText, percent: u32): void {
  out.text(label);
  out.uint(percent);
  out.line(rom("%"));
}

/** M220 [S<percent>]: feedrate override. */
export function m220(): void {
  const p = percentArgument(rom("Error:M220 S must be 10 to 500 percent; nothing changed"));
  if (p == NO_PERCENT) reportPercent(rom("FR:"), motion.feedratePercent);
  else if (p >= 0) motion.feedratePercent = <u32>p;
}

/** M221 [S<percent>]: extrusion (flow) multiplier. */
export function m221(): void {
  const p = percentArgument(rom("Error:M221 S must be 10 to 500 percent; nothing changed"));
  if (p == NO_PERCENT) reportPercent(rom("echo:E0 Flow: "), motion.flowPercent);
  else if (p >= 0) motion.flowPercent = <u32>p;
}

/** M400: wait until every queued move is done. */
export function m400(): void {
  motion.synchronize();
}

