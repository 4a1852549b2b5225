// M45, the XYZ calibration, on the simulated MK2 in the host runner (the firmware's wasm in Node,
// the printer model with its known truth): verdicts, world moves landing on the true bed points,
// and failures that stop above the bed.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { HostPrinter } from "../../hal/host/hal.ts";
import { readTruth, type TruthReport } from "../../tools/sim/truth.ts";
import { modelParams } from "../../tools/sim/scenario.ts";
import { loadBoard } from "../../tools/build/board.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const M45_MAX_MS = 1_500_000;

function scenario(name: string): Scenario {
  return JSON.parse(fs.readFileSync(path.join("tests", "scenarios", `${name}.json`), "utf8")) as Scenario;
}

/** The bed point under the nozzle for the model's carriage positions (tools/sim/model/geometry.ts). */
function nozzleOnBed(p: HostPrinter, t: TruthReport): [number, number] {
  const g = t.geometry;
  const ax = (g.xAxisDeg * Math.PI) / 180, ay = (g.yAxisDeg * Math.PI) / 180;
  const mx = p.axisMm(0), my = p.axisMm(1);
  return [Math.cos(ax) * mx - Math.sin(ay) * my - g.shiftXMm, Math.sin(ax) * mx + Math.cos(ay) * my - g.shiftYMm];
}

/** Changes the printer under a booted firmware (after homing): the model's parameters only. */
function reconfigure(p: HostPrinter, s: Scenario): void {
  for (const [id, v] of modelParams(loadBoard("minirambo"), s)) p.model.setParam(id, v);
}

const VERDICTS: [string, RegExp][] = [
  ["perfect", /X\/Y axes are perpendicular/],
  ["skew-mild", /X\/Y axes are slightly skewed/],
  ["skew-extreme", /skew will be corrected automatically/],
];

for (const [name, verdict] of VERDICTS) {
  test(`M45 on the ${name} printer ends with its verdict, and G1 to the corners of a 180 mm square lands within 0.1 mm of the true bed points`, async () => {
    const p = await HostPrinter.boot({ scenario: scenario(name) });
    assert.doesNotMatch(p.command("G28"), /Error/);
    const out = p.command("M45", M45_MAX_MS);
    assert.match(out, verdict);
    assert.match(out, /Searching bed calibration point 4 of 4/);
    assert.match(out, /Improving bed calibration point 9 of 9/);
    assert.match(out, /Measuring reference height 9 of 9/);
    assert.match(out, /XYZ calibration: skew -?\d+\.\d{4} deg/);
    for (const [x, y] of [[40, 10], [220, 10], [220, 190], [40, 190]]) {
      p.command(`G1 Z5 F3000\nG1 X${x} Y${y} F6000\nM400`);
      const t = readTruth(p.model);
      const [bx, by] = nozzleOnBed(p, t);
      assert.ok(Math.hypot(bx - x, by - y) <= 0.1, `G1 X${x} Y${y} put the nozzle over ${bx.toFixed(3)}, ${by.toFixed(3)}`);
      // M114 reports the world position asked for, not the carriages'.
      assert.match(p.command("M114"), new RegExp(`X:${x}\\.00 Y:${y}\\.00 Z:5\\.00`));
    }
    const t = readTruth(p.model);
    assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
    // M44 forgets the correction: the carriages' position is the world position again.
    p.command("M44");
    const m114 = p.command("M114");
    assert.match(m114, new RegExp(`X:${p.axisMm(0).toFixed(2)} Y:${p.axisMm(1).toFixed(2)}`));
  });
}

test("M45 refuses to start before the printer is homed, and nothing moves", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("perfect") });
  const before = [p.axisMm(0), p.axisMm(1), p.axisMm(2)];
  assert.match(p.command("M45"), /Error:M45 needs X, Y and Z homed/);
  assert.deepEqual([p.axisMm(0), p.axisMm(1), p.axisMm(2)], before);
});

test("M45 with a probe cable broken after homing fails at the first point above the bed", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("perfect") });
  p.command("G28");
  reconfigure(p, { probe: { noiseMm: 0.005, fault: "cable-broken" } });
  const out = p.command("M45", M45_MAX_MS);
  assert.match(out, /Error:XYZ calibration failed: bed calibration point was not found.*point 2 \(front row, centre\)/);
  const t = readTruth(p.model);
  assert.equal(t.contacts, 0);
  assert.ok(t.minClearanceMm >= 0.07, `closest ${t.minClearanceMm} mm`);
});

test("M45 with the bed shifted 5 mm forwards (front targets' centres beyond the Y travel) calibrates from the arcs it reaches and warns that the calibration is compromised", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("perfect") });
  p.command("G28");
  reconfigure(p, { geometry: { shiftYMm: -5 }, probe: { noiseMm: 0.005 } });
  const out = p.command("M45", M45_MAX_MS);
  assert.match(out, /echo:Warning: 3 front calibration point\(s\) beyond the Y travel.*calibration compromised/);
  assert.match(out, /shift X -?0\.\d\d Y -(4\.[89]|5\.[01])\d mm/);
  assert.match(out, /X\/Y axes are perpendicular/);
  assert.equal(readTruth(p.model).contacts, 0);
});

test("M45 with the bed shifted 9 mm forwards (front targets wholly out of reach) fails naming the front row, without touching the bed", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("perfect") });
  p.command("G28");
  reconfigure(p, { geometry: { shiftYMm: -9 }, probe: { noiseMm: 0.005 } });
  const out = p.command("M45", M45_MAX_MS);
  assert.match(out, /Error:XYZ calibration failed: bed calibration point was not found.*\(front row/);
  assert.equal(readTruth(p.model).contacts, 0);
});

test("M45 with a sensor 15 % weak (switching 0.19 mm over the targets) still calibrates, without touching the bed", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("perfect") });
  p.command("G28");
  reconfigure(p, scenario("weak-sensor"));
  const out = p.command("M45", M45_MAX_MS);
  assert.match(out, /X\/Y axes are perpendicular/);
  assert.equal(readTruth(p.model).contacts, 0);
});
