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
    // M500 keeps the transform: after a restart on the same printer the corner lands there again.
    assert.match(p.command("M500"), /Settings stored/);
    const again = await HostPrinter.boot({ scenario: scenario(name), eeprom: p.eeprom });
    assert.doesNotMatch(again.output, /refused|not used/);
    again.command("G28\nG1 Z5 F3000\nG1 X220 Y190 F6000\nM400");
    const [ax, ay] = nozzleOnBed(again, readTruth(again.model));
    assert.ok(Math.hypot(ax - 220, ay - 190) <= 0.1, `after a restart: ${ax.toFixed(3)}, ${ay.toFixed(3)}`);
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

/** The settings record with its bed transform fields (payload bytes 112..135) replaced, the CRC
 * made consistent again: a record as a bad writer (or a bad calibration) would leave it. */
function withTransform(eeprom: Uint8Array, values: number[]): Uint8Array {
  const e = new Uint8Array(eeprom);
  const payload = e.subarray(10, 10 + 172);
  const view = new DataView(payload.buffer, payload.byteOffset);
  values.forEach((v, k) => view.setFloat32(112 + 4 * k, v, true));
  let crc = 0xffff;
  for (const b of payload) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  e[8] = crc & 0xff;
  e[9] = crc >> 8;
  return e;
}

test("a stored bed transform is used after a restart, and an implausible one is refused at boot with the reason", async () => {
  const p = await HostPrinter.boot();
  assert.match(p.command("M500"), /Settings stored/);
  // A plausible one: 0.3 degrees of Y axis rotation, 2 mm shift.
  const a = (0.3 * Math.PI) / 180;
  const good = await HostPrinter.boot({ eeprom: withTransform(p.eeprom, [1, 0, -Math.sin(a), Math.cos(a), 2, -1]) });
  assert.doesNotMatch(good.output, /refused/);
  good.command("G28");
  good.command("G1 Z5 F3000\nG1 X100 Y150 F6000\nM400");
  // machine = V^-1 (world - origin), here by hand.
  const det = Math.cos(a);
  const mx = (Math.cos(a) * (100 - 2) + Math.sin(a) * (150 + 1)) / det;
  const my = (150 + 1) / det;
  assert.ok(Math.abs(good.axisMm(0) - mx) < 0.011 && Math.abs(good.axisMm(1) - my) < 0.011, `${good.axisMm(0)}, ${good.axisMm(1)}`);
  const cases: [number[], RegExp][] = [
    [[1.2, 0, 0, 1, 0, 0], /Stored XYZ calibration refused: an axis vector is not 0\.9 to 1\.1 long/],
    [[1, 0, 0.2, 1, 0, 0], /Stored XYZ calibration refused: the axes are more than 5\.7 degrees from square/],
    [[1, 0, 0, 1, 12, -12], /Stored XYZ calibration refused: the bed is shifted by more than 15 mm/],
    [[NaN, 0, 0, 1, 0, 0], /Stored XYZ calibration refused: the values are not numbers/],
  ];
  for (const [values, reason] of cases) {
    const bad = await HostPrinter.boot({ eeprom: withTransform(p.eeprom, values) });
    assert.match(bad.output, reason);
    bad.command("G28");
    bad.command("G1 Z5 F3000\nG1 X100 Y150 F6000\nM400");
    assert.ok(Math.abs(bad.axisMm(0) - 100) < 0.011 && Math.abs(bad.axisMm(1) - 150) < 0.011, "moves uncorrected");
  }
});

test("M45 on a bed 0.5 mm lower at the rear-left than where Z was homed finds every target (each probe's floor follows the plane of the targets found so far) without touching the bed", async () => {
  const p = await HostPrinter.boot({ scenario: { bed: { slopeX: 0.0017, slopeY: -0.0015 }, probe: { noiseMm: 0.005 } } });
  p.command("G28");
  const out = p.command("M45 V", M45_MAX_MS);
  assert.match(out, /X\/Y axes are perpendicular/);
  const t = readTruth(p.model);
  assert.equal(t.contacts, 0);
  assert.ok(t.minClearanceMm > 0.05, `closest ${t.minClearanceMm} mm`);
  // The reference heights follow the bed: the rear-left one lowest, about 0.5 mm under the front-centre one.
  const z = [...out.matchAll(/echo:Reference height (\d): (-?[\d.]+) mm/g)].map((m) => Number(m[2]));
  assert.equal(z.length, 9);
  assert.ok(Math.abs(z[6] - z[1] - -0.47) < 0.05, `rear-left ${z[6]} vs front-centre ${z[1]}`);
});

test("M112 during M45 stops it at once: the drivers off, the printer halted, no further point measured, no contact", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("perfect") });
  p.command("G28");
  p.send("M45\n");
  p.runUntil((o) => /Improving bed calibration point 3 of 9/.test(o), M45_MAX_MS);
  p.takeOutput();
  p.send("M112\n");
  p.runUntil((o) => /Printer halted/.test(o), 10_000);
  p.runFor(1000);
  const out = p.takeOutput();
  assert.match(out, /Error:Emergency stop \(M112\): steppers off, printer halted/);
  assert.doesNotMatch(out, /Improving bed calibration point 4 of 9/);
  assert.equal(readTruth(p.model).contacts, 0);
  // Nothing moves after: the carriages stay where M112 left them.
  const at = [p.axisMm(0), p.axisMm(1), p.axisMm(2)];
  p.runFor(2000);
  assert.deepEqual([p.axisMm(0), p.axisMm(1), p.axisMm(2)], at);
});

test("M45 Z measures only the nine reference heights, over the targets the calibration found", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("skew-mild") });
  p.command("G28");
  assert.match(p.command("M45", M45_MAX_MS), /slightly skewed/);
  const out = p.command("M45 Z V", M45_MAX_MS);
  assert.doesNotMatch(out, /Searching|Improving/);
  assert.match(out, /Measuring reference height 9 of 9/);
  assert.match(out, /echo:Reference heights measured/);
  const z = [...out.matchAll(/echo:Reference height (\d): (-?[\d.]+) mm/g)].map((m) => Number(m[2]));
  // A flat bed: over each target's centre the probe switches within 20 um of 0.4 mm (the homing height).
  assert.equal(z.length, 9);
  for (const v of z) assert.ok(Math.abs(v - 0.4) < 0.02, `${v}`);
});

test("after M45, G28 homes Z with the probe over the front-centre target's centre on a shifted, skewed bed, and a move beyond the travel is reported in bed coordinates", async () => {
  const p = await HostPrinter.boot({ scenario: { geometry: { yAxisDeg: 0.5, shiftXMm: 2.5, shiftYMm: 1.5 }, probe: { noiseMm: 0.005 } } });
  p.command("G28");
  const target = readTruth(p.model).targets[1].probeOverMm;
  // Before any calibration the probe homes where the target is on a perfect printer: 2.9 mm off.
  assert.ok(Math.hypot(p.axisMm(0) - target[0], p.axisMm(1) - target[1]) > 2, `${p.axisMm(0)}, ${p.axisMm(1)}`);
  assert.match(p.command("M45", M45_MAX_MS), /XYZ calibration ok/);
  p.command("G28");
  assert.ok(Math.hypot(p.axisMm(0) - target[0], p.axisMm(1) - target[1]) < 0.15, `homed Z at ${p.axisMm(0)}, ${p.axisMm(1)}; the target's centre is at ${target}`);
  // The bed point X 255 Y 200 needs the X carriage beyond its travel: the warning names the bed
  // point asked for and the one the nozzle goes to, and the nozzle does go there.
  const out = p.command("G1 Z5 F3000\nG1 X255 Y200 F6000\nM400");
  const m = /echo:Warning: X255\.00 Y200\.00 is outside the carriages' travel; moving to X(-?[\d.]+) Y(-?[\d.]+) instead/.exec(out);
  assert.ok(m, out);
  const [bx, by] = nozzleOnBed(p, readTruth(p.model));
  assert.ok(Math.hypot(bx - Number(m[1]), by - Number(m[2])) < 0.1, `the nozzle is over ${bx.toFixed(3)}, ${by.toFixed(3)}`);
  assert.ok(Number(m[1]) < 255);
  assert.equal(readTruth(p.model).contacts, 0);
});
