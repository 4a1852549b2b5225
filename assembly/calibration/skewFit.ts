// The XYZ calibration's fit: from where the probe found the bed's induction targets (machine
// coordinates) and where those targets are on a perfect printer (bed coordinates), the bed's
// shift and the angle of each machine axis.
//
// Model (Prusa's, from the MK2 calibration article and mesh_bed_calibration.cpp): the belts are
// taken as exact, so the machine axes may be rotated but not stretched. A machine position m maps
// to the bed as
//     bed = [cos a1  -sin a2] (m - mMean) + c
//           [sin a1   cos a2]
// a1 being the X axis' angle, a2 the Y axis' angle; the axes are perpendicular when a1 == a2 and
// the skew is a2 - a1. Allowing a scale too would make the problem linear, but with noisy centres
// a free scale soaks up noise and stretches prints, which is why the article rules it out.
//
// Why this solver and not Prusa's: Prusa runs Gauss-Newton for a fixed 100 iterations, solving
// its 4x4 normal equations with 100 Gauss-Seidel sweeps each, and never says whether it
// converged. Here the machine positions are centred on their weighted mean first, which makes
// the shift and the angles nearly independent (the normal matrix is almost block-diagonal, so
// f32 is enough), the 4x4 system is solved exactly by Cholesky, and the iteration stops when a
// step moves no point of a 250 mm bed by more than 0.1 um — typically after 3 iterations, since
// the model is nearly linear in the angles for skews of a degree or two.
//
// It also says how sure it is: the residual of every target, and the standard deviation of the
// skew from the residuals' scatter and the geometry (sigma^2 (J'WJ)^-1).

import { sinSmall, cosSmall, SMALL_ANGLE_MAX_RAD } from "./smallAngle";
import * as ls from "./leastSquares";

/** Nine induction targets on the MK42 bed; the first search uses four of them. */
export const MAX_POINTS: i32 = 9;
/** Gauss-Newton iterations before giving up; a well-posed fit needs 2-4. */
export const MAX_ITERATIONS: i32 = 20;
/** Converged when no point of a bed this wide moves by more than CONVERGED_MM in a step. */
const BED_SPAN_MM: f32 = 250;
const CONVERGED_MM: f32 = 0.0001;

export const enum FitResult {
  Ok = 0,
  /** Fewer than four weighted coordinates, or all points in a line: the unknowns are not fixed. */
  TooFewPoints = 1,
  /** The normal equations lost positive definiteness (points coincide). */
  Singular = 2,
  /** MAX_ITERATIONS passed without the step getting small. */
  NotConverged = 3,
  /** An axis came out rotated by more than the small-angle range (0.2 rad, 11 degrees). */
  AngleOutOfRange = 4,
}

// Per point, f32: measured machine X/Y, reference bed X/Y, weights of the X and Y coordinate.
const machineX = memory.data(MAX_POINTS * 4);
const machineY = memory.data(MAX_POINTS * 4);
const bedX = memory.data(MAX_POINTS * 4);
const bedY = memory.data(MAX_POINTS * 4);
const weightX = memory.data(MAX_POINTS * 4);
const weightY = memory.data(MAX_POINTS * 4);
const residualsX = memory.data(MAX_POINTS * 4);
const residualsY = memory.data(MAX_POINTS * 4);
let pointCount: i32 = 0;

// The solution.
let meanX: f32 = 0;
let meanY: f32 = 0;
let centreX: f32 = 0; // c: where the weighted mean machine position lands on the bed
let centreY: f32 = 0;
let angle1: f32 = 0;
let angle2: f32 = 0;
let iterationsUsed: i32 = 0;
let skewSigma: f32 = -1;

function at(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}
function put(base: usize, i: i32, v: f32): void {
  store<f32>(base + (<usize>i << 2), v);
}

export function clearPoints(): void {
  pointCount = 0;
}

/**
 * Add a target: where it was found (machine mm), where it is on the bed (mm), and how much each
 * coordinate counts (1 for a well-measured centre, less for a front-row target seen only in
 * part, 0 to leave a coordinate out). Returns false when MAX_POINTS are already held.
 */
export function addPoint(mX: f32, mY: f32, bX: f32, bY: f32, wX: f32, wY: f32): bool {
  if (pointCount >= MAX_POINTS) return false;
  put(machineX, pointCount, mX);
  put(machineY, pointCount, mY);
  put(bedX, pointCount, bX);
  put(bedY, pointCount, bY);
  put(weightX, pointCount, wX);
  put(weightY, pointCount, wY);
  pointCount++;
  return true;
}

export function points(): i32 {
  return pointCount;
}

/** Fit from a zero start (a perfectly built machine). */
export function fit(): FitResult {
  // Weighted mean of the machine positions, per coordinate.
  let sx: f32 = 0, swx: f32 = 0, sy: f32 = 0, swy: f32 = 0;
  let weighted = 0;
  for (let i = 0; i < pointCount; i++) {
    const wx = at(weightX, i), wy = at(weightY, i);
    sx += wx * at(machineX, i);
    swx += wx;
    sy += wy * at(machineY, i);
    swy += wy;
    if (wx > 0) weighted++;
    if (wy > 0) weighted++;
  }
  skewSigma = -1;
  iterationsUsed = 0;
  if (weighted < 4 || swx <= 0 || swy <= 0) return FitResult.TooFewPoints;
  meanX = sx / swx;
  meanY = sy / swy;
  // Start: no rotation, c from the weighted mean of the bed positions.
  angle1 = 0;
  angle2 = 0;
  let bx: f32 = 0, by: f32 = 0;
  for (let i = 0; i < pointCount; i++) {
    bx += at(weightX, i) * at(bedX, i);
    by += at(weightY, i) * at(bedY, i);
  }
  centreX = bx / swx;
  centreY = by / swy;

  for (let iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
    iterationsUsed = iteration;
    buildNormalEquations();
    if (!ls.factorize()) return FitResult.Singular;
    ls.solve();
    centreX -= ls.result(0);
    centreY -= ls.result(1);
    angle1 -= ls.result(2);
    angle2 -= ls.result(3);
    if (Mathf.abs(angle1) > SMALL_ANGLE_MAX_RAD || Mathf.abs(angle2) > SMALL_ANGLE_MAX_RAD) {
      return FitResult.AngleOutOfRange;
    }
    const moved = Mathf.abs(ls.result(0)) + Mathf.abs(ls.result(1)) +
      BED_SPAN_MM * (Mathf.abs(ls.result(2)) + Mathf.abs(ls.result(3)));
    if (moved < CONVERGED_MM) {
      computeResiduals();
      estimateSkewSigma(weighted);
      return FitResult.Ok;
    }
  }
  computeResiduals();
  return FitResult.NotConverged;
}

/** J'WJ and J'Wr at the current estimate, r = model - bed; unknowns (cX, cY, a1, a2). */
function buildNormalEquations(): void {
  ls.begin(4);
  const c1 = cosSmall(angle1), s1 = sinSmall(angle1);
  const c2 = cosSmall(angle2), s2 = sinSmall(angle2);
  for (let i = 0; i < pointCount; i++) {
    const dx = at(machineX, i) - meanX;
    const dy = at(machineY, i) - meanY;
    // The model's x ...
    ls.setRow(0, 1);
    ls.setRow(1, 0);
    ls.setRow(2, -s1 * dx);
    ls.setRow(3, -c2 * dy);
    ls.addRow(c1 * dx - s2 * dy + centreX - at(bedX, i), at(weightX, i));
    // ... and its y.
    ls.setRow(0, 0);
    ls.setRow(1, 1);
    ls.setRow(2, c1 * dx);
    ls.setRow(3, -s2 * dy);
    ls.addRow(s1 * dx + c2 * dy + centreY - at(bedY, i), at(weightY, i));
  }
}

function computeResiduals(): void {
  for (let i = 0; i < pointCount; i++) {
    const dx = at(machineX, i) - meanX;
    const dy = at(machineY, i) - meanY;
    put(residualsX, i, cosSmall(angle1) * dx - sinSmall(angle2) * dy + centreX - at(bedX, i));
    put(residualsY, i, sinSmall(angle1) * dx + cosSmall(angle2) * dy + centreY - at(bedY, i));
  }
}

/**
 * sigma(skew)^2 = s^2 (e2 - e3)' (J'WJ)^-1 (e2 - e3), s^2 the weighted residual variance with
 * (coordinates - 4) degrees of freedom. Unknown (-1) with no degree of freedom left.
 */
function estimateSkewSigma(weighted: i32): void {
  if (weighted <= 4) return;
  let sum: f32 = 0;
  for (let i = 0; i < pointCount; i++) {
    const rx = at(residualsX, i), ry = at(residualsY, i);
    sum += at(weightX, i) * rx * rx + at(weightY, i) * ry * ry;
  }
  const variance = sum / <f32>(weighted - 4);
  // The factor is that of the last iteration's normal matrix, at the solution to within a step.
  buildNormalEquations();
  if (!ls.factorize()) return;
  const quadratic = ls.inverseQuadratic(3, 2);
  skewSigma = Mathf.sqrt(variance * Mathf.max(quadratic, 0));
}

/** The X axis' angle on the bed, rad (a1). */
export function xAxisAngleRad(): f32 {
  return angle1;
}

/** The Y axis' angle on the bed, rad (a2). */
export function yAxisAngleRad(): f32 {
  return angle2;
}

/** The angle between the axes minus 90 degrees, rad: a2 - a1. */
export function skewRad(): f32 {
  return angle2 - angle1;
}

/** Standard deviation of skewRad() from the residuals, rad; -1 when it cannot be told. */
export function skewSigmaRad(): f32 {
  return skewSigma;
}

/** Where machine (0, 0) lands on the bed, mm. */
export function originOnBedX(): f32 {
  return centreX - cosSmall(angle1) * meanX + sinSmall(angle2) * meanY;
}

export function originOnBedY(): f32 {
  return centreY - sinSmall(angle1) * meanX - cosSmall(angle2) * meanY;
}

export function iterations(): i32 {
  return iterationsUsed;
}

/** Fitted minus reference position of point i on the bed, mm. */
export function residualX(i: i32): f32 {
  return at(residualsX, i);
}

export function residualY(i: i32): f32 {
  return at(residualsY, i);
}

/** Euclidean distance between the fitted and the reference position of point i, mm. */
export function residualMm(i: i32): f32 {
  const rx = at(residualsX, i), ry = at(residualsY, i);
  return Mathf.sqrt(rx * rx + ry * ry);
}
