// The probe tools' commands: G30 (one probe, Marlin's "Bed X: Y: Z:" line), M48 (repeatability,
// Marlin's lines plus Klipper's summary and the guide's 25 um verdict), and Klipper's names:
// PROBE, PROBE_ACCURACY [SAMPLES=] [X= Y=], PROBE_CALIBRATE / Z_ENDSTOP_CALIBRATE [X= Y=]
// [PAPER=], TESTZ Z=<mm>|+|++|-|--, ACCEPT, ABORT; and PROBE_BIAS_CHECK [PAPER=] [POINTS=] (the guide's
// location bias check, at the four corners or all nine targets), PROBE_HEAT_SOAK [X= Y=] (probe until the readings
// stop drifting) and PROBE_TEMPERATURE_CHECK BED=<C> [SAMPLES=] [X= Y=] (accuracy cold, heat the
// bed, soak, accuracy hot, the drift). What they measure and how:
// calibration/probeTools.ts.

import * as parser from "./parser";
import { Letter } from "./letters";
import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import * as motion from "../motion/motion";
import { X, Y, Z } from "../motion/axes";
import * as tools from "../calibration/probeTools";
import { beginProgress, setProgress, endProgress } from "../ui/progress";
import { setStatus } from "../ui/status";
import { faultActive } from "../system/fault";
import { millis } from "../hal";
import { idle } from "../system/idle";
import { beginWait, waitBroken } from "../system/wait";
import * as heaters from "../temperature/heaters";
import { Heater } from "../temperature/heater";

/** Marlin's M48 default and limits: 10 samples, 4 to 50. */
const SAMPLES_DEFAULT: i32 = 10;
const SAMPLES_MIN: i32 = 4;

// The point a command asks for (the sensor over the bed), read by readPoint(): in the shared
// workspace after the probe statistics (it lives as long as the command).
const POINT = tools.STATS_END;

function pointX(): f32 {
  return load<f32>(POINT);
}

function pointY(): f32 {
  return load<f32>(POINT + 4);
}

/**
 * X and Y of the command (the sensor over that bed point), each defaulting to where the sensor is
 * now. False, after saying why, when a value is not a number or the point is out of reach.
 */
function readPoint(): bool {
  store<f32>(POINT, parser.hasValue(Letter.X) ? parser.value(Letter.X) : tools.sensorBedNow(X));
  store<f32>(POINT + 4, parser.hasValue(Letter.Y) ? parser.value(Letter.Y) : tools.sensorBedNow(Y));
  if ((parser.has(Letter.X) && !parser.hasValue(Letter.X)) || (parser.has(Letter.Y) && !parser.hasValue(Letter.Y))) {
    out.line(rom("Error:X and Y need a number (the bed point under the probe, mm); nothing probed"));
    return false;
  }
  if (!tools.allHomed()) {
    out.line(rom("Error:Probing needs X, Y and Z homed (G28 first); nothing probed"));
    return false;
  }
  if (!tools.sensorReaches(pointX(), pointY())) {
    tools.failure = tools.ProbeFailure.Unreachable;
    tools.reportFailure();
    return false;
  }
  if (!tools.overTarget(pointX(), pointY())) {
    tools.failure = tools.ProbeFailure.OffTarget;
    tools.reportFailure();
    return false;
  }
  return true;
}

function xy(prefixX: RomText, prefixY: RomText): void {
  out.text(prefixX);
  out.fixed(pointX(), 2);
  out.text(prefixY);
  out.fixed(pointY(), 2);
}

/** G30 [X Y]: one probe; Marlin prints "Bed X: 100.00 Y: 100.00 Z: 0.123". */
export function g30(): void {
  if (!readPoint()) return;
  if (!tools.probeBedAt(pointX(), pointY())) {
    tools.reportFailure();
    return;
  }
  xy(rom("Bed X: "), rom(" Y: "));
  out.text(rom(" Z: "));
  out.fixed(tools.measuredZ, 3);
  out.newline();
}

/** PROBE: as G30, in Klipper's words. */
function probeWord(): void {
  if (!readPoint()) return;
  if (!tools.probeBedAt(pointX(), pointY())) {
    tools.reportFailure();
    return;
  }
  xy(rom("probe at "), rom(","));
  out.text(rom(" is z="));
  out.fixed(tools.measuredZ, 6);
  out.newline();
}

/** M48 [P<samples>] [X Y]: Marlin's repeatability test. */
export function m48(): void {
  accuracy(parser.hasValue(Letter.P) ? parser.value(Letter.P) : <f32>SAMPLES_DEFAULT, parser.has(Letter.P) && !parser.hasValue(Letter.P), Style.Marlin);
}

const enum Style {
  Marlin = 0,
  Klipper = 1,
  /** Klipper's summary line only (the temperature bias check). */
  Summary = 2,
}

/** A sample count from a parameter: a whole number 4..50, or -1 after saying why. */
function sampleCount(given: f32, malformed: bool, style: Style): i32 {
  if (malformed || !(given >= <f32>SAMPLES_MIN && given <= <f32>tools.SAMPLES_MAX) || given != Mathf.floor(given)) {
    out.line(style == Style.Marlin ? rom("Error:M48 P must be a whole number from 4 to 50; nothing probed") : rom("Error:SAMPLES must be a whole number from 4 to 50; nothing probed"));
    return -1;
  }
  return <i32>given;
}

function accuracy(samplesGiven: f32, malformed: bool, style: Style): void {
  const n = sampleCount(samplesGiven, malformed, style);
  if (n < 0 || !readPoint()) return;
  accuracyRun(n, style);
}

/**
 * `n` probes at the command's point, each from the hover height (the switch opens between them,
 * so every approach is a new reading), then the statistics. Marlin's lines for M48, Klipper's for
 * PROBE_ACCURACY; both end with Klipper's summary and the 25 um verdict. False when a probe failed
 * or M112 stopped it (said).
 */
function accuracyRun(n: i32, style: Style): bool {
  if (style == Style.Klipper) {
    xy(rom("PROBE_ACCURACY at X:"), rom(" Y:"));
    out.text(rom(" (samples="));
    out.int(n);
    out.line(rom(")"));
  } else if (style == Style.Marlin) {
    out.line(rom("M48 Z-Probe Repeatability Test"));
  }
  beginProgress(rom("Probe accuracy"), <u32>n);
  tools.clearSamples();
  for (let i = 0; i < n; i++) {
    setProgress(rom("Probing"), <u32>(i + 1));
    if (!tools.probeBedAt(pointX(), pointY())) {
      endProgress();
      tools.reportFailure();
      if (!faultActive()) out.line(rom("Error:Repeatability test stopped"));
      return false;
    }
    tools.addSample(tools.measuredZ);
    if (style == Style.Klipper) {
      xy(rom("probe at "), rom(","));
      out.text(rom(" is z="));
      out.fixed(tools.measuredZ, 6);
      out.newline();
    } else if (style == Style.Marlin) {
      out.int(i + 1);
      out.text(rom(" of "));
      out.int(n);
      out.text(rom(": z: "));
      out.fixed(tools.measuredZ, 3);
      out.newline();
    }
  }
  endProgress();
  tools.computeStats();
  if (style == Style.Marlin) {
    out.line(rom("Finished!"));
    out.text(rom("Mean: "));
    out.fixed(tools.stat(tools.Stat.Mean), 6);
    out.text(rom(" Min: "));
    out.fixed(tools.stat(tools.Stat.Min), 3);
    out.text(rom(" Max: "));
    out.fixed(tools.stat(tools.Stat.Max), 3);
    out.text(rom(" Range: "));
    out.fixed(tools.stat(tools.Stat.Max) - tools.stat(tools.Stat.Min), 3);
    out.newline();
    out.text(rom("Standard Deviation: "));
    out.fixed(tools.stat(tools.Stat.Sigma), 6);
    out.newline();
  }
  out.text(rom("probe accuracy results: maximum "));
  out.fixed(tools.stat(tools.Stat.Max), 6);
  out.text(rom(", minimum "));
  out.fixed(tools.stat(tools.Stat.Min), 6);
  out.text(rom(", range "));
  out.fixed(tools.stat(tools.Stat.Max) - tools.stat(tools.Stat.Min), 6);
  out.text(rom(", average "));
  out.fixed(tools.stat(tools.Stat.Mean), 6);
  out.text(rom(", median "));
  out.fixed(tools.stat(tools.Stat.Median), 6);
  out.text(rom(", standard deviation "));
  out.fixed(tools.stat(tools.Stat.Sigma), 6);
  out.newline();
  rangeVerdict(tools.stat(tools.Stat.Max) - tools.stat(tools.Stat.Min), rom("echo:Probe repeatability ok: range "), rom("echo:Warning: probe repeatability not sufficient for bed leveling: range "));
  return true;
}

/** "... range 0.012 mm (at most 0.025 mm)" or the warning: Klipper's guide's 25 um limit. */
function rangeVerdict(range: f32, good: RomText, bad: RomText): void {
  const ok = range <= tools.RANGE_LIMIT_MM + <f32>0.0000005;
  out.text(ok ? good : bad);
  out.fixed(range, 3);
  out.line(ok ? rom(" mm (at most 0.025 mm)") : rom(" mm, over 0.025 mm (Klipper's guide); check the probe's mount, speed and temperature"));
  setStatus(ok ? rom("Probe accuracy ok") : rom("Probe accuracy poor"));
}

// ---- The guided Z offset ----

function zPositionLine(): void {
  // Klipper's manual probe: "Z position: <lower> --> <z> <-- <upper>" (tested heights around it).
  const z = motion.native(Z);
  const below = tools.nearestTested(z, false);
  const above = tools.nearestTested(z, true);
  out.text(rom("Z position: "));
  if (below > <f32>-1e8) {
    out.fixed(below, 3);
    out.text(rom(" --> "));
  } else {
    out.text(rom("? --> "));
  }
  out.fixed(z, 3);
  if (above < <f32>1e8) {
    out.text(rom(" <-- "));
    out.fixed(above, 3);
  } else {
    out.text(rom(" <-- ?"));
  }
  out.newline();
}

/** PAPER= (mm), or the default; -1 after saying why when it is refused. */
function readPaper(): f32 {
  if (!parser.has(Letter.P)) return tools.PAPER_DEFAULT_MM;
  const paper = parser.value(Letter.P);
  if (!parser.hasValue(Letter.P) || !(paper >= 0 && paper <= tools.PAPER_MAX_MM)) {
    out.line(rom("Error:PAPER must be the sheet's thickness, 0 to 0.5 mm; nothing started"));
    return -1;
  }
  return paper;
}

function refuseIfOpen(): bool {
  if (!tools.sessionOpen()) return false;
  out.line(rom("Error:A Z offset calibration is already open: finish it with ACCEPT or ABORT"));
  return true;
}

function probeCalibrate(): void {
  if (refuseIfOpen()) return;
  const paper = readPaper();
  if (paper < 0) return;
  if (!readPoint()) return;
  openSession(paper, rom("Z offset"));
}

/** Probes at the point readPoint() or the bias check chose and opens the paper test there. */
function openSession(paper: f32, title: RomText): void {
  if (!tools.nozzleReaches(pointX(), pointY())) {
    out.line(rom("Error:The nozzle cannot reach the point the probe is over; choose a point nearer the bed's centre; nothing started"));
    return;
  }
  beginProgress(title, 2);
  setProgress(rom("Probing"), 1);
  const r = tools.startSession(pointX(), pointY(), paper);
  if (r != tools.StartResult.Started) {
    endProgress();
    tools.reportFailure();
    tools.dropSession();
    return;
  }
  setProgress(rom("Paper test"), 2);
  xy(rom("echo:Probe switched over X"), rom(" Y"));
  out.text(rom(": the nozzle is now over that spot. Slide a sheet of paper ("));
  out.fixed(paper, 2);
  out.line(rom(" mm) under it and lower with TESTZ Z=-0.05 (steps thinner than the paper, so the nozzle meets the paper before the bed; then Z=+ / Z=- to bisect) until the paper just drags, then ACCEPT (or ABORT)"));
  zPositionLine();
}

/**
 * A fault, M18/M84 or a lost position since the session opened (no axis stays homed after a
 * fault) makes its heights meaningless: the session closes, and nothing is set from it.
 */
function sessionLost(): bool {
  if (tools.allHomed()) return false;
  tools.dropSession();
  endProgress();
  out.line(rom("Error:The axes are no longer homed: the Z offset calibration is closed; nothing changed"));
  return true;
}

function testz(): void {
  if (!tools.sessionOpen()) {
    out.line(rom("Error:TESTZ needs an open Z offset calibration (PROBE_CALIBRATE first)"));
    return;
  }
  if (sessionLost()) return;
  if (!parser.has(Letter.Z)) {
    out.line(rom("Error:TESTZ needs Z=<mm> (relative) or Z=+ / ++ / - / --; nothing moved"));
    return;
  }
  const z = motion.native(Z);
  const step = parser.bisectStep(Letter.Z);
  const target = step != 0 ? tools.bisectTarget(z, step) : z + parser.value(Letter.Z);
  if (step == 0 && !(Mathf.abs(parser.value(Letter.Z)) <= <f32>5)) {
    out.line(rom("Error:TESTZ Z= must be within -5 to 5 mm; nothing moved"));
    return;
  }
  if (target < tools.sessionFloor()) {
    out.text(rom("Error:TESTZ refused: Z "));
    out.fixed(target, 3);
    out.text(rom(" is more than 0.5 mm under where the probe says the bed is ("));
    out.fixed(tools.sessionFloor(), 3);
    out.line(rom(" lowest); is the paper under the nozzle? is the nozzle clean? check M851 Z; nothing moved"));
    return;
  }
  tools.testTo(target);
  if (!faultActive()) zPositionLine();
}

function accept(): void {
  if (!tools.sessionOpen()) {
    out.line(rom("Error:ACCEPT needs an open Z offset calibration (PROBE_CALIBRATE first)"));
    return;
  }
  if (sessionLost()) return;
  if (tools.biasCorner() > 0) {
    acceptBiasCorner();
    return;
  }
  const was = -tools.sessionOffset();
  const offset = tools.acceptSession();
  endProgress();
  out.text(rom("echo:Probe Z offset: M851 Z"));
  out.fixed(offset, 3);
  out.text(rom(" (the probe switches "));
  out.fixed(was, 3);
  out.line(rom(" mm over the bed); Z now counts from the bed. M500 saves it"));
  setStatus(rom("Z offset set"));
}

function abort(): void {
  if (!tools.sessionOpen()) {
    out.line(rom("echo:No Z offset calibration is open"));
    return;
  }
  const bias = tools.biasCorner() > 0;
  tools.abortSession();
  endProgress();
  out.line(bias ? rom("echo:Location bias check aborted; nothing changed") : rom("echo:Z offset calibration aborted; nothing changed"));
}

// ---- The location bias check ----

/** The name of point k of the check: "front left" .. "rear right"; with nine, "front centre",
 * "centre left", "centre" and so on. */
function pointName(k: i32): void {
  const c = tools.biasColumn(k), r = tools.biasRow(k);
  if (c == 1 && r == 1) {
    out.text(rom("centre"));
    return;
  }
  out.text(r == 0 ? rom("front ") : r == 1 ? rom("centre ") : rom("rear "));
  out.text(c == 0 ? rom("left") : c == 1 ? rom("centre") : rom("right"));
}

/** Opens the paper test at corner k (0..3) of the check. */
function biasCornerSession(k: i32): void {
  store<f32>(POINT, tools.biasPointX(k));
  store<f32>(POINT + 4, tools.biasPointY(k));
  tools.setBiasCorner(k + 1);
  out.text(tools.biasPoints() == tools.BIAS_TARGETS ? rom("echo:Location bias check: point ") : rom("echo:Location bias check: corner "));
  out.int(k + 1);
  out.text(rom(" of "));
  out.int(tools.biasPoints());
  out.text(rom(" ("));
  pointName(k);
  out.line(rom(")"));
  openSession(tools.sessionPaper(), rom("Location bias"));
  if (!tools.sessionOpen()) tools.setBiasCorner(0);
}

/**
 * PROBE_BIAS_CHECK [PAPER=] [POINTS=4|9]: the paper test at the four corner targets (or all nine) in turn (TESTZ, ACCEPT
 * at each; ABORT ends the check), then the switching heights, their range against Klipper's
 * 25 um, and the M421 lines that even them out in the mesh.
 */
function biasCheck(): void {
  if (refuseIfOpen()) return;
  const paper = readPaper();
  if (paper < 0) return;
  // POINTS= (N): the four corners (Klipper's guide) or all nine targets (every mesh point).
  const points: f32 = parser.hasValue(Letter.N) ? parser.value(Letter.N) : <f32>tools.BIAS_CORNERS;
  if ((parser.has(Letter.N) && !parser.hasValue(Letter.N)) || (points != <f32>tools.BIAS_CORNERS && points != <f32>tools.BIAS_TARGETS)) {
    out.line(rom("Error:POINTS must be 4 (the corner targets) or 9 (all nine); nothing started"));
    return;
  }
  if (!tools.allHomed()) {
    out.line(rom("Error:Probing needs X, Y and Z homed (G28 first); nothing probed"));
    return;
  }
  tools.setBiasPoints(<i32>points);
  for (let k = 0; k < tools.biasPoints(); k++) {
    if (!tools.sensorReaches(tools.biasPointX(k), tools.biasPointY(k)) || !tools.nozzleReaches(tools.biasPointX(k), tools.biasPointY(k))) {
      out.text(rom("Error:The probe and the nozzle cannot both reach the "));
      pointName(k);
      out.line(rom(" target; nothing probed"));
      return;
    }
  }
  tools.setSessionPaper(paper);
  biasCornerSession(0);
}

function acceptBiasCorner(): void {
  const k = tools.biasCorner() - 1;
  tools.recordBiasCorner();
  endProgress();
  out.text(rom("echo:"));
  pointName(k);
  out.text(rom(": the probe switches "));
  out.fixed(tools.biasSwitchMm(k), 3);
  out.line(rom(" mm over the bed"));
  if (k + 1 < tools.biasPoints()) {
    biasCornerSession(k + 1);
    return;
  }
  tools.setBiasCorner(0);
  biasReport();
}

function biasReport(): void {
  let lo = tools.biasSwitchMm(0);
  let hi = lo;
  let sum: f32 = 0;
  for (let k = 0; k < tools.biasPoints(); k++) {
    const v = tools.biasSwitchMm(k);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
  }
  const mean = sum / <f32>tools.biasPoints();
  out.text(rom("echo:Location bias: switching heights from "));
  out.fixed(lo, 3);
  out.text(rom(" to "));
  out.fixed(hi, 3);
  out.text(rom(" mm, mean "));
  out.fixed(mean, 3);
  out.text(rom(" (the offset in use: M851 Z"));
  out.fixed(tools.probeOffsetZ(), 3);
  out.line(rom(")"));
  rangeVerdict(hi - lo, rom("echo:Location bias ok: range "), rom("echo:Warning: the probe is biased by place: range "));
  // Where the probe switches higher over the bed, it reads the bed that much higher: the mesh
  // point there is too high by the difference from the mean, and the overlay takes it off (the
  // mean itself is the Z offset's, PROBE_CALIBRATE).
  out.line(tools.biasPoints() == tools.BIAS_TARGETS
    ? rom("echo:Corrections for the 3x3 mesh's points (send them after G80 to keep them in the correction overlay):")
    : rom("echo:Corrections for the 3x3 mesh's corners (send them after G80 to keep them in the correction overlay):"));
  for (let k = 0; k < tools.biasPoints(); k++) {
    out.text(rom("echo:M421 I"));
    out.int(tools.biasColumn(k));
    out.text(rom(" J"));
    out.int(tools.biasRow(k));
    out.text(rom(" Z"));
    out.fixed(mean - tools.biasSwitchMm(k), 3);
    out.newline();
  }
}

export const enum WordResult {
  Unknown = 0,
  Done = 1,
  /** A probe tool that moves, while a fault is latched: the dispatcher refuses it. */
  Halted = 2,
}

/** A word command (parser.parseWord has read it): run it if it is one of the probe tools'. */
export function word(): WordResult {
  const isProbe = parser.wordIs(rom("PROBE"));
  const isAccuracy = parser.wordIs(rom("PROBE_ACCURACY"));
  const isCalibrate = parser.wordIs(rom("PROBE_CALIBRATE")) || parser.wordIs(rom("Z_ENDSTOP_CALIBRATE"));
  const isTestz = parser.wordIs(rom("TESTZ"));
  const isAccept = parser.wordIs(rom("ACCEPT")) || parser.wordIs(rom("NEXT"));
  const isAbort = parser.wordIs(rom("ABORT"));
  const isBias = parser.wordIs(rom("PROBE_BIAS_CHECK"));
  const isSoak = parser.wordIs(rom("PROBE_HEAT_SOAK"));
  const isTemperature = parser.wordIs(rom("PROBE_TEMPERATURE_CHECK"));
  if (!(isProbe || isAccuracy || isCalibrate || isTestz || isAccept || isAbort || isBias || isSoak || isTemperature)) return WordResult.Unknown;
  if (!parser.parseWordParams()) {
    out.text(rom("Error:Malformed parameter in \""));
    out.chars(parser.text, parser.textLength);
    out.line(rom("\" (KEY=VALUE: X= Y= Z= SAMPLES= PAPER= POINTS= BED=); not executed"));
    return WordResult.Done;
  }
  // ABORT only closes the session (and lifts the nozzle when no fault stops motion).
  if (isAbort) {
    abort();
    return WordResult.Done;
  }
  if (faultActive()) return WordResult.Halted;
  if (isProbe) probeWord();
  else if (isAccuracy) accuracy(samplesParam(), parser.has(Letter.S) && !parser.hasValue(Letter.S), Style.Klipper);
  else if (isSoak) heatSoakCommand();
  else if (isTemperature) temperatureCheck();
  else if (isCalibrate) probeCalibrate();
  else if (isTestz) testz();
  else if (isBias) biasCheck();
  else accept();
  return WordResult.Done;
}

// ---- Heat soak and the temperature bias check ----

function samplesParam(): f32 {
  return parser.hasValue(Letter.S) ? parser.value(Letter.S) : <f32>SAMPLES_DEFAULT;
}

/**
 * Probes the command's point every 10 s until the readings stop drifting (probeTools.ts). True
 * when settled; false when a probe failed, M112 or M108 stopped it, or 15 minutes passed (said).
 */
function soak(): bool {
  tools.beginSoak();
  beginWait();
  beginProgress(rom("Heat soak"), <u32>tools.SOAK_MAX_READINGS);
  let next = millis();
  for (let i = 0; i < tools.SOAK_MAX_READINGS; i++) {
    while (<i32>(millis() - next) < 0 && !waitBroken() && !faultActive()) idle();
    if (faultActive()) {
      endProgress();
      return false;
    }
    if (waitBroken()) {
      endProgress();
      out.line(rom("echo:Heat soak stopped (M108) before the readings settled"));
      return false;
    }
    next += tools.SOAK_PERIOD_MS;
    setProgress(rom("Probing"), <u32>(i + 1));
    if (!tools.soakReading(pointX(), pointY())) {
      endProgress();
      tools.reportFailure();
      return false;
    }
    out.text(rom("echo:Heat soak "));
    out.uint(<u32>i * (tools.SOAK_PERIOD_MS / 1000));
    out.text(rom(" s: z="));
    out.fixed(tools.soakLastMm(), 3);
    if (tools.soakReadings() >= tools.SOAK_WINDOW) {
      out.text(rom(" drift "));
      out.fixed(tools.soakRateUmMin(), 1);
      out.text(rom(" um/min"));
    }
    out.newline();
    if (tools.soakSettled()) {
      endProgress();
      out.text(rom("echo:Heat soak done after "));
      out.uint(<u32>i * (tools.SOAK_PERIOD_MS / 1000));
      out.text(rom(" s: drift "));
      out.fixed(tools.soakRateUmMin(), 1);
      out.text(rom(" um/min (at most 5); the reading moved "));
      out.fixed(tools.soakLastMm() - tools.soakFirstMm(), 3);
      out.line(rom(" mm while soaking"));
      return true;
    }
  }
  endProgress();
  out.text(rom("echo:Warning: heat soak gave up after 15 minutes, still drifting "));
  out.fixed(tools.soakRateUmMin(), 1);
  out.line(rom(" um/min"));
  return false;
}

function heatSoakCommand(): void {
  if (!readPoint()) return;
  soak();
}

/** Bytes of the workspace the temperature check keeps between its phases: cold mean, range, bed C. */
const COLD = tools.SOAK_END;
/** The bed counts as cold this far under the check's target, C. */
const COLD_MARGIN_C: f32 = 10;
/** Heated: within 1 C of the target (the bed's PID holds +-1 C, temperature/heaters.ts). */
const HEATED_WITHIN_C: f32 = 1;
/** The bed heats from cold to 100 C in about 4 minutes on an MK2 (MK42, 12 V 150 W); 15 minutes
 * means it is not heating (Marlin's thermal protection would have stopped it already). */
const BED_HEAT_MAX_MS: u32 = 900000;

/**
 * PROBE_TEMPERATURE_CHECK BED=<C> [SAMPLES=] [X= Y=]: Klipper's temperature bias check in one
 * command: probe accuracy with the bed cold, heat the bed, heat soak, probe accuracy hot, and
 * the drift between the two means. The bed stays at the target afterwards.
 */
function temperatureCheck(): void {
  const bedC = parser.value(Letter.B);
  if (!parser.hasValue(Letter.B) || !(bedC > 0 && bedC <= heaters.maxTarget(Heater.Bed))) {
    out.text(rom("Error:PROBE_TEMPERATURE_CHECK needs BED=<C>, the bed's printing temperature (1 to "));
    out.fixed(heaters.maxTarget(Heater.Bed), 0);
    out.line(rom(" C); nothing probed"));
    return;
  }
  const n = sampleCount(samplesParam(), parser.has(Letter.S) && !parser.hasValue(Letter.S), Style.Summary);
  if (n < 0 || !readPoint()) return;
  const coldC = heaters.temperatureOf(Heater.Bed);
  if (coldC > bedC - COLD_MARGIN_C) {
    out.text(rom("Error:The bed is at "));
    out.fixed(coldC, 1);
    out.line(rom(" C: let it cool at least 10 C under BED= to measure it cold first; nothing probed"));
    return;
  }
  out.line(rom("echo:Temperature bias check: probe accuracy with the bed cold"));
  if (!accuracyRun(n, Style.Summary)) return;
  store<f32>(COLD, tools.stat(tools.Stat.Mean));
  store<f32>(COLD + 4, tools.stat(tools.Stat.Max) - tools.stat(tools.Stat.Min));
  store<f32>(COLD + 8, coldC);
  out.text(rom("echo:Heating the bed to "));
  out.fixed(bedC, 0);
  out.line(rom(" C"));
  heaters.setTarget(Heater.Bed, bedC);
  beginWait();
  const start = millis();
  while (heaters.temperatureOf(Heater.Bed) < bedC - HEATED_WITHIN_C) {
    idle();
    if (faultActive()) return;
    if (waitBroken()) {
      out.line(rom("echo:Temperature bias check stopped (M108) while heating; the bed keeps its target"));
      return;
    }
    if (millis() - start > BED_HEAT_MAX_MS) {
      out.line(rom("Error:The bed did not reach its target in 15 minutes; temperature bias check stopped"));
      return;
    }
  }
  if (!soak() && (faultActive() || waitBroken() || tools.failure != tools.ProbeFailure.None)) return;
  out.line(rom("echo:Probe accuracy with the bed hot"));
  if (!accuracyRun(n, Style.Summary)) return;
  const drift = tools.stat(tools.Stat.Mean) - load<f32>(COLD);
  out.text(rom("echo:Temperature bias: the probe reads the bed "));
  out.fixed(Mathf.abs(drift), 3);
  out.text(drift >= 0 ? rom(" mm higher with the bed at ") : rom(" mm lower with the bed at "));
  out.fixed(heaters.temperatureOf(Heater.Bed), 0);
  out.text(rom(" C than at "));
  out.fixed(load<f32>(COLD + 8), 0);
  out.text(rom(" C (range cold "));
  out.fixed(load<f32>(COLD + 4), 3);
  out.text(rom(", hot "));
  out.fixed(tools.stat(tools.Stat.Max) - tools.stat(tools.Stat.Min), 3);
  out.line(rom(" mm)"));
  if (Mathf.abs(drift) <= tools.RANGE_LIMIT_MM) {
    out.line(rom("echo:Temperature bias within 0.025 mm"));
  } else {
    out.line(rom("echo:Warning: the probe's reading moves with temperature: level and print at one temperature, after a heat soak (Klipper's guide)"));
  }
  out.line(rom("echo:The bed keeps its target (M140 S0 turns it off)"));
}
