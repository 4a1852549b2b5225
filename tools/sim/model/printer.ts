// The virtual printer: the physics the firmware drives, written once and used twice — compiled to
// wasm for host runs in Node (hal/host), and through wasm2c into the simavr harness (harness.c).
// It is host code: f64 is fine here.
//
// Coordinates are physical millimetres. X/Y/Z 0 is where a correctly homed firmware's 0 is; the
// endstops trigger at the configured positions, the frame stops the carriages a little beyond
// the travel, and the nozzle must never go below the bed surface.
//
// Axes: 0 X, 1 Y, 2 Z, 3 E.

import { noteExtrusion, resetThermistors, thermalReset } from "./thermal";

const AXES = 4;

/** Violation kinds, reported by violations(kind). */
export const enum Violation {
  /** A step pulse shorter than the drivers' minimum high time. */
  PulseHigh = 0,
  /** Too little low time between two step pulses. */
  PulseLow = 1,
  /** A step edge too soon after a direction change. */
  DirSetup = 2,
  /** A step pulse while the axis driver was disabled (the motor would not move). */
  StepWhileDisabled = 3,
  /** A carriage driven into the frame (steps lost). */
  FrameCollision = 4,
  /** The nozzle driven into the bed. */
  BedCrash = 5,
  Count = 6,
}

// Per-axis state, f64 unless noted.
const stepsPerMm = memory.data(AXES * 8);
const positionMm = memory.data(AXES * 8);
const startMm = memory.data(AXES * 8);
const endstopMm = memory.data(AXES * 8); // X/Y: triggers at or below this
const frameMinMm = memory.data(AXES * 8);
const frameMaxMm = memory.data(AXES * 8);
const lastRiseNs = memory.data(AXES * 8);
const lastFallNs = memory.data(AXES * 8);
const lastDirNs = memory.data(AXES * 8);
const netSteps = memory.data(AXES * 4); // i32
const totalSteps = memory.data(AXES * 4); // i32
const dirPositive = memory.data(AXES * 4); // i32
const stepHigh = memory.data(AXES * 4); // i32

const violationCount = memory.data(Violation.Count * 4);
const violationFirstNs = memory.data(Violation.Count * 8);
const violationAxis = memory.data(Violation.Count * 4);

let enabledMask: i32 = 0;
let pulseHighNs: f64 = 1000;
let pulseLowNs: f64 = 1000;
let dirSetupNs: f64 = 200;

let probeOffsetX: f64 = 23;
let probeOffsetY: f64 = 9;
/** Nozzle height above the bed (at the probe's XY) at which the inductive sensor switches. */
let probeTriggerMm: f64 = 0.4;
/** Bed surface: z = bedZ0 + bedSlopeX * x + bedSlopeY * y (flat and level by default). */
let bedZ0: f64 = 0;
let bedSlopeX: f64 = 0;
let bedSlopeY: f64 = 0;
/** How far below the surface the nozzle may press before it counts as a crash (bed flex, PEI). */
const CRASH_TOLERANCE_MM: f64 = 0.05;

function f64At(base: usize, axis: i32): f64 {
  return load<f64>(base + (<usize>axis << 3));
}
function setF64(base: usize, axis: i32, v: f64): void {
  store<f64>(base + (<usize>axis << 3), v);
}
function i32At(base: usize, axis: i32): i32 {
  return load<i32>(base + (<usize>axis << 2));
}
function setI32(base: usize, axis: i32, v: i32): void {
  store<i32>(base + (<usize>axis << 2), v);
}

function violate(kind: i32, axis: i32, timeNs: f64): void {
  const n = i32At(violationCount, kind);
  if (n == 0) {
    setF64(violationFirstNs, kind, timeNs);
    setI32(violationAxis, kind, axis);
  }
  setI32(violationCount, kind, n + 1);
}

export function reset(): void {
  for (let a = 0; a < AXES; a++) {
    setF64(stepsPerMm, a, 100);
    setF64(positionMm, a, 0);
    setF64(startMm, a, 0);
    setF64(endstopMm, a, -1e9);
    setF64(frameMinMm, a, -1e9);
    setF64(frameMaxMm, a, 1e9);
    setF64(lastRiseNs, a, -1e12);
    setF64(lastFallNs, a, -1e12);
    setF64(lastDirNs, a, -1e12);
    setI32(netSteps, a, 0);
    setI32(totalSteps, a, 0);
    setI32(dirPositive, a, 1);
    setI32(stepHigh, a, 0);
  }
  for (let k = 0; k < Violation.Count; k++) {
    setI32(violationCount, k, 0);
    setF64(violationFirstNs, k, 0);
    setI32(violationAxis, k, -1);
  }
  enabledMask = 0;
  resetThermistors(4700);
  thermalReset(22);
}

/** One axis' mechanics. endstop: position (mm) at or below which its min switch reads triggered. */
export function setAxis(axis: i32, steps: f64, start: f64, endstop: f64, frameMin: f64, frameMax: f64): void {
  setF64(stepsPerMm, axis, steps);
  setF64(startMm, axis, start);
  setF64(positionMm, axis, start);
  setF64(endstopMm, axis, endstop);
  setF64(frameMinMm, axis, frameMin);
  setF64(frameMaxMm, axis, frameMax);
  setI32(netSteps, axis, 0);
}

export function setPulseLimits(highNs: f64, lowNs: f64, setupNs: f64): void {
  pulseHighNs = highNs;
  pulseLowNs = lowNs;
  dirSetupNs = setupNs;
}

export function setProbe(offsetX: f64, offsetY: f64, triggerMm: f64): void {
  probeOffsetX = offsetX;
  probeOffsetY = offsetY;
  probeTriggerMm = triggerMm;
}

export function setBedPlane(z0: f64, slopeX: f64, slopeY: f64): void {
  bedZ0 = z0;
  bedSlopeX = slopeX;
  bedSlopeY = slopeY;
}

export function bedHeightAt(x: f64, y: f64): f64 {
  return bedZ0 + bedSlopeX * x + bedSlopeY * y;
}

export function setEnabled(mask: i32): void {
  enabledMask = mask;
}

export function dirEdge(axis: i32, positive: i32, timeNs: f64): void {
  if (positive != i32At(dirPositive, axis)) {
    setI32(dirPositive, axis, positive);
    setF64(lastDirNs, axis, timeNs);
  }
}

/** A step pin changed level. The motor moves on the rising edge. */
export function stepEdge(axis: i32, high: i32, timeNs: f64): void {
  if (high) {
    if (i32At(stepHigh, axis)) return;
    setI32(stepHigh, axis, 1);
    if (timeNs - f64At(lastFallNs, axis) < pulseLowNs) violate(Violation.PulseLow, axis, timeNs);
    if (timeNs - f64At(lastDirNs, axis) < dirSetupNs) violate(Violation.DirSetup, axis, timeNs);
    setF64(lastRiseNs, axis, timeNs);
    if (!(enabledMask & (1 << axis))) {
      violate(Violation.StepWhileDisabled, axis, timeNs);
      return;
    }
    move(axis, i32At(dirPositive, axis) ? 1 : -1, timeNs);
  } else {
    if (!i32At(stepHigh, axis)) return;
    setI32(stepHigh, axis, 0);
    if (timeNs - f64At(lastRiseNs, axis) < pulseHighNs) violate(Violation.PulseHigh, axis, timeNs);
    setF64(lastFallNs, axis, timeNs);
  }
}

function move(axis: i32, delta: i32, timeNs: f64): void {
  setI32(totalSteps, axis, i32At(totalSteps, axis) + 1);
  // From the step count, not by accumulation: no rounding drift over millions of steps.
  const next = f64At(startMm, axis) + <f64>(i32At(netSteps, axis) + delta) / f64At(stepsPerMm, axis);
  if (next < f64At(frameMinMm, axis) || next > f64At(frameMaxMm, axis)) {
    // The carriage is against the frame: the motor skips, the position does not change.
    violate(Violation.FrameCollision, axis, timeNs);
    return;
  }
  setI32(netSteps, axis, i32At(netSteps, axis) + delta);
  setF64(positionMm, axis, next);
  if (axis == 3 && delta > 0) noteExtrusion(timeNs);
  if (axis < 3) {
    const z = f64At(positionMm, 2);
    if (z < bedHeightAt(f64At(positionMm, 0), f64At(positionMm, 1)) - CRASH_TOLERANCE_MM) violate(Violation.BedCrash, axis, timeNs);
  }
}

/** Positions are sums of steps in binary floating point (15 - 14.6 is not exactly 0.4): a
 * switch point is met when the position is within this of it. */
const SWITCH_EPSILON: f64 = 1e-9;

/** Logical input bits: 1 X min, 2 Y min, 4 probe (1 = triggered). */
export function inputs(): i32 {
  let v = 0;
  if (f64At(positionMm, 0) <= f64At(endstopMm, 0) + SWITCH_EPSILON) v |= 1;
  if (f64At(positionMm, 1) <= f64At(endstopMm, 1) + SWITCH_EPSILON) v |= 2;
  const px = f64At(positionMm, 0) + probeOffsetX;
  const py = f64At(positionMm, 1) + probeOffsetY;
  if (f64At(positionMm, 2) - bedHeightAt(px, py) <= probeTriggerMm + SWITCH_EPSILON) v |= 4;
  return v;
}

export function position(axis: i32): f64 {
  return f64At(positionMm, axis);
}

export function stepsMoved(axis: i32): i32 {
  return i32At(netSteps, axis);
}

export function stepsTotal(axis: i32): i32 {
  return i32At(totalSteps, axis);
}

export function violations(kind: i32): i32 {
  return i32At(violationCount, kind);
}

export function violationFirstTimeNs(kind: i32): f64 {
  return f64At(violationFirstNs, kind);
}

export function violationFirstAxis(kind: i32): i32 {
  return i32At(violationAxis, kind);
}

// ---------------------------------------------------------------------------------------------
// Heat and thermistors: thermal.ts.
export * from "./thermal";
