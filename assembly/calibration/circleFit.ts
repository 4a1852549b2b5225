// The centre of an induction target from points on the edge of the probe's response.
//
// At a fixed height just below the first trigger, the PINDA switches on a closed curve around the
// target's centre: a circle, since the copper target is round and the sensor's response is
// rotationally symmetric. Sweeping across the target from several directions gives points on
// that circle; their best circle's centre is the target's centre. Chords crossing the target
// in X and in Y give the centre by their mid-points too (Prusa's method 1), but the front row
// cannot be crossed towards -Y (the carriage's travel ends there), so only an arc is seen: then
// a circle fit through the hits is the only way (the seed article says so), and the radius is
// best taken from targets seen whole at the same height, since an arc fixes the radius poorly.
//
// Method: an algebraic fit (Kasa: x^2 + y^2 + D x + E y + F = 0, linear) gives the start; a few
// Gauss-Newton steps on the geometric distances |p - c| - r then remove the algebraic fit's bias
// towards small circles on short arcs. Coordinates are centred on the points' mean first, so f32
// keeps a micrometre over a 250 mm bed. The centre's standard deviation comes from the residuals
// and the geometry, so a short arc reports itself as uncertain.

import * as ls from "./leastSquares";
import { workspace, WORKSPACE_BYTES } from "../system/workspace";

/** Edge points one fit holds: M45 sweeps a target from 36 directions (calibration/xyz.ts). */
export const MAX_EDGE_POINTS: i32 = 36;
const MAX_ITERATIONS: i32 = 20;
/** Stop when a step moves the centre and radius by less than this, mm. */
const CONVERGED_MM: f32 = 0.00002;

export const enum CircleResult {
  Ok = 0,
  /** Fewer points than unknowns + 1 (no check of the fit would be left). */
  TooFewPoints = 1,
  /** The points do not fix a circle (all on a line, or coinciding). */
  Singular = 2,
  NotConverged = 3,
}

// The edge points live in the shared workspace (system/workspace.ts): only M45 uses them.
const pointX: usize = workspace;
const pointY: usize = workspace + <usize>MAX_EDGE_POINTS * 4;
// @ts-ignore: a compile-time check
if (<u32>MAX_EDGE_POINTS * 8 > WORKSPACE_BYTES) ERROR("circleFit: the edge points do not fit the workspace");
let count: i32 = 0;

let meanX: f32 = 0;
let meanY: f32 = 0;
let a: f32 = 0; // centre, relative to the mean
let b: f32 = 0;
let r: f32 = 0;
let sigmaX: f32 = -1;
let sigmaY: f32 = -1;
let rms: f32 = 0;

function at(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}

export function clearEdgePoints(): void {
  count = 0;
}

/** False when MAX_EDGE_POINTS are already held. */
export function addEdgePoint(x: f32, y: f32): bool {
  if (count >= MAX_EDGE_POINTS) return false;
  store<f32>(pointX + (<usize>count << 2), x);
  store<f32>(pointY + (<usize>count << 2), y);
  count++;
  return true;
}

export function edgePoints(): i32 {
  return count;
}

/**
 * Fit the circle through the edge points. `fixedRadiusMm` > 0 holds the radius at that value
 * (an arc of a front-row target, the radius known from the targets seen whole); 0 fits it too.
 */
export function fitCircle(fixedRadiusMm: f32): CircleResult {
  const unknowns = fixedRadiusMm > 0 ? 2 : 3;
  sigmaX = sigmaY = -1;
  if (count <= unknowns) return CircleResult.TooFewPoints;
  let sx: f32 = 0, sy: f32 = 0;
  for (let i = 0; i < count; i++) {
    sx += at(pointX, i);
    sy += at(pointY, i);
  }
  meanX = sx / <f32>count;
  meanY = sy / <f32>count;

  // Algebraic start: D u + E v + F = -(u^2 + v^2).
  ls.begin(3);
  for (let i = 0; i < count; i++) {
    const u = at(pointX, i) - meanX, v = at(pointY, i) - meanY;
    ls.setRow(0, u);
    ls.setRow(1, v);
    ls.setRow(2, 1);
    ls.addRow(-(u * u + v * v), 1);
  }
  if (!ls.factorize()) return CircleResult.Singular;
  ls.solve();
  a = -ls.result(0) / 2;
  b = -ls.result(1) / 2;
  const r2 = a * a + b * b - ls.result(2);
  if (r2 <= 0) return CircleResult.Singular;
  r = fixedRadiusMm > 0 ? fixedRadiusMm : Mathf.sqrt(r2);

  // Geometric refinement: residual d = |p - c| - r, unknowns (a, b[, r]).
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    ls.begin(unknowns);
    accumulate(unknowns);
    if (!ls.factorize()) return CircleResult.Singular;
    ls.solve();
    a -= ls.result(0);
    b -= ls.result(1);
    let moved = Mathf.abs(ls.result(0)) + Mathf.abs(ls.result(1));
    if (unknowns == 3) {
      r -= ls.result(2);
      moved += Mathf.abs(ls.result(2));
    }
    if (moved < CONVERGED_MM) {
      estimateSigma(unknowns);
      return CircleResult.Ok;
    }
  }
  return CircleResult.NotConverged;
}

/** Rows of the geometric problem at the current estimate; returns the sum of squared residuals. */
function accumulate(unknowns: i32): f32 {
  let sum: f32 = 0;
  for (let i = 0; i < count; i++) {
    const du = at(pointX, i) - meanX - a, dv = at(pointY, i) - meanY - b;
    const rho = Mathf.sqrt(du * du + dv * dv);
    if (rho == 0) continue; // a point at the centre says nothing about the direction
    const d = rho - r;
    sum += d * d;
    ls.setRow(0, -du / rho);
    ls.setRow(1, -dv / rho);
    if (unknowns == 3) ls.setRow(2, -1);
    ls.addRow(d, 1);
  }
  return sum;
}

function estimateSigma(unknowns: i32): void {
  ls.begin(unknowns);
  const sum = accumulate(unknowns);
  rms = Mathf.sqrt(sum / <f32>count);
  if (!ls.factorize()) return;
  const variance = sum / <f32>(count - unknowns);
  sigmaX = Mathf.sqrt(variance * Mathf.max(ls.inverseQuadratic(0, -1), 0));
  sigmaY = Mathf.sqrt(variance * Mathf.max(ls.inverseQuadratic(1, -1), 0));
}

export function centreXMm(): f32 {
  return meanX + a;
}

export function centreYMm(): f32 {
  return meanY + b;
}

export function radiusMm(): f32 {
  return r;
}

/** Standard deviation of the centre's X / Y from the residuals, mm; -1 when unknown. */
export function centreSigmaXMm(): f32 {
  return sigmaX;
}

export function centreSigmaYMm(): f32 {
  return sigmaY;
}

/** Root mean square distance of the points from the fitted circle, mm. */
export function rmsResidualMm(): f32 {
  return rms;
}
