// M45: the XYZ calibration. Finds the MK42 bed's nine copper induction targets with the probe,
// fits the machine axes' angles and the bed's shift (skewFit), classifies the skew as Prusa does
// (skewVerdict), installs the bed transform and measures the reference heights.
//
// What is assumed of the sensor is only what is physically true of an inductive probe over a
// round copper disc: its switching height is highest over the disc's centre and falls off
// symmetrically around it; each reading has noise; once switched it opens only some way higher
// (hysteresis). Nothing depends on how fast the response falls off.
//
// Procedure:
// 1. Four-point search (front centre, centre, middle right, middle left; see FOUR): from
//    the expected position, vertical probes on a cross climb the response's hill (move to the
//    highest neighbour, halve the step when none is higher). Each next search starts where the
//    previous ones say (the shift found so far). Then the centre by edge sweeps (3.).
// 2. A first fit of the four gives where the other five are.
// 3. Each of the nine: probe the switching height h over the predicted centre; at h - SWEEP_DEPTH
//    the response switches on a circle around the centre. Radial sweeps from outside inwards,
//    each stopped by the probe, give points on that circle (always entering from outside, so
//    hysteresis moves every point alike: outwards); a circle fit gives the centre and its
//    uncertainty. In the four-point search: 12 directions from 9 mm out (36 for the front
//    centre, whose circle the Y limit may cut), 0.1 mm under the top; in the nine-point stage one
//    pass of 36 directions starting 1 mm outside the radius already seen, 0.06 mm under the top
//    (two passes, from 9 mm out, for a centre predicted beyond the travel). Every sweep runs
//    parallel to the bed's plane as the targets found so far give it. Sweeps never start or end
//    beyond the travel; those that then start inside the circle are skipped, so the front row (its
//    targets at the Y limit) is fitted through the arc it can reach.
//    Every probe's floor is 0.08 mm over the bed expected there: the plane through the switching
//    heights of the targets found so far.
// 4. The nine-point fit, weighted by each centre's uncertainty; the verdict; the transform.
// 5. Reference heights: the probe's switching height over each centre (mean of three probes).

import { beginPhase, setProgress } from "../ui/progress";
import * as motion from "../motion/motion";
import { X, Y, Z } from "../motion/axes";
import * as settings from "../settings/store";
import { S } from "../settings/store";
import { bedTargetX, bedTargetY } from "../board";
import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import { faultActive } from "../system/fault";
import { setStatus } from "../ui/status";
import * as probing from "./probing";
import { SweepResult, NOT_FOUND, STUCK, ABORTED } from "./probing";
import * as circle from "./circleFit";
import * as fit from "./skewFit";
import * as transform from "./bedTransform";
import { classify, SkewVerdict } from "./skewVerdict";
import { DEG_PER_RAD } from "./smallAngle";
import * as stored from "./stored";
import * as ls from "./leastSquares";

/** Nozzle height below the switching height over a centre at which the edge sweeps run, mm: in
 * the four-point search, where the probe may be a few tenths of a millimetre off the centre (and
 * so switch lower than over it)... */
const SWEEP_DEPTH_MM: f32 = 0.1;
/** ...and in the nine-point refinement, from a centre predicted within 0.1-0.3 mm. Shallower is
 * better there: the reach falls off from the centre like a cone (0.044 mm per mm on the simulated
 * MK2), so the circle's radius is depth / 0.044 (2.3 mm at 0.1, 1.4 mm at 0.06), and what a bed's
 * local tilt g the sweeps do not follow moves the fitted centre by g r^2 / depth, in proportion to
 * the depth; the noise of each edge point (height noise / 0.044) does not depend on it. Never
 * less than FINE_DEPTH_NOISES times the switching height's noise, as the circles fitted so far
 * show it (their radial scatter times depth / radius), so a noisy sensor's level stays well
 * below the top it measured once. */
const FINE_DEPTH_MM: f32 = 0.06;
const FINE_DEPTH_MAX_MM: f32 = 0.1;
const FINE_DEPTH_NOISES: f32 = 4;
/** The lowest sweep level, mm in the Z frame homing set: 0.5 mm under the homing point's bed. */
const SWEEP_LEVEL_MIN_MM: f32 = -0.5;
/** Sweeps start this far from the expected centre, mm: beyond the 8 mm target plus the sensor's
 * own width (the response has fallen to the meander's there). */
const SWEEP_START_MM: f32 = 9;
/** ...and end this far past the centre. */
const SWEEP_OVERRUN_MM: f32 = 2;
const SWEEP_DIRECTIONS: i32 = 12;
/** Once the circle's radius is known, sweeps start this far outside it, mm: more than a centre
 * predicted by the four-point fit can be off (0.1-0.3 mm), with room to spare. */
const START_MARGIN_MM: f32 = 1.0;
/** ...and, when most started inside the circle, this much further out again, mm: 3 standard
 * deviations of a noisy sensor's top (0.02 mm) over the reach's fall-off (0.044 mm per mm). */
const START_RETRY_MM: f32 = 1.5;
/** The hill climb's first and last step, mm. */
const CLIMB_STEP_MM: f32 = 3;
const CLIMB_STEP_MIN_MM: f32 = 0.75;
const CLIMB_PROBES_MAX: i32 = 40;
/** A centre whose circle fit is less certain than this is refused, mm. */
const CENTRE_SIGMA_MAX_MM: f32 = 0.5;
/** Weights: a centre this certain counts fully; a less certain one by (this / sigma)^2. */
const CENTRE_SIGMA_FULL_MM: f32 = 0.03;

export const enum Outcome {
  Perpendicular = 0,
  Mild = 1,
  Extreme = 2,
  FitFailed = 3,
  PointNotFound = 4,
  ProbeStuck = 5,
  Aborted = 6,
  NotHomed = 7,
}

// Per target (row-major, front row first, left first), f32.
const centreX = memory.data(9 * 4);
const centreY = memory.data(9 * 4);
const sigmaX = memory.data(9 * 4);
const sigmaY = memory.data(9 * 4);
const referenceZ = memory.data(9 * 4);
/** The switching height over each target found so far (f32), and which are found (i32 0/1). */
const topZ = memory.data(9 * 4);
const found = memory.data(9 * 4);
/** Circle points used per target (i32). */
const edgeCount = memory.data(9 * 4);

let lastHeight: f32 = 0;
/** The switching height's noise as the circles fitted so far show it, mm (the largest seen). */
let heightNoiseMm: f32 = 0;
/** The circles seen whole: their depths under the top and their radii, summed. Their ratio is how
 * fast the reach falls off from a target's centre, mm per mm (0.044 on the simulated MK2). */
let falloffDepthSumMm: f32 = 0;
let falloffRadiusSumMm: f32 = 0;
/** Radius of the last circle seen whole, mm (0: none yet). */
let edgeRadiusMm: f32 = 0;
let failedTarget: i32 = -1;
let verbose = false;
let referenceValid = false;

function getF(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}
function putF(base: usize, i: i32, v: f32): void {
  store<f32>(base + (<usize>i << 2), v);
}

/** Where the nozzle is over the bed when the probe is over target i on a perfect printer, mm. */
function bedNozzleX(i: i32): f32 {
  return bedTargetX(i % 3) - settings.axisF32(S.ProbeOffset, X);
}
function bedNozzleY(i: i32): f32 {
  return bedTargetY(i / 3) - settings.axisF32(S.ProbeOffset, Y);
}

export function centreXMm(i: i32): f32 { return getF(centreX, i); }
export function centreYMm(i: i32): f32 { return getF(centreY, i); }
export function referenceHeightMm(i: i32): f32 { return getF(referenceZ, i); }
export function referenceHeightsValid(): bool { return referenceValid; }
export function failedPoint(): i32 { return failedTarget; }

/**
 * The centre of target i near machine (x, y). Returns an Outcome of failure, or -1 when found
 * (centre and sigma stored).
 */
function locate(i: i32, x: f32, y: f32, passes: i32, refine: bool): i32 {
  // Sweeps start just outside the circle the last fit found (the response is the same sensor's
  // over the same targets at the same depth), or far out before any was found.
  let startR = edgeRadiusMm > 0 ? Mathf.min(edgeRadiusMm + START_MARGIN_MM, SWEEP_START_MM) : SWEEP_START_MM;
  for (let pass = 0; pass < passes; pass++) {
    // Beyond the travel the probe measures off the centre, lower, where the circle at that depth
    // is wider than the last one: start far out again.
    if (!probing.reachable(x, X) || !probing.reachable(y, Y)) startR = SWEEP_START_MM;
    const h = probing.probeAt(x, y, floorAt(x, y));
    if (h == ABORTED) return Outcome.Aborted;
    if (h == STUCK) return Outcome.ProbeStuck;
    if (h == NOT_FOUND) return Outcome.PointNotFound;
    lastHeight = h;
    // The sweeps run SWEEP_DEPTH below where the probe just switched here, not above a fixed
    // floor: that height is measured over this point of the bed (which may sit a few tenths lower
    // than where Z was homed), and a sensor that switches at least 0.14 mm over copper (a 15 %
    // weak PINDA switches at 0.19 mm) keeps the nozzle clear of the bed there. Only a level far
    // below the homing point's bed is refused (a bed that low is not plausible).
    // The refinement's last pass: shallow (see FINE_DEPTH_MM); the search's, deeper. So is a
    // centre beyond the travel's: the top was probed off it, lower, so the circle under it is
    // wider than the depth says, and only the part of it inside the travel is seen; a shallow one
    // showed too short an arc (5 mm forwards: too few points, "not found").
    const shallow = refine && pass == passes - 1 && probing.reachable(x, X) && probing.reachable(y, Y);
    const depth = shallow ? Mathf.min(Mathf.max(FINE_DEPTH_MM, FINE_DEPTH_NOISES * heightNoiseMm), FINE_DEPTH_MAX_MM) : SWEEP_DEPTH_MM;
    const level = h - depth;
    if (level < SWEEP_LEVEL_MIN_MM) return Outcome.PointNotFound;
    bedGradient();
    // The refinement's last pass takes three times the directions (noise averages out over more
    // edge points); so does every pass on the front row, which sees only part of its circle. The
    // search needs its centres only to predict the other targets' (the refinement measures all
    // nine again): 12 directions.
    const fine = shallow || i < 3;
    const directions = fine ? SWEEP_DIRECTIONS * 3 : SWEEP_DIRECTIONS;
    // Order: every other direction once round (0, 20, ... 340 degrees; 0, 60, ... 300 coarse), then
    // back round through the ones between (350, 330, ... 10). The sensor's reach drifts with its
    // temperature during a pass (a warm PINDA over a cool bed cools by a few degrees in the 20 s
    // a target takes): a drift steady in time would grow the circle with the angle and move its
    // fitted centre by about a third of the change; out and back, each side is swept once early
    // and once late, and the drift only changes the radius. Travel stays one step between sweeps.
    const stepCos: f32 = fine ? 0.93969262 : 0.5; // cos 20 (60) degrees
    const stepSin: f32 = fine ? 0.34202014 : 0.8660254;
    const halfCos: f32 = fine ? 0.98480775 : 0.8660254; // cos 10 (30) degrees
    const halfSin: f32 = fine ? 0.17364818 : 0.5;
    const half = directions >> 1;
    // Most sweeps starting inside the circle: it is wider than the last one (the top was measured
    // low, by the sensor's noise or off the centre): once more, from further out.
    for (let attempt = 0; attempt < 2; attempt++) {
    circle.clearEdgePoints();
    let inside = 0;
    let ux: f32 = 1, uy: f32 = 0;
    for (let d = 0; d < directions; d++) {
      if (d > 0) {
        // Turn by +step on the way out, +step/2 at the turn, -step on the way back.
        const c = d == half ? halfCos : stepCos;
        const sn = d == half ? halfSin : d > half ? -stepSin : stepSin;
        const nx = ux * c - uy * sn;
        uy = ux * sn + uy * c;
        ux = nx;
        const n = Mathf.sqrt(ux * ux + uy * uy);
        ux /= n;
        uy /= n;
      }
      // The start, pulled in along the ray to the travel's end if it lies beyond it.
      let r = startR;
      r = Mathf.min(r, limitAlong(x, ux, X));
      r = Mathf.min(r, limitAlong(y, uy, Y));
      if (r < 1) continue;
      // The end, past the centre, but never beyond the travel: a carriage driven into the frame
      // skips steps and loses its position (a front-row centre may lie beyond the Y limit).
      let e = SWEEP_OVERRUN_MM;
      e = Mathf.min(e, limitAlong(x, -ux, X));
      e = Mathf.min(e, limitAlong(y, -uy, Y));
      // Parallel to the bed: the level follows the bed's tilt across the target (see gradX).
      const res = probing.sweep(x + r * ux, y + r * uy, x - e * ux, y - e * uy,
        level + (gradX * ux + gradY * uy) * r, level - (gradX * ux + gradY * uy) * e);
      if (res == SweepResult.Aborted) return Outcome.Aborted;
      if (res == SweepResult.Hit) circle.addEdgePoint(probing.hitX, probing.hitY);
      if (res == SweepResult.StartInside) inside++;
    }
    if (inside * 2 <= directions) break;
    startR = Mathf.min(startR + START_RETRY_MM, SWEEP_START_MM);
    }
    store<i32>(edgeCount + (<usize>i << 2), circle.edgePoints());
    if (circle.edgePoints() < 5 || circle.fitCircle(0) != circle.CircleResult.Ok) return Outcome.PointNotFound;
    x = circle.centreXMm();
    y = circle.centreYMm();
    // Only a circle seen whole teaches the radius (an arc's is uncertain), and the height noise.
    if (circle.edgePoints() >= directions - 2) {
      edgeRadiusMm = circle.radiusMm();
      // Radial scatter over the reach's fall-off (depth / radius, a cone's): the height noise.
      if (edgeRadiusMm > 0.1) heightNoiseMm = Mathf.max(heightNoiseMm, circle.rmsResidualMm() * depth / edgeRadiusMm);
      falloffDepthSumMm += depth;
      falloffRadiusSumMm += edgeRadiusMm;
    }
    startR = Mathf.min(circle.radiusMm() + START_MARGIN_MM, SWEEP_START_MM);
    if (circle.centreSigmaXMm() > CENTRE_SIGMA_MAX_MM || circle.centreSigmaYMm() > CENTRE_SIGMA_MAX_MM) {
      return Outcome.PointNotFound;
    }
  }
  putF(centreX, i, x);
  putF(centreY, i, y);
  noteFound(i, lastHeight);
  putF(sigmaX, i, circle.centreSigmaXMm());
  putF(sigmaY, i, circle.centreSigmaYMm());
  return -1;
}

/** Nozzle height at which the probe switches over the bed with the nozzle at the homing frame's
 * zero: -probe offset Z (0.4 mm on the MK2), what Z homing assumed. */
function nominalTrigger(): f32 {
  return Mathf.max(-settings.axisF32(S.ProbeOffset, Z), 0);
}

/**
 * Where the probe is expected to switch over a target at machine (x, y): the plane through the
 * targets found so far (the bed is a few tenths of a millimetre out of level on a built printer:
 * its z0/slopes), the line through two, the one's height, the homing point's before any.
 */
function expectedTrigger(x: f32, y: f32): f32 {
  let n = 0;
  let mx: f32 = 0, my: f32 = 0, mz: f32 = 0;
  for (let i = 0; i < 9; i++) {
    if (load<i32>(found + (<usize>i << 2)) == 0) continue;
    mx += getF(centreX, i);
    my += getF(centreY, i);
    mz += getF(topZ, i);
    n++;
  }
  if (n == 0) return nominalTrigger();
  mx /= <f32>n;
  my /= <f32>n;
  mz /= <f32>n;
  if (n == 1) return mz;
  if (n == 2) {
    // The line through the two: the bed's tilt along them, none across.
    let a = -1, b = -1;
    for (let i = 0; i < 9; i++) {
      if (load<i32>(found + (<usize>i << 2)) == 0) continue;
      if (a < 0) a = i;
      else b = i;
    }
    const dx = getF(centreX, b) - getF(centreX, a), dy = getF(centreY, b) - getF(centreY, a);
    const len2 = dx * dx + dy * dy;
    if (len2 < 1) return mz;
    const t = ((x - getF(centreX, a)) * dx + (y - getF(centreY, a)) * dy) / len2;
    return getF(topZ, a) + (getF(topZ, b) - getF(topZ, a)) * t;
  }
  if (!fitFoundPlane(mx, my, mz)) return mz;
  return mz + ls.result(0) + ls.result(1) * (x - mx) + ls.result(2) * (y - my);
}

/**
 * The least-squares plane through the switching heights over the targets found, about machine
 * (mx, my) and height mz: afterwards ls.result(0) is its height there minus mz, ls.result(1) and
 * (2) its slopes along X and Y. False when the points do not fix a plane.
 */
function fitFoundPlane(mx: f32, my: f32, mz: f32): bool {
  ls.begin(3);
  for (let i = 0; i < 9; i++) {
    if (load<i32>(found + (<usize>i << 2)) == 0) continue;
    ls.setRow(0, 1);
    ls.setRow(1, getF(centreX, i) - mx);
    ls.setRow(2, getF(centreY, i) - my);
    ls.addRow(getF(topZ, i) - mz, 1);
  }
  if (!ls.factorize()) return false;
  ls.solve();
  return true;
}

/**
 * The bed's tilt, mm per mm of machine X and Y: the slope of the plane through the switching
 * heights over the targets found so far (0 before three are). The probe's reach falls off slowly
 * from a target's centre (on the simulated MK2 by about 0.044 mm per mm: a cone), so at one
 * nozzle height the switching contour is a circle only over a level bed: over a bed rising by g
 * mm/mm it reaches further up the slope, and its fitted centre moves uphill by g r^2 / depth
 * (0.002 x 2.3^2 / 0.1 = 0.1 mm at the 0.5 mm over 250 mm a built MK2 may have). Sweeping
 * parallel to the bed's plane removes that; only the bed's local warp is left.
 */
let gradX: f32 = 0;
let gradY: f32 = 0;
function bedGradient(): void {
  gradX = 0;
  gradY = 0;
  let n = 0;
  let mx: f32 = 0, my: f32 = 0;
  for (let i = 0; i < 9; i++) {
    if (load<i32>(found + (<usize>i << 2)) == 0) continue;
    mx += getF(centreX, i);
    my += getF(centreY, i);
    n++;
  }
  if (n < 3) return;
  mx /= <f32>n;
  my /= <f32>n;
  if (!fitFoundPlane(mx, my, 0)) return;
  gradX = ls.result(1);
  gradY = ls.result(2);
}

/** The lowest a probe at machine (x, y) may go: NOZZLE_FLOOR_MM over the expected bed. */
function floorAt(x: f32, y: f32): f32 {
  return expectedTrigger(x, y) - nominalTrigger() + probing.NOZZLE_FLOOR_MM;
}

function noteFound(i: i32, h: f32): void {
  putF(topZ, i, h);
  store<i32>(found + (<usize>i << 2), 1);
}

/** How far from v along direction u (one component) the travel of `axis` ends, mm. */
function limitAlong(v: f32, u: f32, axis: i32): f32 {
  if (u > 0.001) return (motion.maxLimit(axis) - v) / u;
  if (u < -0.001) return (motion.minLimit(axis) - v) / u;
  return 1000;
}

/**
 * The hill climb of the four-point search: from machine (x, y), the highest switching height on
 * a shrinking cross. Leaves the summit in climbX/climbY; returns -1 or a failure Outcome.
 */
let climbX: f32 = 0;
let climbY: f32 = 0;
function climb(x: f32, y: f32): i32 {
  let best = probing.probeAt(x, y, floorAt(x, y));
  if (best == ABORTED) return Outcome.Aborted;
  if (best == STUCK) return Outcome.ProbeStuck;
  let step = CLIMB_STEP_MM;
  let probes = 1;
  while (step >= CLIMB_STEP_MIN_MM && probes < CLIMB_PROBES_MAX) {
    let bx = x, by = y;
    let moved = false;
    for (let k = 0; k < 4; k++) {
      const nx = x + (k == 0 ? step : k == 1 ? -step : 0);
      const ny = y + (k == 2 ? step : k == 3 ? -step : 0);
      if (!probing.reachable(nx, X) || !probing.reachable(ny, Y)) continue;
      const h = probing.probeAt(nx, ny, floorAt(nx, ny));
      probes++;
      if (h == ABORTED) return Outcome.Aborted;
      if (h == STUCK) return Outcome.ProbeStuck;
      if (h > best) {
        best = h;
        bx = nx;
        by = ny;
        moved = true;
      }
    }
    if (moved) {
      x = bx;
      y = by;
    } else {
      step *= 0.5;
    }
  }
  if (best == NOT_FOUND) return Outcome.PointNotFound;
  climbX = x;
  climbY = y;
  return -1;
}

/**
 * The search's targets, in order: front centre (where Z was homed), centre, middle right, middle
 * left. Each next one is at most about 100 mm along one axis from the ones found: the floor of its
 * probes comes from the bed found so far (the homing point's height, then the line through two,
 * then a plane), and a bed tilted by 0.002 (0.5 mm over 250 mm) falls 0.2 mm over 100 mm, which
 * a sensor 10 % weak (switching 0.36 mm over copper) still meets above the 0.08 mm floor.
 * Prusa's four (front, right, rear, left centres) put the second 140 mm away diagonally: 0.4 mm
 * of such a tilt, and the search failed there (random-1-14 of the bench). The rear row is found
 * in the refinement, by then from the plane through six targets.
 */
const FOUR: StaticArray<i32> = [1, 4, 5, 3];

/** Step k of n has started: the serial line ("Searching bed calibration point 2 of 4") and the
 * panel's progress, in Prusa's LCD words (M45's handler opens it with the title; each stage
 * counts its own steps: "Searching bed calibration point", 2/4). */
function progress(t: RomText, k: i32, n: i32): void {
  if (k == 1) beginPhase(<u32>n);
  setProgress(t, <u32>k);
  out.text(t);
  out.int(k);
  out.text(rom(" of "));
  out.int(n);
  out.newline();
}

/** Runs M45 (zOnly: M45 Z, reference heights only). */
export function run(zOnly: bool, details: bool): Outcome {
  // The progress screen is opened and closed around this by M45's handler
  // (gcode/calibrationCommands.ts), however it ends.
  return calibrate(zOnly, details);
}

function calibrate(zOnly: bool, details: bool): Outcome {
  verbose = details;
  failedTarget = -1;
  probing.resetCounts();
  if (!motion.isHomed(X) || !motion.isHomed(Y) || !motion.isHomed(Z)) return Outcome.NotHomed;
  if (zOnly) return measureReferences(true);
  setStatus(rom("Calibrating XYZ"));
  // Measure in machine coordinates from a clean start.
  transform.reset();
  referenceValid = false;
  edgeRadiusMm = 0;
  heightNoiseMm = 0;
  falloffDepthSumMm = 0;
  falloffRadiusSumMm = 0;
  for (let i = 0; i < 9; i++) store<i32>(found + (<usize>i << 2), 0);
  let shiftX: f32 = 0, shiftY: f32 = 0;
  fit.clearPoints();
  for (let k = 0; k < 4; k++) {
    const i = unchecked(FOUR[k]);
    progress(rom("Searching bed calibration point "), k + 1, 4);
    let r = climb(bedNozzleX(i) + shiftX, bedNozzleY(i) + shiftY);
    if (r < 0) r = locate(i, climbX, climbY, 1, false);
    if (r >= 0) return failAt(i, r);
    // The next search starts where the points so far put it.
    shiftX = getF(centreX, i) - bedNozzleX(i);
    shiftY = getF(centreY, i) - bedNozzleY(i);
    fit.addPoint(getF(centreX, i), getF(centreY, i), bedNozzleX(i), bedNozzleY(i), 1, 1);
  }
  if (fit.fit() != fit.FitResult.Ok) return failAt(-1, Outcome.FitFailed);
  transform.setFromAngles(fit.xAxisAngleRad(), fit.yAxisAngleRad(), fit.originOnBedX(), fit.originOnBedY());
  for (let i = 0; i < 9; i++) {
    progress(rom("Improving bed calibration point "), i + 1, 9);
    transform.worldToMachine(bedNozzleX(i), bedNozzleY(i));
    // A centre predicted beyond the travel is seen as an arc only: a second pass around the
    // first pass's centre finds more of it.
    const outside = !probing.reachable(transform.outX, X) || !probing.reachable(transform.outY, Y);
    const r = locate(i, transform.outX, transform.outY, outside ? 2 : 1, true);
    if (r >= 0) {
      transform.reset();
      return failAt(i, r);
    }
  }
  fit.clearPoints();
  for (let i = 0; i < 9; i++) {
    // A circle cut by the Y limit (fewer edge points than a whole one's) gives its centre's X well
    // (the arc is symmetric about it) but its Y poorly and biased: the fit's sigma misses the bias
    // of an arc swept from one side only (its Y was 0.2-0.35 mm off in the bench, and set the
    // skew's worst errors). Its Y is left out; the middle and rear rows fix the X axis' angle.
    const arc = load<i32>(edgeCount + (<usize>i << 2)) < SWEEP_DIRECTIONS * 3 - 2;
    fit.addPoint(getF(centreX, i), getF(centreY, i), bedNozzleX(i), bedNozzleY(i),
      weightOf(getF(sigmaX, i)), arc ? <f32>0 : weightOf(getF(sigmaY, i)));
  }
  transform.reset();
  if (fit.fit() != fit.FitResult.Ok) return failAt(-1, Outcome.FitFailed);
  let largest: f32 = 0;
  for (let i = 0; i < 9; i++) largest = Mathf.max(largest, fit.residualMm(i));
  const verdict = classify(fit.skewRad(), fit.xAxisAngleRad(), fit.yAxisAngleRad(), largest);
  report();
  if (verdict == SkewVerdict.FitFailed) return failAt(-1, Outcome.FitFailed);
  transform.setFromAngles(fit.xAxisAngleRad(), fit.yAxisAngleRad(), fit.originOnBedX(), fit.originOnBedY());
  stored.storeTransform(true);
  const z = measureReferences(false);
  if (z != Outcome.Perpendicular) return z;
  return verdict == SkewVerdict.Perpendicular ? Outcome.Perpendicular : verdict == SkewVerdict.Mild ? Outcome.Mild : Outcome.Extreme;
}

function weightOf(sigma: f32): f32 {
  if (sigma <= CENTRE_SIGMA_FULL_MM) return 1;
  const q = CENTRE_SIGMA_FULL_MM / sigma;
  return q * q;
}

function failAt(i: i32, r: i32): Outcome {
  failedTarget = i;
  transform.reset();
  stored.storeTransform(false);
  return <Outcome>r;
}

/** Probes averaged per reference height: the noise (0.002-0.01 mm a probe) falls by sqrt(3), for
 * about half a second of printer time per probe (the nozzle stays over the target). */
const REFERENCE_PROBES: i32 = 3;

/** The switching height over each centre (from the transform when zOnly), the mean of three. */
function measureReferences(zOnly: bool): Outcome {
  for (let i = 0; i < 9; i++) {
    progress(rom("Measuring reference height "), i + 1, 9);
    let x: f32, y: f32;
    if (zOnly) {
      transform.worldToMachine(bedNozzleX(i), bedNozzleY(i));
      x = transform.outX;
      y = transform.outY;
    } else {
      x = getF(centreX, i);
      y = getF(centreY, i);
    }
    // A front-row centre beyond the Y travel is probed from the nearest point the carriage
    // reaches, where the probe switches lower by the fall-off times the distance (75 um for
    // 1.7 mm): that is added back, from the fall-off the circles seen whole showed.
    const px = probing.clampAxis(x, X), py = probing.clampAxis(y, Y);
    const away = Mathf.sqrt((x - px) * (x - px) + (y - py) * (y - py));
    let sum: f32 = 0;
    for (let k = 0; k < REFERENCE_PROBES; k++) {
      const h = probing.probeAt(px, py, floorAt(px, py));
      if (h == ABORTED) return Outcome.Aborted;
      if (h == STUCK) return failAt(i, Outcome.ProbeStuck);
      if (h == NOT_FOUND) return failAt(i, Outcome.PointNotFound);
      sum += h;
    }
    let mean = sum / <f32>REFERENCE_PROBES;
    if (away > 0.01) {
      const falloff = falloffRadiusSumMm > 0 ? falloffDepthSumMm / falloffRadiusSumMm : <f32>0;
      mean += falloff * away;
      out.text(rom("echo:Reference height "));
      out.int(i + 1);
      out.text(rom(" probed "));
      out.fixed(away, 2);
      out.text(rom(" mm from its centre (beyond the travel), raised by the reach's fall-off, "));
      out.fixed(falloff, 3);
      out.line(falloff > 0 ? rom(" mm per mm") : rom(" mm per mm (unknown since power-on: run M45)"));
    }
    putF(referenceZ, i, mean);
    stored.storeReferenceHeight(i, mean);
  }
  referenceValid = true;
  probing.travelTo(motion.native(X), motion.native(Y), probing.TRAVEL_MM);
  if (verbose) {
    for (let i = 0; i < 9; i++) {
      out.text(rom("echo:Reference height "));
      out.int(i + 1);
      out.text(rom(": "));
      out.fixed(getF(referenceZ, i), 3);
      out.line(rom(" mm"));
    }
  }
  return Outcome.Perpendicular;
}

function report(): void {
  out.text(rom("XYZ calibration: skew "));
  out.fixed(fit.skewRad() * DEG_PER_RAD, 4);
  out.text(rom(" deg (+-"));
  out.fixed(Mathf.max(fit.skewSigmaRad(), 0) * DEG_PER_RAD, 4);
  out.text(rom("), X axis "));
  out.fixed(fit.xAxisAngleRad() * DEG_PER_RAD, 3);
  out.text(rom(" deg, Y axis "));
  out.fixed(fit.yAxisAngleRad() * DEG_PER_RAD, 3);
  out.text(rom(" deg, shift X "));
  out.fixed(-fit.originOnBedX(), 2);
  out.text(rom(" Y "));
  out.fixed(-fit.originOnBedY(), 2);
  out.line(rom(" mm"));
  out.text(rom("Residuals, mm:"));
  for (let i = 0; i < 9; i++) {
    out.char(32);
    out.fixed(fit.residualMm(i), 3);
  }
  out.newline();
  out.text(rom("Front row distance from the Y limit, mm:"));
  for (let i = 0; i < 3; i++) {
    out.char(32);
    out.fixed(getF(centreY, i) - motion.minLimit(Y), 2);
  }
  out.newline();
  // Prusa warns "calibration compromised" when front points are out of reach: their centres
  // then come from a short arc only (less certain, weighted down in the fit).
  let beyond = 0;
  for (let i = 0; i < 3; i++) if (getF(centreY, i) < motion.minLimit(Y)) beyond++;
  if (beyond > 0) {
    out.text(rom("echo:Warning: "));
    out.int(beyond);
    out.line(rom(" front calibration point(s) beyond the Y travel, measured from part of their circle only: calibration compromised (the bed sits too far forwards; move it back)"));
  }
  if (verbose) {
    for (let i = 0; i < 9; i++) {
      out.text(rom("echo:Point "));
      out.int(i + 1);
      out.text(rom(": machine X "));
      out.fixed(getF(centreX, i), 3);
      out.text(rom(" Y "));
      out.fixed(getF(centreY, i), 3);
      out.text(rom(" +-"));
      out.fixed(getF(sigmaX, i), 3);
      out.text(rom("/"));
      out.fixed(getF(sigmaY, i), 3);
      out.text(rom(" edges "));
      out.int(load<i32>(edgeCount + (<usize>i << 2)));
      out.text(rom(" residual X "));
      out.fixed(fit.residualX(i), 3);
      out.text(rom(" Y "));
      out.fixed(fit.residualY(i), 3);
      out.newline();
    }
    out.text(rom("echo:Fit iterations "));
    out.int(fit.iterations());
    out.text(rom(", probes "));
    out.int(probing.probeCount);
    out.text(rom(", sweeps "));
    out.int(probing.sweepCount);
    out.newline();
  }
}
