// M45's failures on the real image in simavr (issue 10's acceptance): a broken probe cable, a
// probe that stops switching after homing, a sensor 15 % weak (it does not switch over the
// heating meander, only over the copper targets), a bed shifted so far forwards that the front
// targets are out of reach, and a settings record with an implausible bed transform. Each ends
// with its message and the nozzle never touches the bed. The verdicts are in calibration.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runSim } from "../../tools/sim/run.ts";
import type { Scenario } from "../../tools/sim/config.ts";

function scenario(name: string): Scenario {
  return JSON.parse(fs.readFileSync(path.join("tests", "scenarios", `${name}.json`), "utf8")) as Scenario;
}

const m45 = (s: Scenario, input = "G28\nM45\n") => runSim({ scenario: s, input, paceByOk: true, timeoutSeconds: 60, maxSeconds: 900 });

test("in simavr, with the probe cable broken G28 stops above the bed and says why, and M45 is then refused", async () => {
  const r = await m45(scenario("probe-cable-broken"));
  assert.match(r.stdout, /Error:Homing Z failed: the probe never triggered/);
  assert.match(r.stdout, /not executed: "M45"/);
  assert.doesNotMatch(r.stdout, /Searching bed calibration point/);
  const t = r.report.truth;
  assert.equal(t.contacts, 0);
  assert.ok(t.minClearanceMm >= 0.09, `closest ${t.minClearanceMm} mm`);
});

test("in simavr, a probe that stops switching after homing (sensor slid 50 mm up its holder) makes M45 fail at the first point, above the bed", async () => {
  // The model's slip starts once the sensor has switched twice: G28's fast and slow approach.
  const r = await m45({ probe: { noiseMm: 0.005, slip: { mm: 50, afterProbes: 2 } } });
  assert.doesNotMatch(r.stdout, /Homing Z failed/);
  assert.match(r.stdout, /Error:XYZ calibration failed: bed calibration point was not found.*point 2 \(front row, centre\); the bed transform is reset/);
  assert.doesNotMatch(r.stdout, /Improving bed calibration point/);
  const t = r.report.truth;
  assert.equal(t.contacts, 0);
  assert.ok(t.minClearanceMm >= 0.07, `closest ${t.minClearanceMm} mm`);
});

test("in simavr, with the bed shifted 9 mm forwards (the front targets out of the Y travel) M45 fails naming the front row, without touching the bed", async () => {
  const r = await m45({ geometry: { shiftYMm: -9 }, probe: { noiseMm: 0.005 } });
  assert.match(r.stdout, /Error:XYZ calibration failed: bed calibration point was not found.*is the bed out of reach\?\): point \d \(front row/);
  assert.doesNotMatch(r.stdout, /XYZ calibration ok/);
  assert.equal(r.report.truth.contacts, 0);
  assert.equal(r.report.violations.bedCrash.count, 0);
});

test("in simavr, a sensor 15 % weak (silent over the meander) still finds every target and calibrates, without touching the bed", async () => {
  const r = await m45(scenario("weak-sensor"));
  assert.doesNotMatch(r.stdout, /Error/);
  assert.match(r.stdout, /X\/Y axes are perpendicular/);
  const t = r.report.truth;
  assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
  assert.ok(t.minClearanceMm >= 0.05, `closest ${t.minClearanceMm} mm`);
});

/** The settings record with its bed transform (payload bytes 112..135) replaced, CRC made right. */
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

test("in simavr, a settings record holding an implausible bed transform is refused at boot with the reason, and moves go uncorrected", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-xyz-"));
  try {
    const eeprom = path.join(dir, "eeprom.bin");
    const saved = await runSim({ input: "M500\n", paceByOk: true, eeprom });
    assert.match(saved.stdout, /Settings stored/);
    // Machine (0, 0) 17 mm from world (0, 0): more than Prusa's 15 mm.
    fs.writeFileSync(eeprom, withTransform(fs.readFileSync(eeprom), [1, 0, 0, 1, 12, -12]));
    const r = await runSim({ input: "G28\nG1 Z5 F3000\nG1 X100 Y150 F6000\nM400\n", paceByOk: true, eeprom });
    assert.match(r.stdout, /echo:Stored XYZ calibration refused: the bed is shifted by more than 15 mm; moves go uncorrected/);
    assert.ok(Math.abs(r.report.axes.x.mm - 100) < 0.011 && Math.abs(r.report.axes.y.mm - 150) < 0.011, `${r.report.axes.x.mm}, ${r.report.axes.y.mm}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
