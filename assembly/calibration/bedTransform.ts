// The bed transform: from world coordinates (where G-code asks the nozzle to be on the bed) to
// machine coordinates (where the carriages must go), and back for position reports.
//
// After XYZ calibration the machine axes are known as two unit vectors on the bed, X axis
// (cos a1, sin a1) and Y axis (-sin a2, cos a2), and the point machine (0, 0) lands on:
//     world = V machine + origin,   V = [vxX vyX; vxY vyY] (columns: the axis vectors)
//     machine = V^-1 (world - origin)
// The inverse is computed once when the transform is set, so a move costs four multiplies.
//
// A transform read back from EEPROM is checked before it is used, with Prusa's limits
// (mesh_bed_calibration.cpp, world2machine_initialize): each axis vector 0.9-1.1 long, the axes
// no further from perpendicular than |vx . vy| <= 0.1, the origin shifted by at most 15 mm. A
// record outside them is a corrupted one or a calibration gone wrong; moving by it could put the
// nozzle anywhere.

import { sinSmall, cosSmall } from "./smallAngle";

export const AXIS_LENGTH_MIN: f32 = 0.9;
export const AXIS_LENGTH_MAX: f32 = 1.1;
export const AXES_DOT_MAX: f32 = 0.1;
export const SHIFT_MAX_MM: f32 = 15;

export const enum Plausibility {
  Ok = 0,
  /** An axis vector shorter than 0.9 or longer than 1.1. */
  AxisLength = 1,
  /** The axes are further from perpendicular than |vx . vy| = 0.1 (5.7 degrees). */
  NotPerpendicular = 2,
  /** Machine (0, 0) more than 15 mm from world (0, 0). */
  Shift = 3,
  /** Not numbers (an erased EEPROM reads as NaN floats). */
  NotANumber = 4,
}

// world = V machine + origin
let vxX: f32 = 1;
let vxY: f32 = 0;
let vyX: f32 = 0;
let vyY: f32 = 1;
let originX: f32 = 0;
let originY: f32 = 0;
// machine = W (world - origin), W = V^-1
let wXX: f32 = 1;
let wXY: f32 = 0;
let wYX: f32 = 0;
let wYY: f32 = 1;
let identity = true;

/** The result of the last worldToMachine() / machineToWorld(). */
export let outX: f32 = 0;
export let outY: f32 = 0;

/** No correction: world == machine (M44, and before any calibration). */
export function reset(): void {
  vxX = 1; vxY = 0; vyX = 0; vyY = 1;
  originX = 0; originY = 0;
  invert();
  identity = true;
}

/** From the fit's axis angles (rad) and where machine (0, 0) lands on the bed (mm). */
export function setFromAngles(xAxisRad: f32, yAxisRad: f32, originXMm: f32, originYMm: f32): void {
  set(cosSmall(xAxisRad), sinSmall(xAxisRad), -sinSmall(yAxisRad), cosSmall(yAxisRad), originXMm, originYMm);
}

/** Set from stored values; check() them first. */
export function set(xAxisX: f32, xAxisY: f32, yAxisX: f32, yAxisY: f32, originXMm: f32, originYMm: f32): void {
  vxX = xAxisX; vxY = xAxisY; vyX = yAxisX; vyY = yAxisY;
  originX = originXMm; originY = originYMm;
  invert();
  identity = false;
}

function invert(): void {
  const det = vxX * vyY - vyX * vxY;
  wXX = vyY / det;
  wXY = -vyX / det;
  wYX = -vxY / det;
  wYY = vxX / det;
}

/** Whether these values may be used as a transform, and if not, why. */
export function check(xAxisX: f32, xAxisY: f32, yAxisX: f32, yAxisY: f32, originXMm: f32, originYMm: f32): Plausibility {
  // NaN compares false with everything: test each value against itself.
  if (xAxisX != xAxisX || xAxisY != xAxisY || yAxisX != yAxisX || yAxisY != yAxisY ||
      originXMm != originXMm || originYMm != originYMm) return Plausibility.NotANumber;
  const lx = Mathf.sqrt(xAxisX * xAxisX + xAxisY * xAxisY);
  const ly = Mathf.sqrt(yAxisX * yAxisX + yAxisY * yAxisY);
  if (lx < AXIS_LENGTH_MIN || lx > AXIS_LENGTH_MAX || ly < AXIS_LENGTH_MIN || ly > AXIS_LENGTH_MAX) {
    return Plausibility.AxisLength;
  }
  if (Mathf.abs(xAxisX * yAxisX + xAxisY * yAxisY) > AXES_DOT_MAX) return Plausibility.NotPerpendicular;
  if (Mathf.sqrt(originXMm * originXMm + originYMm * originYMm) > SHIFT_MAX_MM) return Plausibility.Shift;
  return Plausibility.Ok;
}

export function isIdentity(): bool {
  return identity;
}

/** Sets outX/outY to the machine position that puts the nozzle over world (x, y). */
export function worldToMachine(x: f32, y: f32): void {
  if (identity) {
    outX = x;
    outY = y;
    return;
  }
  const dx = x - originX, dy = y - originY;
  outX = wXX * dx + wXY * dy;
  outY = wYX * dx + wYY * dy;
}

/** Sets outX/outY to the world position of the nozzle at machine (x, y). */
export function machineToWorld(x: f32, y: f32): void {
  if (identity) {
    outX = x;
    outY = y;
    return;
  }
  outX = vxX * x + vyX * y + originX;
  outY = vxY * x + vyY * y + originY;
}

export function xAxisX(): f32 { return vxX; }
export function xAxisY(): f32 { return vxY; }
export function yAxisX(): f32 { return vyX; }
export function yAxisY(): f32 { return vyY; }
export function originXMm(): f32 { return originX; }
export function originYMm(): f32 { return originY; }
