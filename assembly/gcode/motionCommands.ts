// Motion G-codes: G0/G1, G4, G28, G90/G91, G92, M17, M18/M84, M82/M83, M114, M119, M220, M221,
// M302, M400.

import * as parser from "./parser";
import { Letter } from "./letters";
import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import { millis } from "../hal";
import * as motion from "../motion/motion";
import * as homing from "../motion/homing";
import { AXES, E, X, Y, Z, axisLetter } from "../motion/axes";
import { readInputs } from "../hal";
import { INPUT_PROBE, INPUT_X_MIN, INPUT_Y_MIN } from "../motion/inputs";
import { idle } from "../system/idle";
import { beginWait, waitBroken } from "../system/wait";
import { Reading, Sensor, readingOf, temperature } from "../temperature/sensors";
import * as bedTransform from "../calibration/bedTransform";
import * as mesh from "../leveling/mesh";
import * as leveledMoves from "../leveling/leveledMoves";

const targetMm = memory.data(AXES * 4); // f32 native

/** Feedrates a G1 F may ask for, mm/min. */
const F_MIN: f32 = 1;
const F_MAX: f32 = 60000;

/**
 * The most filament one move may push or pull, mm (Marlin's EXTRUDE_MAXLENGTH idea, and its
 * default of 200 mm). Filament changes on the MK2 move 70-100 mm at a time; a longer E is a
 * typing error or a wrong E mode, and would grind the filament for minutes.
 */
export const EXTRUDE_MAX_MM: f32 = 200;
/** Below this hotend temperature E is refused unless M302 P1 (Marlin's EXTRUDE_MINTEMP, 170 C). */
export const COLD_EXTRUSION_DEFAULT_C: f32 = 170;
let coldExtrusionMinC: f32 = COLD_EXTRUSION_DEFAULT_C;
let coldExtrusionAllowed = false;

/** The longest G4 dwell, s: a day, as M84 S (a larger value is a mistake, not a pause). */
const DWELL_MAX_S: f32 = 86400;

/** Whether the hotend is hot enough to move filament (or M302 allowed it cold). */
function extrusionAllowed(): bool {
  if (coldExtrusionAllowed) return true;
  return readingOf(Sensor.Hotend) == Reading.Ok && temperature(Sensor.Hotend) >= coldExtrusionMinC;
}

/**
 * Where the last move ends in world coordinates (on the bed, after the XYZ calibration's
 * transform), without the G92 offset: X and Y go through the bed transform, Z and E are native.
 */
function worldNative(axis: i32): f32 {
  // Mesh leveling: Z as G-code asked for it, without the bed's correction (leveling/leveledMoves.ts).
  if (axis == Z) return motion.native(Z) - leveledMoves.correctionInEffect();
  if (axis > Y || bedTransform.isIdentity()) return motion.native(axis);
  bedTransform.machineToWorld(motion.native(X), motion.native(Y));
  return axis == X ? bedTransform.outX : bedTransform.outY;
}

/** Where the last move ends as G-code sees it (world coordinates plus the G92 offset). */
function worldLogical(axis: i32): f32 {
  return worldNative(axis) + motion.offsetOf(axis);
}

/** G0/G1 [X Y Z E F]: a straight move. */
export function g1(): void {
  if (parser.hasValue(Letter.F)) {
    const f = parser.value(Letter.F);
    if (!(f >= F_MIN && f <= F_MAX)) {
      out.text(rom("Error:G1 F"));
      out.fixed(f, 2);
      out.line(rom(" out of range (1 to 60000 mm/min); not executed"));
      return;
    }
  }
  // Work out the whole move first; refuse it before anything changes.
  let moving: u32 = 0;
  let logicalE = motion.logical(E);
  for (let a = 0; a < AXES; a++) {
    const l = axisLetter(a);
    let v = worldLogical(a);
    if (parser.hasValue(l)) {
      const relative = motion.relativeAll || (a == E && motion.relativeE);
      const given = parser.value(l);
      v = relative ? v + given : given;
      if (v != worldLogical(a)) moving |= 1 << a;
    }
    if (a == E) {
      // M221 scales what is pushed, not what G-code counts: the logical E follows the G-code,
      // the machine E moves by the scaled difference.
      logicalE = v;
      motion.setMmAt(targetMm, E, motion.native(E) + ((v - motion.logical(E)) * <f32>motion.flowPercent) / <f32>100);
    } else {
      motion.setMmAt(targetMm, a, v - motion.offsetOf(a));
    }
  }
  // The bed transform (M45): the carriages go where the nozzle lands on the asked bed point;
  // a move in X alone on the bed may need both carriages.
  const worldX = motion.mmAt(targetMm, X), worldY = motion.mmAt(targetMm, Y);
  if (!bedTransform.isIdentity() && (moving & 3) != 0) {
    bedTransform.worldToMachine(worldX, worldY);
    motion.setMmAt(targetMm, X, bedTransform.outX);
    motion.setMmAt(targetMm, Y, bedTransform.outY);
    if (bedTransform.outX != motion.native(X)) moving |= 1 << X;
    if (bedTransform.outY != motion.native(Y)) moving |= 1 << Y;
  }
  for (let a = 0; a < 3; a++) {
    if ((moving & (1 << a)) != 0 && !motion.isHomed(a)) {
      out.text(rom("Error:Refused: "));
      out.char(axisLetter(a));
      out.line(rom(" is not homed, so its position is unknown; home it first (G28)"));
      return;
    }
  }
  if ((moving & (1 << E)) != 0 && !extrusionGuards(motion.mmAt(targetMm, E) - motion.native(E))) return;
  if ((moving & (1 << E)) != 0 && !motion.withinStepRange(motion.mmAt(targetMm, E), E)) {
    out.line(rom("Error:G1: E target beyond the step counter's range (reset E with G92 E0); not executed"));
    return;
  }
  if (parser.hasValue(Letter.F)) motion.feedrate = parser.value(Letter.F) / <f32>60;
  if (moving == 0) return;
  let clampedXY = false;
  for (let a = 0; a < 3; a++) {
    if ((moving & (1 << a)) == 0) continue;
    const v = motion.mmAt(targetMm, a);
    const lo = motion.minLimit(a);
    const hi = motion.maxLimit(a);
    if (v < lo || v > hi) {
      const clamped = v < lo ? lo : hi;
      // Through the bed transform the carriages' limits are not the bed's: said below, in bed
      // coordinates, once X and Y are both clamped.
      if (a < 2 && !bedTransform.isIdentity()) {
        motion.setMmAt(targetMm, a, clamped);
        clampedXY = true;
        continue;
      }
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
      motion.setMmAt(targetMm, a, clamped);
    }
  }
  if (clampedXY) {
    bedTransform.machineToWorld(motion.mmAt(targetMm, X), motion.mmAt(targetMm, Y));
    out.text(rom("echo:Warning: X"));
    out.fixed(worldX + motion.offsetOf(X), 2);
    out.text(rom(" Y"));
    out.fixed(worldY + motion.offsetOf(Y), 2);
    out.text(rom(" is outside the carriages' travel; moving to X"));
    out.fixed(bedTransform.outX + motion.offsetOf(X), 2);
    out.text(rom(" Y"));
    out.fixed(bedTransform.outY + motion.offsetOf(Y), 2);
    out.line(rom(" instead"));
  }
  motion.setExtrusionOffset(logicalE - motion.mmAt(targetMm, E));
  const speed = (motion.feedrate * <f32>motion.feedratePercent) / <f32>100;
  // Mesh leveling (leveling/leveledMoves.ts): Z follows the bed, the move split over the mesh.
  if (mesh.isActive()) leveledMoves.queueLeveled(targetMm, speed);
  else motion.queueNative(targetMm, speed, 0);
}

/** The E guards: too long an extrusion, or a cold hotend. False (after saying why) refuses the move. */
function extrusionGuards(filamentMm: f32): bool {
  if (!(Mathf.abs(filamentMm) <= EXTRUDE_MAX_MM)) {
    out.text(rom("Error:Too long extrusion prevented: E"));
    out.fixed(filamentMm, 2);
    out.line(rom(" mm in one move, at most 200; not executed"));
    return false;
  }
  if (!extrusionAllowed()) {
    out.text(rom("Error:Cold extrusion prevented: the hotend is at "));
    out.fixed(temperature(Sensor.Hotend), 1);
    out.text(rom("C, E needs "));
    out.fixed(coldExtrusionMinC, 0);
    out.line(rom("C (heat it, or allow cold E with M302 P1); not executed"));
    return false;
  }
  return true;
}

/** M302 [S<min C>] [P<1 allow, 0 prevent>]: cold-extrusion prevention, reported without arguments. */
export function m302(): void {
  const hasS = parser.hasValue(Letter.S);
  const hasP = parser.hasValue(Letter.P);
  if (hasS) {
    const s = parser.value(Letter.S);
    if (!(s >= 0 && s <= 400)) {
      out.line(rom("Error:M302 S must be 0 to 400 C; nothing changed"));
      return;
    }
  }
  if (hasP) {
    const p = parser.value(Letter.P);
    if (p != 0 && p != 1) {
      out.line(rom("Error:M302 P must be 0 (prevent) or 1 (allow); nothing changed"));
      return;
    }
  }
  if (hasS) coldExtrusionMinC = parser.value(Letter.S);
  if (hasP) coldExtrusionAllowed = parser.value(Letter.P) == 1;
  if (hasS || hasP) return;
  if (coldExtrusionAllowed) {
    out.line(rom("echo:Cold extrusion allowed (M302 P1): E moves at any hotend temperature"));
  } else {
    out.text(rom("echo:Cold extrusion prevented below "));
    out.fixed(coldExtrusionMinC, 0);
    out.line(rom("C (M302 P1 allows it)"));
  }
}

/** G4 P<ms> | S<s>: finish the moves, then wait (M108 cuts the wait short). At most a day. */
export function g4(): void {
  let seconds: f32 = 0;
  if (parser.hasValue(Letter.P)) seconds = parser.value(Letter.P) / <f32>1000;
  if (parser.hasValue(Letter.S)) seconds = parser.value(Letter.S);
  if (!(seconds >= 0 && seconds <= DWELL_MAX_S)) {
    out.line(rom("Error:G4 dwell must be 0 to 86400 s (P0 to P86400000 ms); not executed"));
    return;
  }
  const ms = <u32>(seconds * <f32>1000 + <f32>0.5);
  motion.synchronize();
  beginWait();
  const start = millis();
  while (millis() - start < ms && !waitBroken()) idle();
}

/** G28 [X] [Y] [Z] [W]: home the given axes, or all. W (Prusa: "without mesh leveling") is
 * accepted; homing never starts mesh leveling here. A failure latches the fault and ends G28.
 * Leveling: the mesh and whether it is on are kept (Marlin's RESTORE_LEVELING_AFTER_G28): Z homes
 * over the same point every time, so a mesh measured from that zero stays true. Prusa's MK2
 * instead runs G80 after a plain G28; here G80 runs only when asked (PrusaSlicer's MK2 start
 * G-code sends G28 W, then G80, which does the same). */
export function g28(): void {
  let x = parser.has(Letter.X);
  let y = parser.has(Letter.Y);
  let z = parser.has(Letter.Z);
  if (!x && !y && !z) x = y = z = true;
  if (z && !homing.zHomingPossible(x, y)) return; // before anything moves
  // With Z unknown and to be homed, raising it to the top is the travel lift too.
  const raised = z && !motion.isHomed(Z);
  if (raised) homing.raiseToTop();
  else homing.liftForTravel();
  if (x && !homing.homeXY(X)) return;
  if (y && !homing.homeXY(Y)) return;
  if (z) {
    leveledMoves.forget(); // the Z homing finds is the bed's own: no correction in it
    homing.homeZ(raised);
  }
}

export function g90(): void {
  motion.relativeAll = false;
}

export function g91(): void {
  motion.relativeAll = true;
}

/** G92 [X Y Z E]: declare the current position without moving. */
export function g92(): void {
  if (parser.hasValue(Letter.E) && !motion.withinStepRange(parser.value(Letter.E), E)) {
    out.line(rom("Error:G92 E beyond the step counter's range; nothing changed"));
    return;
  }
  for (let a = 0; a < AXES; a++) {
    // X/Y: the offset is counted from the world position (the bed transform's), as G1 reads it.
    if (parser.hasValue(axisLetter(a))) motion.setLogicalPosition(a, parser.value(axisLetter(a)) - worldNative(a) + motion.native(a));
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
  if (parser.hasValue(Letter.S)) {
    const s = parser.value(Letter.S);
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
    if (a) out.char(32); // ' '
    out.char(axisLetter(a));
    out.char(58); // ':'
    out.fixed(worldLogical(a), 2);
  }
  out.text(rom(" Count"));
  for (let a = 0; a < 3; a++) {
    out.char(32); // ' '
    out.char(axisLetter(a));
    out.char(58); // ':'
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
  if (!parser.hasValue(Letter.S)) return NO_PERCENT;
  const s = parser.value(Letter.S);
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

