// The virtual printer: the physics the firmware drives, written once and used twice — compiled to
// wasm for host runs in Node (hal/host), and through wasm2c into the simavr harness (harness.c).
// It is host code: f64 is fine here.
//
// Carriage positions are millimetres along each axis from where a correctly homed firmware's 0
// is; the endstops trigger at the configured positions, the frame stops the carriages a little
// beyond the travel, and the nozzle must never go below the bed surface. Where the nozzle is over
// the bed follows from the carriages through the machine geometry (geometry.ts); the bed surface
// (surface.ts), the inductive sensor (probe.ts) and the record of what truly happened (truth.ts)
// are in their own files. Parameters come through setParam (params.ts).
//
// Axes: 0 X, 1 Y, 2 Z, 3 E.

import { Param, param, storeParam, GRID_VALUES, GRID_STRIDE, GridId, ProbeFault } from "./params";
import { setNode, clearGrid, GRID_MAX_NODES } from "./grid";
import { updateGeometry, bedX, bedY, machineX, machineY } from "./geometry";
import { updateSurface, surfaceAt, bedTemperature, looseScrewIsActive } from "./surface";
import { resetProbe, updateProbe, probeTriggered, probeTriggers, probeSlipped, sensorTemperature, driftMm, triggerHeightAt, sensingDistanceAt } from "./probe";
import * as truth from "./truth";

export { setBedTemperatureC } from "./surface";
import { setSensorTemperatureC as setProbeTemperatureC } from "./probe";

/** The thermistor slot of the PINDA v2's own sensor (0 hotend, 1 bed as in the board config). */
const PINDA_SENSOR: i32 = 2;

/** For the thermal model: the sensor's temperature, C (its drift, and its thermistor if fitted). */
export function setSensorTemperatureC(celsius: f64): void {
  setProbeTemperatureC(celsius);
  if (param(Param.PindaAdcChannel) >= 0) setPassiveSensorCelsius(PINDA_SENSOR, celsius);
}
import { noteExtrusion, resetThermistors, thermalReset, setThermistorCurve, setPassiveSensorCelsius, Curve } from "./thermal";

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

/** How far below the surface the nozzle may press before it counts as a crash (bed flex, PEI). */
const CRASH_TOLERANCE_MM: f64 = 0.05;
/** Model time: the last step edge seen, ns. */
let nowNs: f64 = 0;
/** The sensor has not been evaluated since the configuration changed. */
let probeStale: bool = true;

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
  resetParams();
}

/** An ideal printer until the scenario says otherwise (tools/sim/config.ts passes every parameter,
 * with the defaults and their sources): square axes, a flat bed, a probe that switches at one
 * height everywhere with no noise. */
function resetParams(): void {
  for (let i = 0; i < Param.Count; i++) storeParam(i, 0);
  for (let g = 0; g < GridId.Count; g++) clearGrid(g);
  storeParam(Param.ProbeOffsetX, 23);
  storeParam(Param.ProbeOffsetY, 9);
  storeParam(Param.TargetTriggerMm, 0.4);
  storeParam(Param.MountMm, 1);
  storeParam(Param.MeanderRatio, 1);
  storeParam(Param.Sensitivity, 1);
  storeParam(Param.SensorTemperatureC, 22);
  storeParam(Param.DriftReferenceC, 22);
  storeParam(Param.BedTemperatureC, 22);
  storeParam(Param.LooseScrew, -1);
  storeParam(Param.FirstLayerMm, 0.2);
  storeParam(Param.PindaAdcChannel, -1);
  nowNs = 0;
  applyParams();
  truth.resetTruth();
}

function applyParams(): void {
  updateGeometry();
  updateSurface();
  resetProbe();
  const ch = <i32>param(Param.PindaAdcChannel);
  if (ch >= 0) {
    setThermistorCurve(PINDA_SENSOR, ch, Curve.Beta, param(Param.PindaR25), param(Param.PindaBeta));
    setPassiveSensorCelsius(PINDA_SENSOR, sensorTemperature());
  }
}

/** One model parameter (params.ts), or a grid node (id GRID_VALUES + grid * GRID_STRIDE + index). */
export function setParam(id: i32, value: f64): void {
  if (id >= GRID_VALUES) {
    const g = (id - GRID_VALUES) / GRID_STRIDE;
    const i = (id - GRID_VALUES) % GRID_STRIDE;
    if (g < GridId.Count && i < GRID_MAX_NODES) setNode(g, i, value);
    return;
  }
  if (id < 0 || id >= Param.Count) return;
  storeParam(id, value);
  applyParams();
  probeStale = true;
}

export function getParam(id: i32): f64 {
  return id >= 0 && id < Param.Count ? param(id) : 0;
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
  probeStale = true;
}

export function setPulseLimits(highNs: f64, lowNs: f64, setupNs: f64): void {
  pulseHighNs = highNs;
  pulseLowNs = lowNs;
  dirSetupNs = setupNs;
}

/** The sensor's offset from the nozzle and its trigger height over a target's centre (nozzle
 * above the bed, mm); a trigger height below -1e6 is a broken cable (older tests' "dead probe"). */
export function setProbe(offsetX: f64, offsetY: f64, triggerMm: f64): void {
  storeParam(Param.ProbeOffsetX, offsetX);
  storeParam(Param.ProbeOffsetY, offsetY);
  if (triggerMm < -1e6) storeParam(Param.ProbeFault, ProbeFault.CableBroken);
  else storeParam(Param.TargetTriggerMm, triggerMm);
  probeStale = true;
}

export function setBedPlane(z0: f64, slopeX: f64, slopeY: f64): void {
  storeParam(Param.PlaneZ0, z0);
  storeParam(Param.PlaneSlopeX, slopeX);
  storeParam(Param.PlaneSlopeY, slopeY);
  probeStale = true;
}

/** True height of the bed surface under the nozzle with the carriages at machine (x, y), mm. */
export function bedHeightAt(x: f64, y: f64): f64 {
  return surfaceAt(bedX(x, y), bedY(x, y));
}

/** Where the sensor is over the bed with the carriages at machine (x, y): 0 bed X, 1 bed Y. */
export function sensorBed(x: f64, y: f64, axis: i32): f64 {
  const bx = bedX(x, y) + param(Param.ProbeOffsetX);
  const by = bedY(x, y) + param(Param.ProbeOffsetY);
  return axis == 0 ? bx : by;
}

/** Nozzle height above the true surface under the sensor at which the sensor would switch with
 * the carriages at machine (x, y): the trigger profile, without noise and hysteresis. */
export function triggerHeightAtMachine(x: f64, y: f64): f64 {
  return triggerHeightAt(sensorBed(x, y, 0), sensorBed(x, y, 1));
}

/** Sensing distance of the sensor at bed point (x, y), mm (for tests of the profile). */
export function sensingDistanceAtBed(x: f64, y: f64): f64 {
  return sensingDistanceAt(x, y);
}

/** Height of the blob of plastic under the nozzle now, mm (0: none yet, or none at all). */
function debrisMmNow(): f64 {
  const after = param(Param.DebrisAfterSeconds);
  return after > 0 && nowNs < after * 1e9 ? 0 : param(Param.DebrisMm);
}

/** The nozzle's own metal tip above the true surface under it, mm: what a contact (the safety
 * figure) is counted from. */
function tipClearanceNow(): f64 {
  const mx = f64At(positionMm, 0), my = f64At(positionMm, 1);
  return f64At(positionMm, 2) - surfaceAt(bedX(mx, my), bedY(mx, my));
}

/** The lowest point of the nozzle above the true surface under it, mm: the tip, or a blob of
 * plastic stuck under it (Param.DebrisMm) that reaches that much lower. The plastic of a first
 * layer is laid from there, so the first-layer gap is counted from it. */
function clearanceNow(): f64 {
  return tipClearanceNow() - debrisMmNow();
}

export function clearance(): f64 {
  return clearanceNow();
}

export function tipClearance(): f64 {
  return tipClearanceNow();
}

/** Re-evaluates the sensor where the carriages stand (after setParam/setProbe mid-run). */
export function settle(): void {
  probeStale = true;
}

/** c: the nozzle tip's clearance (tipClearanceNow). */
function afterMove(timeNs: f64, c: f64): void {
  const mx = f64At(positionMm, 0), my = f64At(positionMm, 1), mz = f64At(positionMm, 2);
  truth.noteClearance(c, mx, my, mz, timeNs);
  const debris = debrisMmNow();
  truth.noteDebrisClearance(c - debris, debris > 0);
  updateProbe(mz, sensorBed(mx, my, 0), sensorBed(mx, my, 1), timeNs);
  probeStale = false;
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

/**
 * A blob of plastic under the nozzle (Param.DebrisMm > 0) rests on the bed before the nozzle's
 * metal does: true when this Z step down would push its lowest point below the surface. The blob
 * and the frame then hold the carriage up: the MK2's two open-loop Z steppers (400 steps/mm
 * through 8 mm-lead screws) skip against a hard blob of cooled plastic rather than press it flat,
 * so every step commanded below the stall is lost (counted in the truth, ZStalledSteps) and the
 * carriage stays there until it is driven up again, from the stall. The model does not squash
 * the blob, nor let it scrape along when X/Y move while it rests (both make it a smaller blob: a
 * case of its own). The PINDA reads the carriage's true height, so with a blob taller than the
 * sensor's switching gap (0.4 mm over a target's centre on the MK2's probe offset) it never
 * switches: Prusa's G80 then stops with "Sensor didnt trigger. Debris on nozzle?"
 * (reference-prusa.md), the nozzle's metal clear of the bed. A blob shorter than that gap is
 * invisible: the sensor switches first, as it would without it.
 * Without debris the nozzle's own tip is not held: a nozzle driven into the bed is a contact
 * and a crash (the firmware's fault), never a stall that would hide it.
 */
function blobStopsZ(axis: i32, delta: i32, next: f64): bool {
  if (axis != 2 || delta >= 0) return false;
  const debris = debrisMmNow();
  if (debris <= 0) return false;
  const mx = f64At(positionMm, 0), my = f64At(positionMm, 1);
  // SWITCH_EPSILON: positions are sums of steps in binary floating point (see inputs()).
  return next - debris - surfaceAt(bedX(mx, my), bedY(mx, my)) < -SWITCH_EPSILON;
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
  nowNs = timeNs;
  if (blobStopsZ(axis, delta, next)) {
    // The step is lost (see blobStopsZ): the carriage, and so the sensor, stay where they are.
    truth.noteZStall();
    return;
  }
  setI32(netSteps, axis, i32At(netSteps, axis) + delta);
  setF64(positionMm, axis, next);
  if (axis == 3 && delta > 0) noteExtrusion(timeNs);
  if (axis < 3) {
    const c = tipClearanceNow();
    if (c < -CRASH_TOLERANCE_MM) violate(Violation.BedCrash, axis, timeNs);
    afterMove(timeNs, c);
  } else if (delta > 0) {
    truth.noteExtrusion(clearanceNow(), f64At(positionMm, 0), f64At(positionMm, 1));
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
  if (probeStale) {
    const mx = f64At(positionMm, 0), my = f64At(positionMm, 1);
    updateProbe(f64At(positionMm, 2), sensorBed(mx, my, 0), sensorBed(mx, my, 1), nowNs);
    probeStale = false;
  }
  if (probeTriggered()) v |= 4;
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

// ---------------------------------------------------------------------------------------------
// The truth report as one flat list of numbers (the simavr harness writes it into --report as
// "model"; tools/sim/truth.ts names the fields). Each entry below is the index where a field or
// a block of fields starts.

export const enum TruthField {
  XAxisDeg = 0,
  YAxisDeg = 1,
  /** |YAxisDeg - XAxisDeg|, the skew Prusa's calibration classifies. */
  SkewDeg = 2,
  BedShiftX = 3,
  BedShiftY = 4,
  MinClearance = 5,
  MinClearanceX = 6,
  MinClearanceY = 7,
  Contacts = 8,
  ProbeTriggers = 9,
  ProbeSlipped = 10,
  LooseScrew = 11,
  BedTemperatureC = 12,
  SensorTemperatureC = 13,
  DriftMm = 14,
  LayerSamples = 15,
  LayerMean = 16,
  LayerStdDev = 17,
  LayerRms = 18,
  LayerMin = 19,
  LayerMax = 20,
  LayerCommanded = 21,
  /** 9 targets (x columns inner, front row first), 4 each: the nozzle's machine X/Y with the
   * sensor's axis over the target's centre, the target centre's own machine X/Y. */
  Targets = 22,
  /** 8 contacts, 4 each: machine X, Y, Z, time ns. */
  ContactLog = 58,
  /** 5 x 5 first-layer map over the printable area (front row first), mean gap, NaN = none. */
  LayerMap = 90,
  /** 11 x 11 true bed heights under the nozzle at machine X/Y spread evenly over the printable area. */
  HeightGrid = 115,
  /** Times a blob of plastic under the nozzle came to rest on the bed (truth.ts; not contacts). */
  DebrisContacts = 236,
  /** Z steps down lost against that blob (the carriage held up: printer.ts blobStopsZ). */
  ZStalledSteps = 237,
  Count = 238,
}

export const HEIGHT_GRID_N: i32 = 11;

export function truthLength(): i32 {
  return TruthField.Count;
}

export function truthValue(i: i32): f64 {
  if (i == TruthField.DebrisContacts) return <f64>truth.debrisContactCount();
  if (i == TruthField.ZStalledSteps) return <f64>truth.zStalledStepCount();
  if (i >= TruthField.HeightGrid && i < TruthField.HeightGrid + HEIGHT_GRID_N * HEIGHT_GRID_N) {
    const k = i - TruthField.HeightGrid;
    const c = k % HEIGHT_GRID_N, r = k / HEIGHT_GRID_N;
    const x0 = param(Param.PrintableX0), x1 = param(Param.PrintableX1);
    const y0 = param(Param.PrintableY0), y1 = param(Param.PrintableY1);
    const mx = x0 + ((x1 - x0) * <f64>c) / <f64>(HEIGHT_GRID_N - 1);
    const my = y0 + ((y1 - y0) * <f64>r) / <f64>(HEIGHT_GRID_N - 1);
    return bedHeightAt(mx, my);
  }
  if (i >= TruthField.LayerMap) return truth.layerCell(i - TruthField.LayerMap);
  if (i >= TruthField.ContactLog) {
    const k = i - TruthField.ContactLog;
    return truth.contactValue(k / 4, k % 4);
  }
  if (i >= TruthField.Targets) {
    const k = i - TruthField.Targets;
    const t = k / 4, f = k % 4;
    const tx = param(Param.TargetX0 + (t % 3)), ty = param(Param.TargetY0 + t / 3);
    if (f >= 2) return f == 2 ? machineX(tx, ty) : machineY(tx, ty);
    const nx = tx - param(Param.ProbeOffsetX), ny = ty - param(Param.ProbeOffsetY);
    return f == 0 ? machineX(nx, ny) : machineY(nx, ny);
  }
  switch (i) {
    case TruthField.XAxisDeg: return param(Param.XAxisDeg);
    case TruthField.YAxisDeg: return param(Param.YAxisDeg);
    case TruthField.SkewDeg: return Math.abs(param(Param.YAxisDeg) - param(Param.XAxisDeg));
    case TruthField.BedShiftX: return param(Param.BedShiftX);
    case TruthField.BedShiftY: return param(Param.BedShiftY);
    case TruthField.MinClearance: return truth.minimumClearance();
    case TruthField.MinClearanceX: return truth.minimumClearanceAt(0);
    case TruthField.MinClearanceY: return truth.minimumClearanceAt(1);
    case TruthField.Contacts: return <f64>truth.contactCount();
    case TruthField.ProbeTriggers: return <f64>probeTriggers();
    case TruthField.ProbeSlipped: return probeSlipped() ? 1 : 0;
    case TruthField.LooseScrew: return looseScrewIsActive() ? param(Param.LooseScrew) : -1;
    case TruthField.BedTemperatureC: return bedTemperature();
    case TruthField.SensorTemperatureC: return sensorTemperature();
    case TruthField.DriftMm: return driftMm();
    case TruthField.LayerSamples: return <f64>truth.layerCount();
    case TruthField.LayerMean: return truth.layerMean();
    case TruthField.LayerStdDev: return truth.layerStdDev();
    case TruthField.LayerRms: return truth.layerRmsError();
    case TruthField.LayerMin: return truth.layerMinimum();
    case TruthField.LayerMax: return truth.layerMaximum();
    case TruthField.LayerCommanded: return param(Param.FirstLayerMm);
  }
  return 0;
}
