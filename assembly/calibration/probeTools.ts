// The probe tools: one probe of the bed at a point (G30, PROBE), the repeatability test (M48,
// PROBE_ACCURACY) and the guided Z-offset procedure (PROBE_CALIBRATE, TESTZ, ACCEPT, ABORT).
//
// Points are where the sensor is over the bed, in bed (world) coordinates, as Marlin's G30 and
// M48 take them (probe-relative). A probe result is the bed's height there in the firmware's Z
// frame, Marlin's "measured Z": the nozzle height at which the probe switched plus the probe's Z
// offset (M851 Z, negative: the probe switches with the nozzle above the bed). At the point where
// Z was homed it is 0 within the probe's noise.
//
// The Z offset (the Klipper guide's "paper test", seeds/probe-calibration-klipper.txt):
// PROBE_CALIBRATE probes a point, moves the nozzle over the same spot of the bed and lowers it to
// 1 mm over where the probe says the bed is. The owner slides a sheet of paper under the nozzle and
// moves it with TESTZ until the paper just drags, then ACCEPT. The nozzle is then the paper's
// thickness over the bed, so the probe switches (switch height - nozzle height + paper) over
// the bed: that is the new offset (M851 Z, its negative; M500 saves it). Klipper leaves the paper's
// thickness in (its z_offset puts Z0 at "one sheet of paper"); here it is taken out, so a first
// layer asked at 0.2 mm is 0.2 mm: PAPER= says how thick the owner's sheet is, 0.1 mm (80 g/m2
// office paper) if not said.

import * as motion from "../motion/motion";
import { X, Y, Z } from "../motion/axes";
import * as settings from "../settings/store";
import { S } from "../settings/store";
import * as bedTransform from "./bedTransform";
import * as probing from "./probing";
import { faultActive, raiseFault } from "../system/fault";
import { workspace } from "../system/workspace";
import * as out from "../serial/out";
import { rom } from "../rom";
import { bedIsSteelSheet, bedTargetX, bedTargetY } from "../board";

/** Result of probeBedAt() that is not a height. */
export const enum ProbeFailure {
  None = 0,
  NotHomed = 1,
  Unreachable = 2,
  NotTriggered = 3,
  Stuck = 4,
  Aborted = 5,
  /** The MK42: the point is not over an induction target (see overTarget()). */
  OffTarget = 6,
}

/** What the last probeBedAt() found: the measured bed Z (mm), and the nozzle's switching height. */
export let measuredZ: f32 = 0;
export let failure: ProbeFailure = ProbeFailure.None;

/** Machine X/Y that put the nozzle over bed point (x, y) (sets outX/outY of the bed transform). */
function nozzleMachineOver(bedX: f32, bedY: f32): void {
  bedTransform.worldToMachine(bedX, bedY);
}

function probeOffset(axis: i32): f32 {
  return settings.axisF32(S.ProbeOffset, axis);
}

/** Where the sensor is over the bed with the carriages where they are: 0 X, 1 Y, bed mm. */
export function sensorBedNow(axis: i32): f32 {
  bedTransform.machineToWorld(motion.native(X), motion.native(Y));
  return axis == X ? bedTransform.outX + probeOffset(X) : bedTransform.outY + probeOffset(Y);
}

export function allHomed(): bool {
  return motion.isHomed(X) && motion.isHomed(Y) && motion.isHomed(Z);
}

/** Can the sensor be put over bed point (x, y)? */
export function sensorReaches(bedX: f32, bedY: f32): bool {
  nozzleMachineOver(bedX - probeOffset(X), bedY - probeOffset(Y));
  return probing.reachable(bedTransform.outX, X) && probing.reachable(bedTransform.outY, Y);
}

/** Can the nozzle be put over bed point (x, y)? */
export function nozzleReaches(bedX: f32, bedY: f32): bool {
  nozzleMachineOver(bedX, bedY);
  return probing.reachable(bedTransform.outX, X) && probing.reachable(bedTransform.outY, Y);
}

/**
 * Farthest the sensor's centre may be from an MK42 target's centre, mm: half the copper disc's
 * radius (8 mm discs, board.json), so the 8 mm sensor face sees mostly copper whatever the
 * calibration's error (M45's centres: under 0.1 mm RMS).
 */
const TARGET_REACH_MM: f32 = 2;
/** Nearest MK42 target (0..8, front row first) to the last point overTarget() looked at. */
let nearestTarget: i32 = 0;

/**
 * Is bed point (x, y) one the probe reads true? Everywhere on a steel sheet. On the MK42 only
 * over the nine copper targets: over the heating meander the PINDA switches much closer (0.12 mm
 * instead of 0.4 mm for a nominal sensor, tests/scenarios: meanderRatio), so a height measured
 * there is wrong by about 0.3 mm, and a weak sensor, or a Z offset set too deep, switches only
 * after the nozzle has touched the bed: no floor above the bed can be trusted there. Prusa's MK2
 * firmware probes nothing but the targets for the same reason.
 */
export function overTarget(bedX: f32, bedY: f32): bool {
  if (bedIsSteelSheet()) return true;
  let best: f32 = 1e9;
  for (let i = 0; i < 9; i++) {
    const dx = bedTargetX(i % 3) - bedX;
    const dy = bedTargetY(i / 3) - bedY;
    const d = dx * dx + dy * dy;
    if (d < best) {
      best = d;
      nearestTarget = i;
    }
  }
  return best <= TARGET_REACH_MM * TARGET_REACH_MM;
}

/**
 * One probe with the sensor over bed point (x, y). Returns true and sets measuredZ, or false and
 * sets failure; a probe that did not switch or stayed switched latches the fault (nothing is
 * known of the bed there, and the nozzle must not go lower). The probe descends no lower than
 * probing.NOZZLE_FLOOR_MM over the bed as Z homing found it, and ends at the hover height.
 */
export function probeBedAt(bedX: f32, bedY: f32): bool {
  failure = ProbeFailure.None;
  if (!allHomed()) {
    failure = ProbeFailure.NotHomed;
    return false;
  }
  if (!sensorReaches(bedX, bedY)) {
    failure = ProbeFailure.Unreachable;
    return false;
  }
  if (!overTarget(bedX, bedY)) {
    failure = ProbeFailure.OffTarget;
    return false;
  }
  nozzleMachineOver(bedX - probeOffset(X), bedY - probeOffset(Y));
  const z = probing.probeAt(bedTransform.outX, bedTransform.outY, probing.NOZZLE_FLOOR_MM);
  if (z == probing.ABORTED || faultActive()) {
    failure = ProbeFailure.Aborted;
    return false;
  }
  if (z == probing.NOT_FOUND || z == probing.STUCK) {
    failure = z == probing.STUCK ? ProbeFailure.Stuck : ProbeFailure.NotTriggered;
    out.text(rom("echo:Probe at X"));
    out.fixed(bedX, 2);
    out.text(rom(" Y"));
    out.fixed(bedY, 2);
    out.line(z == probing.STUCK ? rom(": switched before descending") : rom(": no switch above the floor"));
    if (z == probing.STUCK) raiseFault(rom("Probe stays switched where it should be open (check the probe and its cable)"), rom("Probe stuck"), false);
    else raiseFault(rom("Probe did not switch above the bed (is it connected? set at the right height?); stopped above the bed"), rom("Probe failed"), false);
    return false;
  }
  measuredZ = z + probeOffset(Z);
  return true;
}

/** The failures that are not faults, in words (a fault has said its own). */
export function reportFailure(): void {
  if (failure == ProbeFailure.NotHomed) {
    out.line(rom("Error:Probing needs X, Y and Z homed (G28 first); nothing probed"));
  } else if (failure == ProbeFailure.Unreachable) {
    out.text(rom("Error:The probe cannot reach that point (the nozzle would be outside the travel: the probe is X"));
    out.fixed(probeOffset(X), 1);
    out.text(rom(" Y"));
    out.fixed(probeOffset(Y), 1);
    out.line(rom(" from the nozzle); nothing probed"));
  } else if (failure == ProbeFailure.OffTarget) {
    out.text(rom("Error:On the MK42 bed the probe reads true only over its nine induction targets (the nearest: X"));
    out.fixed(bedTargetX(nearestTarget % 3), 0);
    out.text(rom(" Y"));
    out.fixed(bedTargetY(nearestTarget / 3), 0);
    out.line(rom("); nothing probed"));
  }
}

// ---- Statistics of a series of probes (M48, PROBE_ACCURACY and the checks built on them) ----

/** Most samples of one series (Marlin's M48 limit): 200 bytes of the shared workspace. */
export const SAMPLES_MAX: i32 = 50;

export let sampleCount: i32 = 0;
/** The statistics, after the samples in the workspace (static SRAM is scarce: docs of
 * system/workspace.ts): mean, minimum, maximum, median, population standard deviation (divided
 * by N, as Marlin's M48 and Klipper report it). */
const STATS = workspace + <usize>SAMPLES_MAX * 4;
export const enum Stat {
  Mean = 0,
  Min = 1,
  Max = 2,
  Median = 3,
  Sigma = 4,
}
/** The first workspace byte the statistics leave free (for the commands' own scratch). */
export const STATS_END: usize = STATS + 5 * 4;

export function stat(which: Stat): f32 {
  return load<f32>(STATS + (<usize>which << 2));
}

function setStat(which: Stat, v: f32): void {
  store<f32>(STATS + (<usize>which << 2), v);
}

export function clearSamples(): void {
  sampleCount = 0;
}

export function addSample(z: f32): void {
  if (sampleCount >= SAMPLES_MAX) return;
  store<f32>(workspace + (<usize>sampleCount << 2), z);
  sampleCount++;
}

export function sampleAt(i: i32): f32 {
  return load<f32>(workspace + (<usize>i << 2));
}

/**
 * Mean, minimum, maximum, population standard deviation (two passes: the samples differ in the
 * fourth decimal while they are a few tenths, and f32 sums of squares would lose that), and the
 * median (which sorts the samples in place).
 */
export function computeStats(): void {
  const n = sampleCount;
  if (n == 0) return;
  let sum: f32 = 0;
  let lo = sampleAt(0);
  let hi = lo;
  for (let i = 0; i < n; i++) {
    const v = sampleAt(i);
    sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const mean = sum / <f32>n;
  let squares: f32 = 0;
  for (let i = 0; i < n; i++) {
    const d = sampleAt(i) - mean;
    squares += d * d;
  }
  setStat(Stat.Mean, mean);
  setStat(Stat.Min, lo);
  setStat(Stat.Max, hi);
  setStat(Stat.Sigma, Mathf.sqrt(squares / <f32>n));
  // Insertion sort: at most 50 samples.
  for (let i = 1; i < n; i++) {
    const v = sampleAt(i);
    let j = i - 1;
    while (j >= 0 && sampleAt(j) > v) {
      store<f32>(workspace + (<usize>(j + 1) << 2), sampleAt(j));
      j--;
    }
    store<f32>(workspace + (<usize>(j + 1) << 2), v);
  }
  setStat(Stat.Median, (n & 1) != 0 ? sampleAt(n >> 1) : (sampleAt((n >> 1) - 1) + sampleAt(n >> 1)) * <f32>0.5);
}

/** Klipper's guide: a range over 25 um is "not sufficient accuracy for typical bed leveling". */
export const RANGE_LIMIT_MM: f32 = 0.025;

// ---- The guided Z offset (PROBE_CALIBRATE / TESTZ / ACCEPT / ABORT) ----

/** Paper thickness when PAPER= is not given, mm: 80 g/m2 office paper is about 0.1 mm. */
export const PAPER_DEFAULT_MM: f32 = 0.1;
export const PAPER_MAX_MM: f32 = 0.5;
/** The nozzle starts this high over where the probe says the bed is, mm. */
const START_ABOVE_BED_MM: f32 = 1;
/**
 * TESTZ goes no lower than this under where the probe (with the present offset) says the bed is,
 * mm. The offset is what is being measured, so the bed may really be lower than it says: a PINDA
 * switches 0.19 to 0.54 mm over the bed where 0.4 is expected (weak and strong sensors,
 * tests/scenarios), so an offset set for one and used with another is out by up to ~0.35 mm. 0.5
 * lets the paper be found on such a printer; an owner who keeps lowering without drag is stopped
 * there, with the message to check the offset and the nozzle.
 */
const BELOW_EXPECTED_MAX_MM: f32 = 0.5;
/** Klipper's manual probe bisects in steps of at most 0.2 mm (manual_probe.py BISECT_MAX). */
const BISECT_MAX_MM: f32 = 0.2;
/** Z speed of TESTZ moves, mm/s: slow, near the bed. */
const TESTZ_SPEED: f32 = 2;
/**
 * The open session, which outlives the command that opened it (TESTZ and ACCEPT are commands of
 * their own), packed (static SRAM is scarce): the nozzle height at which the probe switched over
 * the point (f32), the paper's thickness (f32), the last heights tested (i16 micrometres: +-32 mm,
 * more than TESTZ may go), how many, the location bias check's point (0: not running), the
 * switching heights it measured (i16 micrometres, up to nine) and how many points it takes (4 or 9).
 */
const TESTED_MAX: i32 = 6;
const enum Session {
  SwitchZ = 0,
  Paper = 4,
  Tested = 8,
  TestedCount = 8 + TESTED_MAX * 2,
  BiasCorner = TestedCount + 1,
  BiasUm = TestedCount + 2,
  BiasPoints = BiasUm + 18,
  Bytes = BiasPoints + 1,
}
const session = memory.data(<i32>Session.Bytes, 4);

function testedCount(): i32 {
  return <i32>load<u8>(session + Session.TestedCount);
}

function setTestedCount(n: i32): void {
  store<u8>(session + Session.TestedCount, <u8>n);
}

function sessionSwitchZ(): f32 {
  return load<f32>(session + Session.SwitchZ);
}

function sessionPaperMm(): f32 {
  return load<f32>(session + Session.Paper);
}

export function sessionOpen(): bool {
  return testedCount() > 0;
}

function testedAt(i: i32): f32 {
  return <f32>load<i16>(session + Session.Tested + (<usize>i << 1)) / <f32>1000;
}

function forgetTested(k: i32): void {
  const tested = session + Session.Tested;
  for (let i = k + 1, n = testedCount(); i < n; i++) store<i16>(tested + (<usize>(i - 1) << 1), load<i16>(tested + (<usize>i << 1)));
  setTestedCount(testedCount() - 1);
}

/**
 * Keeps `z` among the heights tested. A height already there (a bisection step under a Z step,
 * 2.5 um at 400 steps/mm, lands on one) is not kept twice. When the list is full, the height
 * farthest from `z` goes, but never the nearest above or below it: those bracket the paper, and
 * losing the one above made Z=+ jump BISECT_MAX_MM up (corner 2 of the location-bias scenario
 * after a first layer: from 0.079 to 0.279 mm instead of into 0.078..0.082).
 */
function noteTested(z: f32): void {
  const um = <i16>Mathf.round(z * <f32>1000);
  for (let i = 0, n = testedCount(); i < n; i++) {
    if (load<i16>(session + Session.Tested + (<usize>i << 1)) == um) return;
  }
  if (testedCount() == TESTED_MAX) {
    const above = nearestTested(z, true), below = nearestTested(z, false);
    let farthest = -1;
    let distance: f32 = -1;
    for (let i = 0; i < TESTED_MAX; i++) {
      const t = testedAt(i);
      if (t == above || t == below) continue;
      if (Mathf.abs(t - z) > distance) {
        distance = Mathf.abs(t - z);
        farthest = i;
      }
    }
    forgetTested(farthest);
  }
  const n = testedCount();
  store<i16>(session + Session.Tested + (<usize>n << 1), um);
  setTestedCount(n + 1);
}

export function sessionPaper(): f32 {
  return sessionPaperMm();
}

/** The bias check keeps the paper's thickness from one corner to the next. */
export function setSessionPaper(mm: f32): void {
  store<f32>(session + Session.Paper, mm);
}

export function probeOffsetZ(): f32 {
  return probeOffset(Z);
}

/** Lowest nozzle height TESTZ may go to. */
export function sessionFloor(): f32 {
  return sessionSwitchZ() + probeOffset(Z) - BELOW_EXPECTED_MAX_MM;
}

export const enum StartResult {
  Started = 0,
  ProbeFailed = 1,
  NozzleUnreachable = 2,
}

/**
 * PROBE_CALIBRATE at bed point (x, y): probe there, then the nozzle over the same spot,
 * START_ABOVE_BED_MM over the measured bed. The caller checked homing and reach.
 */
export function startSession(bedX: f32, bedY: f32, paperMm: f32): StartResult {
  if (!nozzleReaches(bedX, bedY)) return StartResult.NozzleUnreachable;
  if (!probeBedAt(bedX, bedY)) return StartResult.ProbeFailed;
  store<f32>(session + Session.SwitchZ, measuredZ - probeOffset(Z));
  store<f32>(session + Session.Paper, paperMm);
  nozzleMachineOver(bedX, bedY);
  probing.travelTo(bedTransform.outX, bedTransform.outY, probing.HOVER_MM);
  const start = measuredZ + START_ABOVE_BED_MM;
  probing.moveZTo(start);
  if (faultActive()) return StartResult.ProbeFailed;
  setTestedCount(0);
  noteTested(motion.native(Z));
  return StartResult.Started;
}

/**
 * Where a bisection step from `z` goes: +1/-1 halfway to the nearest height tested above/below
 * (Klipper's + and -), +2/-2 halfway to the farthest (++ and --), at most BISECT_MAX_MM. Down
 * with nothing tested below, the bed may be anywhere under the nozzle: the step is half the one
 * that brought the nozzle here (half the distance to the nearest height tested above), and never
 * more than half the paper, so the nozzle meets the paper before the bed.
 */
export function bisectTarget(z: f32, step: i32): f32 {
  let bound: f32 = step > 0 ? <f32>1e9 : <f32>-1e9;
  let found = false;
  for (let i = 0, n = testedCount(); i < n; i++) {
    const t = testedAt(i);
    if (step > 0 && t > z + <f32>0.0005) {
      if (!found || (step == 1 ? t < bound : t > bound)) bound = t;
      found = true;
    } else if (step < 0 && t < z - <f32>0.0005) {
      if (!found || (step == -1 ? t > bound : t < bound)) bound = t;
      found = true;
    }
  }
  let delta: f32 = BISECT_MAX_MM;
  if (found) {
    delta = Mathf.abs(bound - z) * <f32>0.5;
  } else if (step < 0) {
    const above = nearestTested(z, true);
    if (above < <f32>1e8) delta = (above - z) * <f32>0.5;
    delta = Mathf.min(delta, sessionPaperMm() * <f32>0.5);
  }
  if (delta > BISECT_MAX_MM) delta = BISECT_MAX_MM;
  return step > 0 ? z + delta : z - delta;
}

/** Moves the nozzle to `z` in the open session (the caller checked the floor). */
export function testTo(z: f32): void {
  motion.moveAxisBy(Z, z - motion.native(Z), TESTZ_SPEED, 0);
  motion.synchronize();
  if (!faultActive()) noteTested(motion.native(Z));
}

/** The heights tested just below and above the nozzle (for Klipper's "Z position: a --> z <-- b"). */
export function nearestTested(z: f32, above: bool): f32 {
  let bound: f32 = above ? <f32>1e9 : <f32>-1e9;
  for (let i = 0, n = testedCount(); i < n; i++) {
    const t = testedAt(i);
    if (above && t > z + <f32>0.0005 && t < bound) bound = t;
    if (!above && t < z - <f32>0.0005 && t > bound) bound = t;
  }
  return bound;
}

/** The offset ACCEPT would set: the probe switches (switch - nozzle + paper) over the bed. */
export function sessionOffset(): f32 {
  return -(sessionSwitchZ() - motion.native(Z) + sessionPaperMm());
}

/**
 * ACCEPT: the new offset is set (M500 saves it), and Z is re-based so the nozzle's height is
 * the paper's thickness: what a G28 with the new offset would give at this point. The nozzle then
 * rises clear of the paper. Returns the new offset.
 */
export function acceptSession(): f32 {
  const offset = sessionOffset();
  settings.setAxisF32(S.ProbeOffset, Z, offset);
  motion.setNativePosition(Z, sessionPaperMm());
  setTestedCount(0);
  probing.moveZTo(probing.HOVER_MM);
  return offset;
}

/** ABORT: nothing changes; the nozzle rises clear of the paper. */
export function abortSession(): void {
  setTestedCount(0);
  setBiasCorner(0);
  if (!faultActive()) probing.moveZTo(probing.HOVER_MM);
}

/** A fault or a new homing ends the session without a result. */
export function dropSession(): void {
  setTestedCount(0);
  setBiasCorner(0);
}

// ---- The location bias check (PROBE_BIAS_CHECK) ----
//
// Klipper's guide: the Z offset measured (PROBE_CALIBRATE and the paper test) near the four
// corners of the bed should be the same everywhere; a range over 25 um means the probe sees the bed
// differently by place (a mount that tilts, a twisting rail; the SV06 seed's hand corrections). The
// corners are the corner induction targets (where G80 probes the MK42's 3x3 mesh). Each ACCEPT
// records the switching height there and goes on to the next corner; nothing of the settings
// changes.
//
// POINTS=9 takes all nine targets, every point of the 3x3 mesh: on the location-bias scenario
// (the SV06 owner's bias) the four corners alone leave the first layer at 25.7 um (standard
// deviation of the true gap; 34.2 um after G80 alone), because the bias at the edges' middles
// and the centre is as large as at the corners; nine points bring it to 15.7 um, what nine
// points allow on that bed without any bias (17 um) (tests/host/locationBias.test.ts).

export const BIAS_CORNERS: i32 = 4;
export const BIAS_TARGETS: i32 = 9;

/** How many points the running check takes: 4 (the corners) or 9 (every target). */
export function biasPoints(): i32 {
  return <i32>load<u8>(session + Session.BiasPoints);
}

export function setBiasPoints(n: i32): void {
  store<u8>(session + Session.BiasPoints, <u8>n);
}

/** 1..biasPoints() while the check runs (the point whose paper test is open), else 0. */
export function biasCorner(): i32 {
  return <i32>load<u8>(session + Session.BiasCorner);
}

export function setBiasCorner(c: i32): void {
  store<u8>(session + Session.BiasCorner, <u8>c);
}

/** Column (0..2) and row (0..2, front first) of point k: of the four corners (front left, front
 * right, rear left, rear right), or of the nine targets row by row from the front left. */
export function biasColumn(k: i32): i32 {
  return biasPoints() == BIAS_TARGETS ? k % 3 : (k & 1) * 2;
}

export function biasRow(k: i32): i32 {
  return biasPoints() == BIAS_TARGETS ? k / 3 : (k >> 1) * 2;
}

/** Where the sensor is over corner k: the corner induction target's centre, bed mm. */
export function biasPointX(k: i32): f32 {
  return bedTargetX(biasColumn(k));
}

export function biasPointY(k: i32): f32 {
  return bedTargetY(biasRow(k));
}

/** Switching height over the bed measured at corner k, mm. */
export function biasSwitchMm(k: i32): f32 {
  return <f32>load<i16>(session + Session.BiasUm + (<usize>k << 1)) / <f32>1000;
}

/**
 * ACCEPT during the check: the switching height at this corner is kept (the probe switches
 * (switch - nozzle + paper) over the bed there), the settings stay as they were, the nozzle rises.
 */
export function recordBiasCorner(): void {
  const k = biasCorner() - 1;
  store<i16>(session + Session.BiasUm + (<usize>k << 1), <i16>Mathf.round(-sessionOffset() * <f32>1000));
  setTestedCount(0);
  probing.moveZTo(probing.HOVER_MM);
}

// ---- Heat soak (PROBE_HEAT_SOAK) and the temperature bias check (PROBE_TEMPERATURE_CHECK) ----
//
// A PINDA reaches less far as it warms (the MK3 factory table: 20 um at 40 C to 300 um at 60 C
// against 35 C, reference-heaters-lcd-mesh.md section 6), and over a hot bed it warms for
// minutes (a first-order lag of about 60 s, tools/sim/scenario.ts, from Prusa's 120 s PINDA
// preheat). Instead of a fixed wait, heat soak probes one point every SOAK_PERIOD_MS and stops
// when the readings stop drifting: the least-squares slope over the last SOAK_WINDOW readings
// is under SOAK_RATE_LIMIT_UM_MIN.

/** One reading every 10 s: six per minute, enough for the slope, few enough to spare the probe. */
export const SOAK_PERIOD_MS: u32 = 10000;
/** Probes averaged per reading: 3 cut a 5 um noise to 2.9 um. */
export const SOAK_PROBES: i32 = 3;
/** Readings in the slope: 12 over 110 s. With 2.9 um per reading the slope's own noise is
 * 2.9 / sqrt(sum (t - mean t)^2 = 12100 s^2) = 0.026 um/s = 1.6 um/min, a third of the limit. */
export const SOAK_WINDOW: i32 = 12;
/** Settled below 5 um/min: the drift left over a 10-minute first layer is then within the
 * 25 um the guide accepts for a probe (Klipper's probe calibration). */
export const SOAK_RATE_LIMIT_UM_MIN: f32 = 5;
/** Give up after 15 minutes (Marlin's G76 probe temperature calibration times out there too). */
export const SOAK_MAX_READINGS: i32 = 90;

// The readings' ring, then the first reading, the rate, the last reading and the count, in the
// workspace after the command's point (probeCommands.ts): static SRAM is scarce.
const SOAK_RING = STATS_END + 8;
const SOAK_FIRST = SOAK_RING + <usize>SOAK_WINDOW * 4;
const SOAK_RATE = SOAK_FIRST + 4;
const SOAK_LAST = SOAK_FIRST + 8;
const SOAK_COUNT = SOAK_FIRST + 12;
/** The first workspace byte heat soak leaves free. */
export const SOAK_END: usize = SOAK_FIRST + 16;

export function soakReadings(): i32 {
  return load<i32>(SOAK_COUNT);
}

/** Slope over the window, um/min (valid once soakReadings() >= SOAK_WINDOW). */
export function soakRateUmMin(): f32 {
  return load<f32>(SOAK_RATE);
}

export function soakLastMm(): f32 {
  return load<f32>(SOAK_LAST);
}

export function soakFirstMm(): f32 {
  return load<f32>(SOAK_FIRST);
}

function soakAt(i: i32): f32 {
  return load<f32>(SOAK_RING + (<usize>(i % SOAK_WINDOW) << 2));
}

export function beginSoak(): void {
  store<i32>(SOAK_COUNT, 0);
  store<f32>(SOAK_RATE, 0);
}

/** One reading (SOAK_PROBES probes averaged) at bed point (x, y); false when a probe failed. */
export function soakReading(bedX: f32, bedY: f32): bool {
  let sum: f32 = 0;
  for (let k = 0; k < SOAK_PROBES; k++) {
    if (!probeBedAt(bedX, bedY)) return false;
    sum += measuredZ;
  }
  const v = sum / <f32>SOAK_PROBES;
  const n = soakReadings();
  if (n == 0) store<f32>(SOAK_FIRST, v);
  store<f32>(SOAK_RING + (<usize>(n % SOAK_WINDOW) << 2), v);
  store<i32>(SOAK_COUNT, n + 1);
  store<f32>(SOAK_LAST, v);
  if (n + 1 >= SOAK_WINDOW) {
    // Least squares over equally spaced readings: t = -5.5 .. 5.5 periods.
    let num: f32 = 0;
    let den: f32 = 0;
    const first = n + 1 - SOAK_WINDOW;
    for (let i = 0; i < SOAK_WINDOW; i++) {
      const t = <f32>i - <f32>(SOAK_WINDOW - 1) * <f32>0.5;
      num += t * soakAt(first + i);
      den += t * t;
    }
    store<f32>(SOAK_RATE, ((num / den) * <f32>1000 * <f32>60000) / <f32>SOAK_PERIOD_MS);
  }
  return true;
}

export function soakSettled(): bool {
  return soakReadings() >= SOAK_WINDOW && Mathf.abs(soakRateUmMin()) <= SOAK_RATE_LIMIT_UM_MIN;
}
