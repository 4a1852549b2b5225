// Where the machine is and where it may go.
//
// Three views of position:
//   logical   what G-code sees: native + an offset: for X Y Z the G92 offset; for E the share of
//             extrusion M221 added or removed (so an absolute E is measured from what G-code
//             sent, not from the scaled filament). E is reset by G92 itself, so its millimetres
//             never grow large enough to lose f32 precision;
//   native    millimetres from the homed zero, in which the travel limits are defined
//             (E: filament actually pushed);
//   steps     what the planner queues and the stepper counts; M114's Count.
// An axis whose position is not known (never homed, or its driver was switched off) refuses to
// move; a target outside the travel is clamped, with a warning, so the carriage never meets the
// frame.

import { millis, stepperEnable, watchdogReset } from "../hal";
import * as settings from "../settings/store";
import { S } from "../settings/store";
import { BoardKey, boardF32 } from "../board";
import * as planner from "./planner";
import { B } from "./planner";
import * as stepper from "./stepper";
import { AXES, E, X, Y, Z } from "./axes";
import { idle } from "../system/idle";
import { faultActive } from "../system/fault";

// Per-axis state, read and written only through the typed accessors below.
const nativeEnd = memory.data(AXES * 4); // f32 native mm where the last queued move ends
const offset = memory.data(AXES * 4); // f32 logical - native
const executed = memory.data(AXES * 4); // i32 steps at the end of the last block the stepper finished
const target = memory.data(AXES * 4); // i32 scratch: a move's target in steps

function setNativeEndMm(axis: i32, mm: f32): void {
  store<f32>(nativeEnd + (<usize>axis << 2), mm);
}
function setOffsetMm(axis: i32, mm: f32): void {
  store<f32>(offset + (<usize>axis << 2), mm);
}
function setExecutedSteps(axis: i32, steps: i32): void {
  store<i32>(executed + (<usize>axis << 2), steps);
}
function setTargetSteps(axis: i32, steps: i32): void {
  store<i32>(target + (<usize>axis << 2), steps);
}

/** Element `axis` of an f32[AXES] array of millimetres (a caller's target, for instance). */
export function mmAt(array: usize, axis: i32): f32 {
  return load<f32>(array + (<usize>axis << 2));
}

export function setMmAt(array: usize, axis: i32, mm: f32): void {
  store<f32>(array + (<usize>axis << 2), mm);
}

let homedMask: u32 = 0;
let enabledMask: u32 = 0;
/** Z was lifted for X/Y travel since its position became unknown (lifted once, never again). */
let liftedWhileZUnknown = false;
export let relativeAll = false;
export let relativeE = false;
/** Modal feedrate, mm/s (G1 F is mm/min). */
export let feedrate: f32 = 25;
export let feedratePercent: u32 = 100;
export let flowPercent: u32 = 100;
/** Switch the drivers off after this many idle seconds (M84 S); 0 = never. */
export let inactivityTimeoutS: u32 = 0;
let lastActivityMs: u32 = 0;

/**
 * The largest step position any axis may be sent to, either sign. Targets are i32 steps and the
 * planner takes the difference of two of them: with both within 2^30 the difference stays
 * within 2^31 and never overflows. At E's 161.3 steps/mm that is 6,656 m of filament; X/Y/Z
 * are far inside it (their travel is clamped first).
 */
export const MAX_STEP_POSITION: f32 = 1073741824; // 2^30

export function initMotion(): void {
  for (let a = 0; a < AXES; a++) {
    setNativeEndMm(a, 0);
    setOffsetMm(a, 0);
    setExecutedSteps(a, 0);
    planner.setPosition(a, 0, 0);
  }
}

/** Where the last queued move ends, as G-code sees it. */
export function logical(axis: i32): f32 {
  return native(axis) + offsetOf(axis);
}

/** Where the last queued move ends, in machine millimetres (E: filament actually pushed). */
export function native(axis: i32): f32 {
  return load<f32>(nativeEnd + (<usize>axis << 2));
}

export function offsetOf(axis: i32): f32 {
  return load<f32>(offset + (<usize>axis << 2));
}

/**
 * E: after the coming move the logical E is `mm` more than the native E given to queueNative().
 * The difference is the share of extrusion M221 added or removed; keeping it means an absolute
 * E in the next line is measured from what G-code sent, not from the scaled filament.
 */
export function setExtrusionOffset(mm: f32): void {
  setOffsetMm(E, mm);
}

/** Steps of the last block the stepper finished, counted from the homed zero (M114 Count). */
export function executedSteps(axis: i32): i32 {
  return load<i32>(executed + (<usize>axis << 2));
}

export function stepsPerMm(axis: i32): f32 {
  return settings.axisF32(S.StepsPerMm, axis);
}

export function isHomed(axis: i32): bool {
  return (homedMask & (1 << axis)) != 0;
}

export function homedAxes(): u32 {
  return homedMask;
}

export function minLimit(axis: i32): f32 {
  return boardF32(BoardKey.MinX + axis * 2);
}

export function maxLimit(axis: i32): f32 {
  return boardF32(BoardKey.MaxX + axis * 2);
}

// ---------------------------------------------------------------------------------------------
// Background work: retire finished blocks, keep the stepper fed, honour the inactivity timeout.

/** The blocks the interrupt has finished: their targets are where the axes are, their slots free. */
function retireFinishedBlocks(): void {
  let finished = stepper.takeFinishedBlocks();
  while (finished > 0) {
    const b = planner.blockAt(0);
    for (let a = 0; a < AXES; a++) setExecutedSteps(a, planner.blockTarget(b, a));
    planner.releaseTail();
    finished--;
  }
}

/** `moved` steps of block `b` were made on `axis`, towards its target. */
function addStepsTowards(axis: i32, b: usize, moved: i32): void {
  const start = executedSteps(axis);
  setExecutedSteps(axis, planner.blockTarget(b, axis) >= start ? start + moved : start - moved);
}

/** With the planner emptied: every axis is where its executed steps say, in steps and in mm. */
function restartFromExecuted(): void {
  for (let a = 0; a < AXES; a++) {
    const steps = executedSteps(a);
    const mm = <f32>steps / stepsPerMm(a);
    planner.setPosition(a, steps, mm);
    setNativeEndMm(a, mm);
  }
}

export function service(): void {
  retireFinishedBlocks();
  stepper.prepare();
  if (planner.blocksQueued() > 0) {
    lastActivityMs = millis();
  } else if (inactivityTimeoutS != 0 && enabledMask != 0 && millis() - lastActivityMs >= inactivityTimeoutS * 1000) {
    disableSteppers(0xf);
  }
}

/** Waits (serving serial, keepalive, motion) until every queued move has been stepped. */
export function synchronize(): void {
  while (planner.blocksQueued() > 0 || !stepper.isIdle()) {
    if (stepper.wasAborted()) return;
    idle();
  }
}

export function isMoving(): bool {
  return planner.blocksQueued() > 0 || !stepper.isIdle();
}

// ---------------------------------------------------------------------------------------------
// Drivers.

export function enableSteppers(mask: u32): void {
  enabledMask |= mask & 0xf;
  stepperEnable(enabledMask);
}

/** Drivers off: the carriages can then be moved by hand, so those axes are no longer homed. */
export function disableSteppers(mask: u32): void {
  synchronize();
  enabledMask &= ~mask;
  if ((mask & (1 << Z)) != 0) markUnhomed(Z);
  homedMask &= ~mask;
  stepperEnable(enabledMask);
}

export function enabledSteppers(): u32 {
  return enabledMask;
}

// ---------------------------------------------------------------------------------------------
// Moves.

/** mm to steps, rounding halves away from zero (as Marlin's lround). */
export function mmToSteps(mm: f32, axis: i32): i32 {
  const v = mm * stepsPerMm(axis);
  return <i32>(v >= 0 ? v + <f32>0.5 : v - <f32>0.5);
}

/** True when `mm` of `axis` is a step position the counters can hold (see MAX_STEP_POSITION). */
export function withinStepRange(mm: f32, axis: i32): bool {
  return Mathf.abs(mm * stepsPerMm(axis)) <= MAX_STEP_POSITION; // false for NaN
}

/**
 * Queues a move to native positions `nativeMm` (f32[4]) at `speed` mm/s, waiting for room in
 * the planner. checkInputs: input bits that stop the move (homing/probing). The caller has
 * checked limits and the step range. Updates the logical position (offsets stay).
 */
export function queueNative(nativeMm: usize, speed: f32, checkInputs: u32): void {
  while (planner.freeBlocks() == 0) idle();
  if (checkInputs != 0) speed = Mathf.min(speed, checkedSpeedLimit(nativeMm));
  // A fault (M112 included) may have been latched while this waited: nothing moves then, even
  // for a procedure (homing) that is still running.
  if (faultActive()) return;
  let moving: u32 = 0;
  for (let a = 0; a < AXES; a++) {
    const steps = mmToSteps(mmAt(nativeMm, a), a);
    setTargetSteps(a, steps);
    if (steps != planner.positionSteps(a)) moving |= 1 << a;
  }
  if (moving != (moving & enabledMask)) enableSteppers(moving);
  planner.queueMove(target, nativeMm, speed, checkInputs);
  for (let a = 0; a < AXES; a++) setNativeEndMm(a, mmAt(nativeMm, a));
  lastActivityMs = millis();
  stepper.prepare();
}

/**
 * Steps per second no axis exceeds in a move stopped by inputs (homing, probing). Every event of
 * such a move reads the inputs, about 390 cycles, and the interrupt runs the events of a group
 * back to back (stepper.ts: 4 per group above 20 kHz, 8 above 40 kHz): 8 came to 3,251 cycles
 * and 16 to 6,100 on the bench board (npm run bench, isrWorstCyclesBenchBoard), beyond the
 * serial receiver's 2,777 (two bytes at 115200 baud). At 20 kHz, groups of 2, a call stays under
 * 1,000. The MK2 itself homes far below: Z 13.3 mm/s x 400 steps/mm = 5.3 kHz (Prusa's
 * HOMING_FEEDRATE), X/Y 50 mm/s x 100 = 5 kHz.
 */
const CHECKED_MAX_STEP_RATE_HZ: f32 = 20000;

/** The fastest path speed (mm/s) at which no axis of the move to `nativeMm` steps faster than
 * CHECKED_MAX_STEP_RATE_HZ. */
function checkedSpeedLimit(nativeMm: usize): f32 {
  let lengthSq: f32 = 0;
  let fastest: f32 = 0; // steps per mm of path, of the axis that steps most
  for (let a = 0; a < AXES; a++) {
    const d = mmAt(nativeMm, a) - native(a);
    lengthSq += d * d;
  }
  const length = Mathf.sqrt(lengthSq);
  if (length <= 0) return CHECKED_MAX_STEP_RATE_HZ;
  for (let a = 0; a < AXES; a++) {
    const stepsPerPathMm = (Mathf.abs(mmAt(nativeMm, a) - native(a)) / length) * stepsPerMm(a);
    if (stepsPerPathMm > fastest) fastest = stepsPerPathMm;
  }
  return fastest > 0 ? CHECKED_MAX_STEP_RATE_HZ / fastest : CHECKED_MAX_STEP_RATE_HZ;
}

const scratch = memory.data(AXES * 4);

/** The current native position of every axis into `dest`. */
export function nativePosition(dest: usize): void {
  for (let a = 0; a < AXES; a++) setMmAt(dest, a, native(a));
}

/** A move along one axis by `distance` mm (native), optionally stopped by inputs. */
export function moveAxisBy(axis: i32, distance: f32, speed: f32, checkInputs: u32): void {
  nativePosition(scratch);
  setMmAt(scratch, axis, native(axis) + distance);
  queueNative(scratch, speed, checkInputs);
}

/** A move of X and Y to native positions, at `speed`. */
export function moveXYTo(x: f32, y: f32, speed: f32): void {
  nativePosition(scratch);
  setMmAt(scratch, X, x);
  setMmAt(scratch, Y, y);
  queueNative(scratch, speed, 0);
}

/**
 * Runs a move stopped by `inputs` to its end. Returns true if an input stopped it; the position
 * is then where the carriage really is.
 */
export function runCheckedMove(): bool {
  synchronize();
  if (!stepper.wasAborted()) return false;
  while (!stepper.isIdle()) idle();
  service(); // retire blocks finished before the stopped one
  const b = stepper.abortedBlock();
  for (let a = 0; a < AXES; a++) addStepsTowards(a, b, <i32>stepper.movedInAbortedBlock(a));
  planner.clear();
  stepper.clearAfterAbort();
  restartFromExecuted();
  return true;
}

/** Declares the native position of `axis` (homing): the planner and counters follow; a G92
 * offset of the axis is dropped (the new zero is the machine's). */
export function setNativePosition(axis: i32, mm: f32): void {
  synchronize();
  const steps = mmToSteps(mm, axis);
  planner.setPosition(axis, steps, mm);
  setExecutedSteps(axis, steps);
  setOffsetMm(axis, 0);
  setNativeEndMm(axis, mm);
}

/**
 * After the steps per mm changed (M92, M501, M502): every axis stays where it is in millimetres,
 * its step counts follow, and the G92 offsets stay as they were.
 */
export function resyncSteps(): void {
  synchronize();
  for (let a = 0; a < AXES; a++) {
    const mm = native(a);
    const steps = mmToSteps(mm, a);
    planner.setPosition(a, steps, mm);
    setExecutedSteps(a, steps);
  }
}

export function markHomed(axis: i32): void {
  homedMask |= 1 << axis;
  if (axis == Z) liftedWhileZUnknown = false;
}

export function markUnhomed(axis: i32): void {
  if (axis == Z && isHomed(Z)) liftedWhileZUnknown = false; // a new unknown stretch begins
  homedMask &= ~(1 << axis);
}

/** Whether Z was already lifted for travel since its position became unknown. */
export function zLiftedWhileUnknown(): bool {
  return liftedWhileZUnknown;
}

export function noteZLiftedWhileUnknown(): void {
  liftedWhileZUnknown = true;
}

/** G92: the current position of `axis` is now `value` (logical), without moving. The caller
 * checks the step range (withinStepRange) for E. */
export function setLogicalPosition(axis: i32, value: f32): void {
  if (axis == E) {
    synchronize();
    const steps = mmToSteps(value, E);
    planner.setPosition(E, steps, value);
    setExecutedSteps(E, steps);
    setNativeEndMm(E, value);
    setOffsetMm(E, 0);
  } else {
    setOffsetMm(axis, value - native(axis));
  }
}

// ---------------------------------------------------------------------------------------------
// Stopping at once (M410, and M112 before it latches its fault).

/**
 * Stops motion at once: the step interrupt ends the segment it is in (at most 2.5 ms of steps at
 * printing speeds), every queued block and segment is dropped, and the position becomes where
 * the steps actually made put the axes. The axes stay homed: no step was lost, the motion just
 * ended early. Waits without idle(): the emergency parser calls this from inside idle().
 */
export function abortMotion(): void {
  stepper.requestStop();
  // One segment at most (2.5 ms at printing speeds, 33 ms for one step at the slowest rate). An
  // interrupt that never stops is a broken board: after a second the watchdog resets it.
  const since = millis();
  while (!stepper.stoppedForRequest()) {
    if (millis() - since < 1000) watchdogReset();
  }
  retireFinishedBlocks();
  if (planner.blocksQueued() > 0) {
    // The oldest block left is the one the interrupt was in (or had not begun: 0 events made).
    const b = planner.blockAt(0);
    const checked = load<u8>(b + B.CheckInputs) != 0;
    const events = load<u32>(b + B.Events);
    const made = stepper.eventsMadeInBlock(planner.tailIndex(), b);
    for (let a = 0; a < AXES; a++) {
      const steps = load<u32>(b + B.Steps + (<u32>a << 2));
      // A checked block (homing, probing) counts every axis's steps; others follow from Bresenham.
      // (No event made: the block had not begun, and its counters are a former block's.)
      const moved = made == 0 ? 0 : checked ? stepper.movedInAbortedBlock(a) : stepsAfterEvents(steps, events, made);
      addStepsTowards(a, b, <i32>moved);
    }
  }
  planner.clear();
  stepper.finishStop();
  restartFromExecuted();
}

/**
 * Steps an axis with `steps` of the block's `events` made after `made` events: the interrupt's
 * Bresenham starts its counter at -ceil((events + 1) / 2) (stepper.ts startBlock) and steps when
 * the counter, raised by `steps` per event, reaches 0; so after k events it has stepped
 * floor((k * steps - h) / events) + 1 times when k * steps >= h, h = (events + 1) >> 1, else 0.
 */
export function stepsAfterEvents(steps: u32, events: u32, made: u32): u32 {
  if (steps == 0 || made == 0) return 0;
  if (steps >= events) return made;
  const h = (events + 1) >> 1;
  return mulSubDiv(made, steps, h, events);
}

/**
 * (a * b >= c) ? floor((a * b - c) / d) + 1 : 0 for a, b <= d, exactly: the product needs up to
 * 64 bits, which the module may not use (i64), so it is kept as two u32 halves and divided bit by bit.
 */
function mulSubDiv(a: u32, b: u32, c: u32, d: u32): u32 {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  let lo = al * bl;
  let hi = ah * bh;
  const mid1 = ah * bl;
  const mid2 = al * bh;
  let t = lo + (mid1 << 16);
  if (t < lo) hi++;
  lo = t;
  hi += mid1 >>> 16;
  t = lo + (mid2 << 16);
  if (t < lo) hi++;
  lo = t;
  hi += mid2 >>> 16;
  if (hi == 0 && lo < c) return 0;
  if (lo < c) hi--;
  lo -= c;
  let q: u32 = 0;
  let r: u32 = 0;
  for (let i: i32 = 63; i >= 0; i--) {
    const bit = i >= 32 ? (hi >>> (<u32>i - 32)) & 1 : (lo >>> <u32>i) & 1;
    const carry = r >>> 31;
    r = (r << 1) | bit;
    q <<= 1;
    if (carry != 0 || r >= d) {
      r -= d;
      q |= 1;
    }
  }
  return q + 1;
}

/** Every driver off at once, without waiting for motion (M112, a fault): no axis is homed after. */
export function driversOff(): void {
  enabledMask = 0;
  homedMask = 0;
  stepperEnable(0);
}
