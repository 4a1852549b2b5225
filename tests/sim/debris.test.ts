// Debris on the nozzle on the real image in simavr: a blob of plastic taller than the PINDA's
// switching gap, oozed after homing, stops G80 at the point it diverges with Prusa's reason and
// the nozzle's metal clear of the bed (the model's truth); Z is not trusted afterwards (the Z
// motors lost steps against the blob), and M999 clears the fault in the image as on the host.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { runSim } from "../../tools/sim/run.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const debris = JSON.parse(fs.readFileSync(path.join("tests", "scenarios", "debris.json"), "utf8")) as Scenario;

test("in simavr, a blob oozed under the nozzle after homing stops G80 at the first point with \"didn't trigger. Debris on nozzle?\", no nozzle contact; M999 clears the fault and Z must be homed again", { timeout: 120_000 }, async () => {
  // The blob (debris.json's 0.6 mm) appears at 45 s of model time: G28 W from power-on ends at
  // 43.5 s; then the nozzle waits 5 mm up, as while the hotend heats.
  const scenario: Scenario = { ...debris, nozzle: { ...debris.nozzle, debrisAfterSeconds: 45 } };
  const input = "G28 W\nG1 Z5 F600\nG4 S3\nG80\nM999\nG1 Z10\n";
  const r = await runSim({ scenario, input, paceByOk: true, maxSeconds: 200 });
  assert.equal(r.report.exit, "done", r.stdout.slice(-1000));
  assert.match(r.stdout, /^echo:G80 stopped at point 2 \(column 2, row 1 from the front\), nozzle at Z 0\.0\d\d$/m);
  assert.match(r.stdout, /^Error:Mesh bed leveling failed\. Sensor didn't trigger\. Debris on nozzle\?$/m);
  assert.match(r.stdout, /^echo:Fault cleared; home the axes before moving \(G28\)$/m);
  assert.match(r.stdout, /^Error:Refused: Z is not homed, so its position is unknown; home it first \(G28\)$/m);
  const t = r.report.truth;
  assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
  assert.equal(t.debris.contacts, 1, "the blob rested on the bed once, at the first point");
  assert.ok(t.debris.zStalledSteps > 0, "the Z motors lost steps against it");
  assert.equal(r.report.violations.bedCrash.count, 0);
});
