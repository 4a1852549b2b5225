// G28 (which homes Z with the probe over the front-centre induction target) on every scenario of
// the library, in the host runner: the same printer model as simavr, fast enough for suites.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { HostPrinter } from "../../hal/host/hal.ts";
import { readTruth } from "../../tools/sim/truth.ts";
import { randomPrinters } from "../../tools/sim/generate.ts";
import { modelParams } from "../../tools/sim/scenario.ts";
import { loadBoard } from "../../tools/build/board.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const DIR = path.join("tests", "scenarios");
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

/** Nozzle height at which the MK2's PINDA switches over a target's centre (-probe offset Z). */
const SWITCH_GAP_MM = -loadBoard("minirambo").probe.offsetMm.z;

for (const f of FILES) {
  const s = JSON.parse(fs.readFileSync(path.join(DIR, f), "utf8")) as Scenario;
  const fault = s.probe?.fault;
  // A blob under the nozzle taller than the switching gap rests on the bed before the sensor
  // switches (tools/sim/model/printer.ts blobStopsZ).
  const blob = (s.nozzle?.debrisMm ?? 0) > SWITCH_GAP_MM;
  test(`${f}: G28 ${fault ? "stops with the probe's fault" : blob ? "stops with the probe not switched and debris named, the nozzle clear of the bed" : "homes on the probe without the nozzle touching the bed"}`, async () => {
    const p = await HostPrinter.boot({ scenario: s });
    const out = p.command("G28");
    const t = readTruth(p.model);
    if (fault === "cable-broken") {
      assert.match(out, /Error:Homing Z failed: the probe never triggered/);
      return;
    }
    if (blob) {
      assert.match(out, /Error:Homing Z failed: the probe never triggered \(debris on the nozzle\? probe connected\?/);
      assert.equal(p.model.inputs() & 4, 0, "the sensor never switched");
      assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
      assert.ok(t.debris.contacts >= 1 && t.debris.zStalledSteps > 0, "the blob rested on the bed and held the carriage up");
      return;
    }
    if (fault === "shorted") {
      assert.match(out, /Error:Homing Z failed/);
      return;
    }
    assert.doesNotMatch(out, /Error/);
    assert.equal(p.model.inputs() & 4, 4, "ends on the probe");
    assert.ok(t.probe.triggers >= 2, "fast and slow approach");
    assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
    assert.equal(p.model.violations(5), 0);
  });
}

test("the random printer generator is repeatable for a seed and stays within its stated ranges", () => {
  const a = randomPrinters(50, 7);
  assert.deepEqual(randomPrinters(50, 7), a);
  assert.notDeepEqual(randomPrinters(50, 8), a);
  const board = loadBoard("minirambo");
  for (const s of a) {
    assert.ok(Math.abs(s.geometry!.yAxisDeg!) <= 1.6 && Math.abs(s.geometry!.xAxisDeg!) <= 0.3);
    assert.ok(Math.abs(s.geometry!.shiftXMm!) <= 3 && Math.abs(s.geometry!.shiftYMm!) <= 3);
    assert.ok(s.probe!.hysteresisMm! >= 0.05 && s.probe!.hysteresisMm! <= 0.25);
    assert.ok(s.probe!.sensitivity! >= 0.9 && s.probe!.sensitivity! <= 1.1);
    assert.doesNotThrow(() => modelParams(board, s), "every drawn printer is a valid scenario");
  }
  // The draws spread over the ranges rather than sitting in a corner.
  const skews = a.map((s) => s.geometry!.yAxisDeg!);
  assert.ok(Math.min(...skews) < -0.8 && Math.max(...skews) > 0.8);
});
