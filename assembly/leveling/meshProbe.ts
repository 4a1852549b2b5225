// G80: probe the bed at a grid of points and make the mesh from them.
//
// Where: on the MK42 (MK2/MK2S) only the nine copper induction targets answer the PINDA alike
// (over the heating meander it switches lower, or not at all: tools/sim/model/probe.ts), so the
// points are the targets, 3 x 3, found through the XYZ calibration's transform (the nominal
// positions without one). On the MK52 steel sheet (MK2.5) any point answers alike: 3 x 3 or
// 7 x 7 over the area the probe reaches, or over a given area.
//
// Order: a square spiral from the point nearest where Z homed, so each point has a probed
// neighbour one grid step away; its height predicts the next (with M45's reference heights on
// the MK42 those predict each target instead). 7 x 7 from the centre is 48 one-step moves, as a
// zig-zag would be.
//
// Each probe descends from 0.5 mm above the predicted switching height only down to the
// prediction minus the allowed deviation (Prusa's G80 threshold: 0.35 mm as in the MK3 since
// 2023; 1.0 mm on the MK2 let the nozzle reach the bed). A sensor that does not switch by then
// stops G80 with Prusa's "no trigger" reason, the nozzle still about 0.05 mm above the bed the
// prediction expects; one that switches more than the deviation above it with "triggered too
// high"; one that reads switched before it descends, and still when lifted, "disconnected" (the
// PINDA input reads switched when its cable is off). Each stops with the fault latch, naming the
// point.
//
// Samples (C): each point is probed C times, lifting 0.35 mm between (more than the PINDA's
// largest hysteresis, 0.25 mm); if they spread more than the tolerance (T) they are taken again,
// at most 3 times (Klipper's samples / samples_tolerance / samples_tolerance_retries), then G80
// stops. The point's height is their mean.
//
// Repeats (P): the whole grid is probed P times and averaged; per point the mean, the standard
// deviation and the 95 % interval of the mean are kept (the SV06 seed's spreadsheet), in the
// shared workspace (Welford's running mean and sum of squares, 2 x 49 f32).

import * as motion from "../motion/motion";
import { X, Y, Z } from "../motion/axes";
import { INPUT_PROBE } from "../motion/inputs";
import { readInputs } from "../hal";
import * as settings from "../settings/store";
import { S } from "../settings/store";
import { BoardKey, bedTargetX, bedTargetY, boardF32 } from "../board";
import * as transform from "../calibration/bedTransform";
import { workspace } from "../system/workspace";
import { faultActive } from "../system/fault";
import * as mesh from "./mesh";
import { setProgress } from "../ui/progress";

export const enum Failure {
  None = 0,
  NoTrigger = 1,
  TooHigh = 2,
  Disconnected = 3,
  Spread = 4,
  Unreachable = 5,
  Aborted = 6,
}

/** Height above the predicted switching height from which each probe descends, mm. */
const START_ABOVE_MM: f32 = 0.5;
/** Lift between samples of one point, mm: above the PINDA's largest hysteresis (0.25 mm). */
const SAMPLE_LIFT_MM: f32 = 0.35;
/** Lift used to tell a disconnected sensor from a bed that is high, mm. */
const DISCONNECT_LIFT_MM: f32 = 1.5;
const SPREAD_RETRIES: i32 = 3;
/** Probe descent, mm/s: 1600 steps/s at 400 steps/mm; the interrupt reads the switch every step
 * (2.5 um) and the move stops dead (calibration/probing.ts). */
const PROBE_Z_SPEED: f32 = 4;
const LIFT_Z_SPEED: f32 = 10;
/** Travel between points, mm/s (the MK2's X/Y allow 500 mm/s; travel accelerates at M204 T). */
const TRAVEL_XY_SPEED: f32 = 300;

// Per point, f32, index row * 7 + column, in the workspace: the running mean (NaN = not probed
// yet in the first pass) and the sum of squared deviations.
const meanAt: usize = workspace;
const m2At: usize = workspace + 49 * 4;

/** The failed point (row * 7 + column) and the height it switched at, for the message. */
export let failedIndex: i32 = -1;
export let failedHeightMm: f32 = 0;

function getF(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}
function putF(base: usize, i: i32, v: f32): void {
  store<f32>(base + (<usize>i << 2), v);
}

export function pointMean(i: i32): f32 { return getF(meanAt, i); }
export function pointM2(i: i32): f32 { return getF(m2At, i); }

/** Nozzle height over the bed at which the probe switches, mm: what Z homing assumed. */
export function nominalTrigger(): f32 {
  return Mathf.max(-settings.axisF32(S.ProbeOffset, Z), 0);
}

function probeSwitched(): bool {
  return (readInputs() & INPUT_PROBE) != 0;
}

function moveZTo(z: f32, speed: f32): void {
  motion.moveAxisBy(Z, z - motion.native(Z), speed, 0);
  motion.synchronize();
}

/** The last descent's switching height, then the result of the last probePoint(), mm. */
export let measuredMm: f32 = 0;

/**
 * One descent from where the nozzle is to `floorMm`, stopped by the probe: the height it switched
 * at in measuredMm, or a failure.
 */
function descend(floorMm: f32): Failure {
  motion.moveAxisBy(Z, floorMm - motion.native(Z), PROBE_Z_SPEED, INPUT_PROBE);
  const hit = motion.runCheckedMove();
  if (faultActive()) return Failure.Aborted;
  if (!hit) return Failure.NoTrigger;
  measuredMm = motion.native(Z);
  return Failure.None;
}


/**
 * Probes with the probe over world (px, py): `expected` is the predicted switching height,
 * `allowedMm` the deviation allowed from it. Leaves the nozzle 0.5 mm above the switching height.
 */
function probePoint(px: f32, py: f32, expected: f32, allowedMm: f32, samples: i32, toleranceMm: f32): Failure {
  transform.worldToMachine(px - settings.axisF32(S.ProbeOffset, X), py - settings.axisF32(S.ProbeOffset, Y));
  const mx = transform.outX, my = transform.outY;
  if (mx < motion.minLimit(X) || mx > motion.maxLimit(X) || my < motion.minLimit(Y) || my > motion.maxLimit(Y)) return Failure.Unreachable;
  const start = expected + START_ABOVE_MM;
  // Up first (never across the bed low), then over, then down to the start.
  if (motion.native(Z) < start) moveZTo(start, LIFT_Z_SPEED);
  motion.moveXYTo(mx, my, TRAVEL_XY_SPEED);
  motion.synchronize();
  if (faultActive()) return Failure.Aborted;
  if (probeSwitched()) {
    // Switched this high: a bed far above the prediction, or a sensor that reads switched whatever
    // is under it. Lifted well clear, a working sensor opens.
    moveZTo(motion.native(Z) + DISCONNECT_LIFT_MM, LIFT_Z_SPEED);
    failedHeightMm = motion.native(Z);
    return probeSwitched() ? Failure.Disconnected : Failure.TooHigh;
  }
  const floor = expected - allowedMm;
  for (let attempt = 0; attempt < SPREAD_RETRIES; attempt++) {
    let lo: f32 = 1000, hi: f32 = -1000, sum: f32 = 0;
    for (let s = 0; s < samples; s++) {
      const f = descend(floor);
      if (f != Failure.None) {
        failedHeightMm = motion.native(Z);
        if (f == Failure.NoTrigger) moveZTo(expected + START_ABOVE_MM, LIFT_Z_SPEED);
        return f;
      }
      const sampleMm = measuredMm;
      if (sampleMm > expected + allowedMm) {
        failedHeightMm = sampleMm;
        moveZTo(sampleMm + START_ABOVE_MM, LIFT_Z_SPEED);
        return Failure.TooHigh;
      }
      lo = Mathf.min(lo, sampleMm);
      hi = Mathf.max(hi, sampleMm);
      sum += sampleMm;
      moveZTo(sampleMm + (s == samples - 1 ? START_ABOVE_MM : SAMPLE_LIFT_MM), LIFT_Z_SPEED);
    }
    if (hi - lo <= toleranceMm) {
      measuredMm = sum / <f32>samples;
      return Failure.None;
    }
    failedHeightMm = hi - lo;
  }
  return Failure.Spread;
}

/** The predicted switching height at node (c, r): the nearest node probed so far (the homing
 * point before any). */
function predicted(c: i32, r: i32, n: i32, m: i32, homeC: f32, homeR: f32): f32 {
  let best: f32 = (<f32>c - homeC) * (<f32>c - homeC) + (<f32>r - homeR) * (<f32>r - homeR);
  let h = nominalTrigger();
  for (let rr = 0; rr < m; rr++) {
    for (let cc = 0; cc < n; cc++) {
      const v = getF(meanAt, rr * 7 + cc);
      if (v != v) continue; // not probed yet
      const d = <f32>((cc - c) * (cc - c) + (rr - r) * (rr - r));
      if (d < best) {
        best = d;
        h = v;
      }
    }
  }
  return h;
}

/**
 * Probes an n x m grid whose probe positions span x0..x1, y0..y1 (world mm), `passes` times.
 * `references`: the MK42's nine reference heights predict each point (n = m = 3). `onTargets`:
 * the MK42 (n = m = 3), each point probed at its induction target's centre (the board's table).
 * Afterwards pointMean/pointM2 hold each point's mean and sum of squared deviations.
 */
export function probeGrid(n: i32, m: i32, x0: f32, x1: f32, y0: f32, y1: f32, passes: i32, samples: i32,
  toleranceMm: f32, allowedMm: f32, references: bool, onTargets: bool): Failure {
  failedIndex = -1;
  for (let i = 0; i < 49; i++) {
    putF(meanAt, i, reinterpret<f32>(0x7fc00000)); // NaN: not probed
    putF(m2At, i, 0);
  }
  // The homing point in grid steps (where the probe was when Z homed).
  const hx = boardF32(BoardKey.SafeHomeX), hy = boardF32(BoardKey.SafeHomeY);
  const homeC = n > 1 && x1 != x0 ? ((hx - x0) / (x1 - x0)) * <f32>(n - 1) : 0;
  const homeR = m > 1 && y1 != y0 ? ((hy - y0) / (y1 - y0)) * <f32>(m - 1) : 0;
  let startC = <i32>(homeC + <f32>0.5);
  let startR = <i32>(homeR + <f32>0.5);
  startC = startC < 0 ? 0 : startC >= n ? n - 1 : startC;
  startR = startR < 0 ? 0 : startR >= m ? m - 1 : startR;
  let k = 0;
  for (let pass = 0; pass < passes; pass++) {
    // The square spiral: right, back, left, front, each run one longer every second turn;
    // positions outside the grid are walked past without moving there.
    let c = startC, r = startR, dir = 0, run = 1, left = 1, turns = 0;
    for (let p = 0; p < n * m; p++) {
      if (p > 0) {
        do {
          if (dir == 0) c++;
          else if (dir == 1) r++;
          else if (dir == 2) c--;
          else r--;
          left--;
          if (left == 0) {
            dir = (dir + 1) & 3;
            turns++;
            if ((turns & 1) == 0) run++;
            left = run;
          }
        } while (c < 0 || c >= n || r < 0 || r >= m);
      }
      const i = r * 7 + c;
      k++;
      setProgress(0, <u32>k);
      let expected: f32;
      const before = getF(meanAt, i);
      if (pass > 0) expected = before;
      else if (references) expected = settings.axisF32(S.ReferenceHeights, r * 3 + c);
      else expected = predicted(c, r, n, m, homeC, homeR);
      // On the MK42 the probe goes over each target's own centre: the middle column's targets are
      // at X 137, not half-way between 35 and 238 (board.json), and 0.5 mm off the centre of an
      // 8 mm target the PINDA switches lower: probed there, the middle column read 10-18 um under
      // the points' mean error, and the MK42 printers' probed-point error was 10-12 um RMS; at
      // the centres 2.3-5.5 um (npx tsx tools/bench/calibration.ts --count 3: meshPointErrorUmRms
      // 5.5 -> 4.5 um over all printers). The node keeps its place on the even grid: the bed's
      // height 0.5 mm away differs by under 1 um on the SV06 warps.
      const px = onTargets ? bedTargetX(c) : mesh.gridPosition(x0, x1, n, c);
      const py = onTargets ? bedTargetY(r) : mesh.gridPosition(y0, y1, m, r);
      const f = probePoint(px, py, expected, allowedMm, samples, toleranceMm);
      if (f != Failure.None) {
        failedIndex = i;
        return f;
      }
      // Welford: the running mean and sum of squared deviations.
      const h = measuredMm;
      if (pass == 0) {
        putF(meanAt, i, h);
      } else {
        const delta = h - before;
        const mean = before + delta / <f32>(pass + 1);
        putF(meanAt, i, mean);
        putF(m2At, i, getF(m2At, i) + delta * (h - mean));
      }
    }
  }
  return Failure.None;
}
