// Probing primitives for the XYZ calibration: a vertical probe at a point, and a horizontal
// sweep at a fixed nozzle height that the probe stops.
//
// Every move here is in machine coordinates (the carriages' own), bypassing the bed transform:
// the calibration is what measures that transform.
//
// Safety: no probe goes lower than NOZZLE_FLOOR_MM over the bed as expected there: at first the
// bed as Z homing found it (the probe switched over the front-centre target with the nozzle
// -probe offset Z above it), then the plane through the targets measured so far (xyz.ts). A probe that
// does not switch above the floor reports "not found" instead of pushing on; a probe that is
// already switched where it should be open reports "stuck" (a shorted cable, or metal chips).

import * as motion from "../motion/motion";
import { X, Y, Z } from "../motion/axes";
import { INPUT_PROBE } from "../motion/inputs";
import { readInputs } from "../hal";
import { faultActive } from "../system/fault";
import { progressCancelled } from "../ui/progress";

/** Lowest nozzle height any calibration move goes to, mm. The MK42's induction targets switch a
 * nominal PINDA with the nozzle 0.4 mm up (board.json probe offset); a sensor 15 % weak at 0.19 mm
 * (tests/scenarios/weak-sensor.json). 0.08 mm keeps a 80 um margin for the bed's flatness between
 * the homing point and the other targets. */
export const NOZZLE_FLOOR_MM: f32 = 0.08;
/** Height the nozzle hovers at between probes near one target, mm: above every trigger height
 * (0.4 mm nominal, 0.54 mm for a 10 % strong sensor) plus the largest hysteresis (0.25 mm). */
export const HOVER_MM: f32 = 1.2;
/** Height for travel between targets, mm. */
export const TRAVEL_MM: f32 = 3;
/** Extra lift after a sweep hit so the switch opens again: more than the hysteresis (<= 0.25 mm,
 * Prusa's accepted range), with 0.07 mm to spare (the next sweep starts further out, where the
 * reach is lower still). */
const REOPEN_LIFT_MM: f32 = 0.32;

/** Z speed of a probe, mm/s: 400 steps/mm makes 2.5 um a step, 1600 steps/s at this speed. */
const PROBE_Z_SPEED: f32 = 4;
const TRAVEL_Z_SPEED: f32 = 10;
const TRAVEL_XY_SPEED: f32 = 100;
/** Sweep speed, mm/s: the probe is read every step (100 steps/mm), so the hit is exact to 10 um;
 * slow enough that the deceleration after the stop is not needed (the move stops dead). */
const SWEEP_SPEED: f32 = 15;

/** A fault latched, or the owner cancelled on the panel's progress screen: stop, as aborted. */
function stopped(): bool {
  return faultActive() || progressCancelled;
}

export const NOT_FOUND: f32 = -1000;
export const STUCK: f32 = -2000;
export const ABORTED: f32 = -3000;

export const enum SweepResult {
  Hit = 0,
  /** The probe was already switched at the start (the start is inside the target's response). */
  StartInside = 1,
  /** Reached the end without switching. */
  Miss = 2,
  /** A fault (M112) stopped it, or the owner cancelled (ui/progress.ts). */
  Aborted = 3,
}

/** Where the last sweep hit, machine mm. */
export let hitX: f32 = 0;
export let hitY: f32 = 0;
/** Probes and sweeps made since reset (for the report). */
export let probeCount: i32 = 0;
export let sweepCount: i32 = 0;

const target = memory.data(16);

function probeSwitched(): bool {
  return (readInputs() & INPUT_PROBE) != 0;
}

export function resetCounts(): void {
  probeCount = 0;
  sweepCount = 0;
}

/** Moves Z to `z` (unchecked), at travel speed. */
export function moveZTo(z: f32): void {
  motion.moveAxisBy(Z, z - motion.native(Z), TRAVEL_Z_SPEED, 0);
  motion.synchronize();
}

/** Raises Z to at least `z`, then moves X/Y to (x, y) clamped to the travel. */
export function travelTo(x: f32, y: f32, z: f32): void {
  if (motion.native(Z) < z) moveZTo(z);
  motion.moveXYTo(clampAxis(x, X), clampAxis(y, Y), TRAVEL_XY_SPEED);
  motion.synchronize();
}

export function clampAxis(v: f32, axis: i32): f32 {
  return Mathf.min(Mathf.max(v, motion.minLimit(axis)), motion.maxLimit(axis));
}

export function reachable(v: f32, axis: i32): bool {
  return v >= motion.minLimit(axis) && v <= motion.maxLimit(axis);
}

/**
 * Probes down at machine (x, y) from the hover height to `floorMm` (the caller's expected bed
 * there plus NOZZLE_FLOOR_MM). Returns the nozzle height
 * where the probe switched, NOT_FOUND (not above the floor), STUCK (switched before descending)
 * or ABORTED.
 */
export function probeAt(x: f32, y: f32, floorMm: f32): f32 {
  probeCount++;
  // HOVER_MM over the bed expected here: over a part of the bed higher than where Z was homed
  // (0.5 mm at the rear of a tilted bed) a fixed 1.2 mm left the switch closed (random-1-19).
  const hover = Mathf.max(HOVER_MM, floorMm - NOZZLE_FLOOR_MM + HOVER_MM);
  travelTo(x, y, hover);
  if (motion.native(Z) > hover) moveZTo(hover);
  if (stopped()) return ABORTED;
  if (probeSwitched()) return STUCK;
  motion.moveAxisBy(Z, floorMm - motion.native(Z), PROBE_Z_SPEED, INPUT_PROBE);
  const hit = motion.runCheckedMove();
  if (stopped()) return ABORTED;
  const z = motion.native(Z);
  moveZTo(hover);
  return hit ? z : NOT_FOUND;
}

/**
 * A sweep from (x0, y0) at nozzle height z0 to (x1, y1) at z1, stopped by the probe: a straight
 * line, so that it can run parallel to a tilted bed (xyz.ts). The nozzle rises above both first
 * (so the switch is open whatever the last sweep left), moves to the start and descends to z0
 * watching the probe.
 */
export function sweep(x0: f32, y0: f32, x1: f32, y1: f32, z0: f32, z1: f32): SweepResult {
  sweepCount++;
  const above = Mathf.max(z0, z1) + REOPEN_LIFT_MM;
  if (motion.native(Z) < above) moveZTo(above);
  // Never past the travel (the caller keeps inside it; this is the last guard: a carriage driven
  // into the frame skips steps and loses its position).
  x0 = clampAxis(x0, X);
  y0 = clampAxis(y0, Y);
  x1 = clampAxis(x1, X);
  y1 = clampAxis(y1, Y);
  motion.moveXYTo(x0, y0, TRAVEL_XY_SPEED);
  motion.synchronize();
  if (stopped()) return SweepResult.Aborted;
  if (probeSwitched()) return SweepResult.StartInside;
  // Watched, but at travel speed: a switch on the way down only means the start is inside the
  // response (the sweep is skipped), so where exactly it switched does not matter.
  motion.moveAxisBy(Z, z0 - motion.native(Z), TRAVEL_Z_SPEED, INPUT_PROBE);
  if (motion.runCheckedMove()) return stopped() ? SweepResult.Aborted : SweepResult.StartInside;
  if (stopped()) return SweepResult.Aborted;
  motion.nativePosition(target);
  motion.setMmAt(target, X, x1);
  motion.setMmAt(target, Y, y1);
  motion.setMmAt(target, Z, z1);
  motion.queueNative(target, SWEEP_SPEED, INPUT_PROBE);
  const hit = motion.runCheckedMove();
  if (stopped()) return SweepResult.Aborted;
  hitX = motion.native(X);
  hitY = motion.native(Y);
  moveZTo(above);
  return hit ? SweepResult.Hit : SweepResult.Miss;
}
