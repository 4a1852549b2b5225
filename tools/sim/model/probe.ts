// The inductive bed sensor (Prusa's P.I.N.D.A.): an on/off switch that closes when its face comes
// within a sensing distance of metal. Everything below is the sensing distance s at the sensor's
// point of the bed, compared with the true distance from its face to the surface there.
//
// - Over the MK42's solid copper targets (8 mm discs) the eddy currents are strongest: s is
//   highest over a target's centre. Away from them only the heating meander answers, which "is a
//   bad induction target on its own" (Prusa's XYZ calibration article, seeds/xyz-calibration-
//   prusa-mk2.txt): s over the meander is MeanderRatio times s over copper. Between the two, s
//   follows the fraction of the sensor's footprint (a disc of FootprintRadiusMm) that covers
//   copper: the response falls across the target's edge over about the sensor's own width, as in
//   the article's Figure 2 (MK404 instead uses a fixed 1 mm parabola over 5 mm radius).
// - The screws holding the bed answer too ("spurious responses" near the corners, same article):
//   a bump of ScrewBumpMm with the footprint's width around each screw.
// - Over the MK52's steel sheet s is the same everywhere.
// - Sensitivity scales s (a weak sensor has a shorter reach); the sensor's temperature lowers it
//   by the MK3 factory table (M861 !: 20/60/120/200/300 um at 40/45/50/55/60 C against 35 C,
//   reference-heaters-lcd-mesh.md section 6), times DriftScale, counted from DriftReferenceC.
// - Every approach switches at s plus seeded Gaussian noise (NoiseMm standard deviation), drawn
//   anew each time the switch opens; once closed it opens only HysteresisMm higher.
// - A location bias (a grid over the bed) moves the sensor's reading against the nozzle's truth:
//   the sensor sees the bed BiasMm higher than it is at that point (a mount that tilts, a twisting
//   rail; the SV06 seed's hand corrections).
// - Faults: a broken cable never switches, a shorted one always; the sensor may slip up in its
//   mount by SlipMm after a number of probes or a time.

import { Param, param, BedKind, ProbeFault, GridId } from "./params";
import { gridAt } from "./grid";
import { surfaceAt, surfaceProbeCount, bedTemperature } from "./surface";

let triggered: bool = false;
let noiseMm: f64 = 0;
let probes: i32 = 0;
let slipped: bool = false;
let sensorTemperatureC: f64 = 22;
let sensorClockNs: f64 = 0;
let rng: u32 = 1;
let spareGaussian: f64 = 0;
let haveSpare: bool = false;

export function resetProbe(): void {
  triggered = false;
  probes = 0;
  slipped = false;
  sensorTemperatureC = param(Param.SensorTemperatureC);
  sensorClockNs = 0;
  updateDrift();
  // Spread the seed's bits (a murmur3 finaliser): xorshift started from a small number gives
  // small numbers for its first draws.
  let h = <u32>(<i64>param(Param.Seed)) ^ 0x9e3779b9;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  rng = h == 0 ? 1 : h;
  haveSpare = false;
  noiseMm = gaussian() * param(Param.NoiseMm);
}

/** For the thermal model: the sensor's temperature, C. */
export function setSensorTemperatureC(celsius: f64): void {
  sensorTemperatureC = celsius;
  updateDrift();
}

export function sensorTemperature(): f64 {
  return sensorTemperatureC;
}

export function probeTriggers(): i32 {
  return probes;
}

export function probeSlipped(): bool {
  return slipped;
}

function uniform(): f64 {
  // xorshift32: repeatable for a seed, and fast enough for millions of steps.
  let x = rng;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng = x;
  return (<f64>x + 0.5) / 4294967296.0;
}

function gaussian(): f64 {
  if (haveSpare) {
    haveSpare = false;
    return spareGaussian;
  }
  // Box-Muller.
  const u = uniform(), v = uniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spareGaussian = r * Math.sin(2 * Math.PI * v);
  haveSpare = true;
  return r * Math.cos(2 * Math.PI * v);
}

/** Share of a disc of radius rs whose centre is d from the centre of a disc of radius rt that
 * lies over the disc rt (circle-circle intersection area over the area of rs). */
function overlapShare(d: f64, rt: f64, rs: f64): f64 {
  if (rs <= 0) return d <= rt ? 1 : 0;
  if (d >= rt + rs) return 0;
  if (d <= Math.abs(rt - rs)) return rt >= rs ? 1 : (rt * rt) / (rs * rs);
  const a1 = rs * rs * Math.acos((d * d + rs * rs - rt * rt) / (2 * d * rs));
  const a2 = rt * rt * Math.acos((d * d + rt * rt - rs * rs) / (2 * d * rt));
  const a3 = 0.5 * Math.sqrt((-d + rs + rt) * (d + rs - rt) * (d - rs + rt) * (d + rs + rt));
  return (a1 + a2 - a3) / (Math.PI * rs * rs);
}

const DRIFT_TABLE_C: StaticArray<f64> = [35, 40, 45, 50, 55, 60];
const DRIFT_TABLE_MM: StaticArray<f64> = [0, 0.02, 0.06, 0.12, 0.2, 0.3];

/** The MK3 table's trigger shift at a sensor temperature, mm, linear between its points and
 * continuing with the end slopes outside them. */
function driftTable(c: f64): f64 {
  if (c <= 40) return (0.02 * (c - 35)) / 5;
  if (c >= 55) return 0.2 + (0.1 * (c - 55)) / 5;
  for (let i = 1; i < 6; i++) {
    const c1 = unchecked(DRIFT_TABLE_C[i]);
    if (c <= c1) {
      const c0 = unchecked(DRIFT_TABLE_C[i - 1]);
      const m0 = unchecked(DRIFT_TABLE_MM[i - 1]), m1 = unchecked(DRIFT_TABLE_MM[i]);
      return m0 + ((m1 - m0) * (c - c0)) / (c1 - c0);
    }
  }
  return 0.3;
}

let drift: f64 = 0;

function updateDrift(): void {
  drift = param(Param.DriftScale) * (driftTable(sensorTemperatureC) - driftTable(param(Param.DriftReferenceC)));
}

/** How much the reach has fallen at the sensor's present temperature, mm. */
export function driftMm(): f64 {
  return drift;
}

/** Sensing distance (sensor face to surface, mm) at bed point (x, y), without noise. */
export function sensingDistanceAt(x: f64, y: f64): f64 {
  const copper = param(Param.MountMm) + param(Param.TargetTriggerMm);
  let s = copper;
  if (<i32>param(Param.BedKind) == BedKind.PcbTargets) {
    const meander = copper * param(Param.MeanderRatio);
    const rt = param(Param.TargetDiameter) * 0.5;
    const rs = param(Param.FootprintRadiusMm);
    let share: f64 = 0;
    if (rt > 0) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const dx = x - param(Param.TargetX0 + i);
          const dy = y - param(Param.TargetY0 + j);
          if (Math.abs(dx) > rt + rs || Math.abs(dy) > rt + rs) continue;
          const f = overlapShare(Math.sqrt(dx * dx + dy * dy), rt, rs);
          if (f > share) share = f;
        }
      }
    }
    s = meander + (copper - meander) * share;
    const bump = param(Param.ScrewBumpMm);
    if (bump != 0) {
      const w = rs > 0 ? rs : 4;
      const n = <i32>param(Param.ScrewCount);
      for (let k = 0; k < n && k < 4; k++) {
        const dx = x - param(Param.Screw0X + 2 * k);
        const dy = y - param(Param.Screw0Y + 2 * k);
        const r2 = dx * dx + dy * dy;
        if (r2 < 36 * w * w) s += bump * Math.exp(-r2 / (2 * w * w));
      }
    }
  }
  return s * param(Param.Sensitivity) - drift;
}

/** Where the sensor sits above the nozzle tip now, mm (its mount height, plus any slip). */
export function mountNow(): f64 {
  return param(Param.MountMm) + (slipped ? param(Param.SlipMm) : 0);
}

/** Nozzle height above the true surface under the sensor at which it would switch at (x, y), mm:
 * the "trigger height" profile, without noise and hysteresis. */
export function triggerHeightAt(x: f64, y: f64): f64 {
  return sensingDistanceAt(x, y) - mountNow() + gridAt(GridId.Bias, x, y);
}

/** The sensor warms towards its share of the bed's excess over ambient (first order), between the
 * last update and timeNs; exact for a bed that held its temperature meanwhile. */
function warmSensor(timeNs: f64): void {
  const tau = param(Param.SensorTimeConstantS);
  const dt = (timeNs - sensorClockNs) * 1e-9;
  sensorClockNs = timeNs;
  if (tau <= 0 || dt <= 0) return;
  const ambient = param(Param.AmbientC);
  const target = ambient + param(Param.SensorBedShare) * (bedTemperature() - ambient);
  if (Math.abs(target - sensorTemperatureC) < 1e-6) return;
  sensorTemperatureC = target + (sensorTemperatureC - target) * Math.exp(-dt / tau);
  updateDrift();
}

/** Updates the switch for the nozzle at height z with the sensor over bed (x, y), at timeNs. */
export function updateProbe(z: f64, x: f64, y: f64, timeNs: f64): void {
  warmSensor(timeNs);
  const fault = <i32>param(Param.ProbeFault);
  if (fault == ProbeFault.CableBroken) {
    triggered = false;
    return;
  }
  if (fault == ProbeFault.Shorted) {
    triggered = true;
    return;
  }
  if (!slipped) {
    const afterS = param(Param.SlipAfterSeconds);
    const afterN = param(Param.SlipAfterProbes);
    if (param(Param.SlipMm) != 0 && ((afterS > 0 && timeNs >= afterS * 1e9) || (afterN > 0 && <f64>probes >= afterN))) slipped = true;
  }
  // The sensor's face over the surface, the bias making it see the bed higher than it is.
  const gap = z + mountNow() - surfaceAt(x, y) - gridAt(GridId.Bias, x, y);
  // Positions are sums of steps in binary floating point: a switch point is met within 1e-9 mm.
  const reach = sensingDistanceAt(x, y) + noiseMm + 1e-9;
  if (!triggered) {
    if (gap <= reach) {
      triggered = true;
      probes++;
      surfaceProbeCount(probes);
    }
  } else if (gap > reach + param(Param.HysteresisMm)) {
    triggered = false;
    noiseMm = gaussian() * param(Param.NoiseMm);
  }
}

export function probeTriggered(): bool {
  const fault = <i32>param(Param.ProbeFault);
  if (fault == ProbeFault.CableBroken) return false;
  if (fault == ProbeFault.Shorted) return true;
  return triggered;
}
