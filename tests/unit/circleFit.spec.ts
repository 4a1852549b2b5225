// The target-centre fit (assembly/calibration/circleFit.ts) on edge points of known circles.
import * as circle from "../../assembly/calibration/circleFit";
import { CircleResult } from "../../assembly/calibration/circleFit";

let seed: u32 = 777;
function uniform(): f64 {
  seed = seed * 1664525 + 1013904223;
  return <f64>(seed >>> 8) / 16777216.0;
}
function normal(): f64 {
  return (uniform() + uniform() + uniform() + uniform() - 2) * Math.sqrt(3);
}

/** n points on the circle (cx, cy, r) from angle `from` to `to` (degrees), with noise. */
function arc(cx: f64, cy: f64, r: f64, from: f64, to: f64, n: i32, noiseMm: f64): void {
  circle.clearEdgePoints();
  for (let i = 0; i < n; i++) {
    const t = (from + (to - from) * <f64>i / <f64>(n - 1)) * Math.PI / 180;
    circle.addEdgePoint(<f32>(cx + r * Math.cos(t) + noiseMm * normal()), <f32>(cy + r * Math.sin(t) + noiseMm * normal()));
  }
}

describe("circle fit", () => {
  it("finds the centre and radius of a whole circle exactly, far out on the bed", () => {
    arc(215.3, 194.1, 3.2, 0, 330, 12, 0);
    expect(circle.fitCircle(0)).toBe(CircleResult.Ok);
    expect(Math.abs(<f64>circle.centreXMm() - 215.3)).toBeLessThan(0.001);
    expect(Math.abs(<f64>circle.centreYMm() - 194.1)).toBeLessThan(0.001);
    expect(Math.abs(<f64>circle.radiusMm() - 3.2)).toBeLessThan(0.001);
  });

  it("reports a centre uncertainty that matches the scatter of noisy whole-circle fits", () => {
    let sumSq: f64 = 0, sumSigmaSq: f64 = 0;
    const runs = 300;
    for (let k = 0; k < runs; k++) {
      arc(114, 96, 3, 0, 337.5, 16, 0.05);
      expect(circle.fitCircle(0)).toBe(CircleResult.Ok);
      const e = <f64>circle.centreXMm() - 114;
      sumSq += e * e;
      sumSigmaSq += <f64>circle.centreSigmaXMm() * <f64>circle.centreSigmaXMm();
    }
    const ratio = Math.sqrt(sumSigmaSq / runs) / Math.sqrt(sumSq / runs);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  });

  it("on a front-row arc (the half towards +Y), a known radius pins the centre far better than a free one", () => {
    let freeSq: f64 = 0, fixedSq: f64 = 0;
    const runs = 200;
    for (let k = 0; k < runs; k++) {
      arc(12, -2, 3, 20, 160, 10, 0.05);
      expect(circle.fitCircle(0)).toBe(CircleResult.Ok);
      const free = <f64>circle.centreYMm() + 2;
      freeSq += free * free;
      expect(circle.fitCircle(3)).toBe(CircleResult.Ok);
      const fixed = <f64>circle.centreYMm() + 2;
      fixedSq += fixed * fixed;
      expect(circle.radiusMm()).toBe(3);
    }
    const freeRms = Math.sqrt(freeSq / runs), fixedRms = Math.sqrt(fixedSq / runs);
    expect(fixedRms).toBeLessThan(0.05);
    expect(fixedRms * 2).toBeLessThan(freeRms);
    // And the free fit says it is unsure.
    arc(12, -2, 3, 20, 160, 10, 0.05);
    circle.fitCircle(0);
    const freeSigma = circle.centreSigmaYMm();
    circle.fitCircle(3);
    expect(freeSigma).toBeGreaterThan(circle.centreSigmaYMm() * 2);
  });

  it("refuses points on a line and too few points", () => {
    circle.clearEdgePoints();
    for (let i = 0; i < 6; i++) circle.addEdgePoint(<f32>i, 5);
    expect(circle.fitCircle(0)).toBe(CircleResult.Singular);
    arc(0, 0, 3, 0, 180, 3, 0);
    expect(circle.fitCircle(0)).toBe(CircleResult.TooFewPoints);
  });
});
