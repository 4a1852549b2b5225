// The XYZ calibration's fit (assembly/calibration/skewFit.ts) on synthetic machines whose skew and
// shift are known: targets are placed where a machine with that geometry would find them.
import * as fit from "../../assembly/calibration/skewFit";
import { FitResult } from "../../assembly/calibration/skewFit";
import * as transform from "../../assembly/calibration/bedTransform";
import { Plausibility } from "../../assembly/calibration/bedTransform";
import { classify, SkewVerdict } from "../../assembly/calibration/skewVerdict";
import { sinSmall, cosSmall } from "../../assembly/calibration/smallAngle";

const DEG: f64 = Math.PI / 180;
// The nine targets where a perfect MK2's probe finds them (Prusa's bed_ref_points less the
// probe offset), mm.
const TARGET_X: f64[] = [12, 114, 215];
const TARGET_Y: f64[] = [-2, 96, 194];

// A small deterministic generator: uniform in [0, 1), and roughly normal from four of them.
let seed: u32 = 12345;
function uniform(): f64 {
  seed = seed * 1664525 + 1013904223;
  return <f64>(seed >>> 8) / 16777216.0;
}
function normal(): f64 {
  return (uniform() + uniform() + uniform() + uniform() - 2) * Math.sqrt(3);
}

/** Adds the nine targets as a machine rotated by a1/a2 and shifted by (ox, oy) finds them, with noise. */
function addTargets(a1: f64, a2: f64, ox: f64, oy: f64, noiseMm: f64, frontLeftErrorYMm: f64 = 0, frontLeftWeightY: f32 = 1): void {
  fit.clearPoints();
  // world = V m + o, V = [cos a1, -sin a2; sin a1, cos a2]  =>  m = V^-1 (world - o)
  const vxX = Math.cos(a1), vxY = Math.sin(a1), vyX = -Math.sin(a2), vyY = Math.cos(a2);
  const det = vxX * vyY - vyX * vxY;
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 3; i++) {
      const dx = TARGET_X[i] - ox, dy = TARGET_Y[j] - oy;
      const mx = (vyY * dx - vyX * dy) / det + noiseMm * normal();
      let my = (-vxY * dx + vxX * dy) / det + noiseMm * normal();
      const first = i == 0 && j == 0;
      if (first) my += frontLeftErrorYMm;
      fit.addPoint(<f32>mx, <f32>my, <f32>TARGET_X[i], <f32>TARGET_Y[j], 1, first ? frontLeftWeightY : 1);
    }
  }
}

describe("small angle sine and cosine", () => {
  it("match the library's f64 values to f32 precision up to 0.2 rad", () => {
    for (let i = -20; i <= 20; i++) {
      const x: f64 = <f64>i * 0.01;
      expect(Math.abs(<f64>sinSmall(<f32>x) - Math.sin(x))).toBeLessThan(1e-7);
      expect(Math.abs(<f64>cosSmall(<f32>x) - Math.cos(x))).toBeLessThan(1e-7);
    }
  });
});

describe("skew fit", () => {
  it("recovers the axis angles and shift of a noiseless skewed machine, within 3 iterations' convergence", () => {
    addTargets(0.3 * DEG, -0.7 * DEG, 2.5, -4, 0);
    expect(fit.fit()).toBe(FitResult.Ok);
    expect(Math.abs(<f64>fit.xAxisAngleRad() - 0.3 * DEG)).toBeLessThan(1e-6);
    expect(Math.abs(<f64>fit.yAxisAngleRad() + 0.7 * DEG)).toBeLessThan(1e-6);
    expect(Math.abs(<f64>fit.skewRad() + 1.0 * DEG)).toBeLessThan(1e-6);
    expect(Math.abs(<f64>fit.originOnBedX() - 2.5)).toBeLessThan(0.001);
    expect(Math.abs(<f64>fit.originOnBedY() + 4)).toBeLessThan(0.001);
    expect(fit.iterations()).toBeLessThanOrEqual(5);
    for (let i = 0; i < 9; i++) expect(fit.residualMm(i)).toBeLessThan(0.001);
  });

  it("stops as soon as the steps are small, not after a fixed count", () => {
    addTargets(0, 0, 0, 0, 0);
    expect(fit.fit()).toBe(FitResult.Ok);
    expect(fit.iterations()).toBeLessThanOrEqual(2);
  });

  it("reports a skew uncertainty that matches the scatter of the fitted skew over many noisy runs", () => {
    const runs = 300;
    const noise: f64 = 0.05;
    let sumSq: f64 = 0;
    let sumSigmaSq: f64 = 0;
    for (let r = 0; r < runs; r++) {
      addTargets(0.2 * DEG, 0.5 * DEG, -1, 3, noise);
      expect(fit.fit()).toBe(FitResult.Ok);
      const e = <f64>fit.skewRad() - 0.3 * DEG;
      sumSq += e * e;
      sumSigmaSq += <f64>fit.skewSigmaRad() * <f64>fit.skewSigmaRad();
    }
    const actual = Math.sqrt(sumSq / runs);
    const reported = Math.sqrt(sumSigmaSq / runs);
    // 0.05 mm per coordinate over a 200 mm square of nine points: about 0.017 degrees (measured: 0.0168 scatter, 0.0164 reported).
    expect(actual).toBeGreaterThan(0);
    expect(reported / actual).toBeGreaterThan(0.8);
    expect(reported / actual).toBeLessThan(1.25);
  });

  it("weights: a front-row target measured 3 mm off in Y does not pull the fit when its Y weight is 0", () => {
    addTargets(0.4 * DEG, 0.1 * DEG, 1, 1, 0, 3, 1);
    expect(fit.fit()).toBe(FitResult.Ok);
    // Counted in full, the bad Y tilts the fitted axes and leaves a large residual.
    expect(Math.abs(<f64>fit.skewRad() + 0.3 * DEG)).toBeGreaterThan(0.05 * DEG);
    expect(fit.residualMm(0)).toBeGreaterThan(1);
    addTargets(0.4 * DEG, 0.1 * DEG, 1, 1, 0, 3, 0);
    expect(fit.fit()).toBe(FitResult.Ok);
    expect(Math.abs(<f64>fit.skewRad() + 0.3 * DEG)).toBeLessThan(1e-5);
  });

  it("refuses fewer than four weighted coordinates, and points that coincide", () => {
    fit.clearPoints();
    fit.addPoint(10, 10, 10, 10, 1, 1);
    expect(fit.fit()).toBe(FitResult.TooFewPoints);
    fit.clearPoints();
    fit.addPoint(10, 10, 10, 10, 1, 1);
    fit.addPoint(10, 10, 10, 10, 1, 1);
    fit.addPoint(10, 10, 10, 10, 1, 1);
    expect(fit.fit()).toBe(FitResult.Singular);
  });

  it("holds at most nine points", () => {
    fit.clearPoints();
    for (let i = 0; i < 9; i++) expect(fit.addPoint(0, 0, 0, 0, 1, 1)).toBe(true);
    expect(fit.addPoint(0, 0, 0, 0, 1, 1)).toBe(false);
    expect(fit.points()).toBe(9);
  });
});

describe("skew verdict (Prusa's classes)", () => {
  it("calls 0.1 degrees perpendicular, 0.2 mild, 0.3 extreme, and a 0.9 mm residual a failed fit", () => {
    expect(classify(<f32>(0.1 * DEG), 0, <f32>(0.1 * DEG), 0.1)).toBe(SkewVerdict.Perpendicular);
    expect(classify(<f32>(0.2 * DEG), 0, <f32>(0.2 * DEG), 0.1)).toBe(SkewVerdict.Mild);
    expect(classify(<f32>(-0.2 * DEG), <f32>(0.2 * DEG), 0, 0.1)).toBe(SkewVerdict.Mild);
    expect(classify(<f32>(0.3 * DEG), 0, <f32>(0.3 * DEG), 0.1)).toBe(SkewVerdict.Extreme);
    expect(classify(0, <f32>(0.3 * DEG), <f32>(0.3 * DEG), 0.1)).toBe(SkewVerdict.Extreme);
    expect(classify(0, 0, 0, 0.9)).toBe(SkewVerdict.FitFailed);
  });
});

describe("bed transform", () => {
  it("is the identity until set, and after M44's reset", () => {
    transform.reset();
    transform.worldToMachine(12.5, 80);
    expect(transform.outX).toBe(12.5);
    expect(transform.outY).toBe(80);
    expect(transform.isIdentity()).toBe(true);
  });

  it("takes a world point to the machine position whose nozzle lands on it, and back", () => {
    addTargets(0.3 * DEG, -0.7 * DEG, 2.5, -4, 0);
    expect(fit.fit()).toBe(FitResult.Ok);
    transform.setFromAngles(fit.xAxisAngleRad(), fit.yAxisAngleRad(), fit.originOnBedX(), fit.originOnBedY());
    // The four corners of a 180 mm square: machine positions from the true geometry.
    const a1 = 0.3 * DEG, a2 = -0.7 * DEG;
    for (let k = 0; k < 4; k++) {
      const wx: f64 = (k & 1) ? 200 : 20;
      const wy: f64 = (k & 2) ? 200 : 20;
      transform.worldToMachine(<f32>wx, <f32>wy);
      const mx = <f64>transform.outX, my = <f64>transform.outY;
      const landedX = Math.cos(a1) * mx - Math.sin(a2) * my + 2.5;
      const landedY = Math.sin(a1) * mx + Math.cos(a2) * my - 4;
      expect(Math.abs(landedX - wx)).toBeLessThan(0.001);
      expect(Math.abs(landedY - wy)).toBeLessThan(0.001);
      transform.machineToWorld(<f32>mx, <f32>my);
      expect(Math.abs(<f64>transform.outX - wx)).toBeLessThan(0.001);
      expect(Math.abs(<f64>transform.outY - wy)).toBeLessThan(0.001);
    }
  });

  it("refuses stored values outside Prusa's limits, and NaNs from an erased EEPROM", () => {
    expect(transform.check(1, 0, 0, 1, 3, -2)).toBe(Plausibility.Ok);
    expect(transform.check(1.15, 0, 0, 1, 0, 0)).toBe(Plausibility.AxisLength);
    expect(transform.check(1, 0, 0, 0.85, 0, 0)).toBe(Plausibility.AxisLength);
    expect(transform.check(1, 0, 0.15, 1, 0, 0)).toBe(Plausibility.NotPerpendicular);
    expect(transform.check(1, 0, 0, 1, 12, 10)).toBe(Plausibility.Shift);
    expect(transform.check(NaN, 0, 0, 1, 0, 0)).toBe(Plausibility.NotANumber);
  });
});
