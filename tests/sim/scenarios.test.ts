// Every scenario of the library runs through `npm run sim -- --scenario FILE --report FILE` (the
// command the README documents) and its report carries the model's truth, which agrees with the
// scenario; G28 (a probe of the bed) on every scenario runs in tests/host/scenarios.test.ts, the
// same model in the faster host runner, and here in simavr on the weak sensor.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Scenario } from "../../tools/sim/config.ts";
import { readTruth, type TruthReport } from "../../tools/sim/truth.ts";
import { HostPrinter } from "../../hal/host/hal.ts";

const DIR = path.join("tests", "scenarios");
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

interface CliRun {
  stdout: string;
  code: number;
  report: { exit: string; truth: TruthReport; violations: Record<string, { count: number }> };
}

function simCli(scenarioFile: string, input: string): Promise<CliRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-scenario-"));
  const reportFile = path.join(dir, "r.json");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tools/sim/cli.ts", "--scenario", scenarioFile, "--report", reportFile, "--eeprom", path.join(dir, "eeprom.bin")], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString("latin1")));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        resolve({ stdout, code: code ?? -1, report: JSON.parse(fs.readFileSync(reportFile, "utf8")) });
      } catch (e) {
        reject(new Error(`${scenarioFile}: no report (${stderr})`));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
    child.stdin.end(input);
  });
}

test("the scenario library covers the printers the issue lists", () => {
  for (const name of ["perfect", "skew-mild", "skew-extreme", "bed-shift-front", "sv06-warp", "weak-sensor", "noisy-sensor", "drifting-sensor", "slipping-sensor", "hot-bed", "debris", "location-bias"]) {
    assert.ok(FILES.includes(`${name}.json`), `tests/scenarios/${name}.json is missing`);
  }
});

test("every library scenario runs in `npm run sim` and its report gives the scenario's geometry", async () => {
  const results = new Map<string, CliRun>();
  // Three at a time: each run is a separate simavr process.
  const queue = [...FILES];
  await Promise.all(
    [0, 1, 2].map(async () => {
      for (let f = queue.shift(); f; f = queue.shift()) results.set(f, await simCli(path.join(DIR, f), "M115\n"));
    }),
  );
  for (const f of FILES) {
    const r = results.get(f)!;
    const s = JSON.parse(fs.readFileSync(path.join(DIR, f), "utf8")) as Scenario;
    assert.equal(r.code, 0, f);
    assert.match(r.stdout, /FIRMWARE_NAME/, f);
    const t = r.report.truth;
    assert.ok(t, `${f}: the report has the model's truth`);
    const g = s.geometry ?? {};
    assert.deepEqual(
      [t.geometry.xAxisDeg, t.geometry.yAxisDeg, t.geometry.shiftXMm, t.geometry.shiftYMm],
      [g.xAxisDeg ?? 0, g.yAxisDeg ?? 0, g.shiftXMm ?? 0, g.shiftYMm ?? 0],
      `${f}: geometry`,
    );
    assert.equal(t.targets.length, 9, f);
    assert.equal(t.heightGrid.rows.length, 11, f);
    assert.equal(t.bed.temperatureC, s.bed?.temperatureC ?? 22, f);
  }
});

test("in simavr too, G28 with a weak sensor homes Z over a target without the nozzle touching the bed", async () => {
  const r = await simCli(path.join(DIR, "weak-sensor.json"), "G28\n");
  assert.doesNotMatch(r.stdout, /Error/);
  const t = r.report.truth;
  assert.ok(t.probe.triggers >= 2, "G28 probed the bed (fast and slow approach)");
  assert.equal(t.contacts, 0);
  assert.ok(t.minClearanceMm > 0.1, `closest ${t.minClearanceMm} mm`);
  assert.equal(r.report.violations.bedCrash.count, 0);
});

test("simavr and the host runner drive the same model: the same G28 gives the same truth", async () => {
  const file = path.join(DIR, "location-bias.json");
  const r = await simCli(file, "G28\nG1 X60 Y150 Z0.3 F3000\nM400\n");
  const p = await HostPrinter.boot({ scenario: JSON.parse(fs.readFileSync(file, "utf8")) as Scenario });
  p.command("G28\nG1 X60 Y150 Z0.3 F3000\nM400");
  const host = readTruth(p.model);
  const sim = r.report.truth;
  assert.equal(sim.probe.triggers, host.probe.triggers);
  assert.equal(sim.contacts, host.contacts);
  assert.ok(Math.abs(sim.minClearanceMm - host.minClearanceMm) < 1e-9, `${sim.minClearanceMm} vs ${host.minClearanceMm}`);
  assert.deepEqual(sim.minClearanceAtMm, host.minClearanceAtMm);
  assert.deepEqual(sim.targets, host.targets);
});
