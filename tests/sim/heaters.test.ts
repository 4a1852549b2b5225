// Heaters on the real image: the harness follows the heater and fan pins (hal/avr/outputs.c's
// 1 kHz sigma-delta) into the model's heat (tools/sim/model/thermal.ts) and gives the firmware
// the thermistor voltages back every millisecond.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runSim, type SimThermalSample } from "../../tools/sim/run.ts";
import { SimSession } from "../../tools/sim/session.ts";

const F_CPU = 16e6;

function range(samples: SimThermalSample[], pick: (s: SimThermalSample) => number): [number, number] {
  const v = samples.map(pick);
  return [Math.min(...v), Math.max(...v)];
}

test("a slicer's heat-up on the real image (M140, M104, M190 S60, M109 S215): both reach their targets, overshoot at most 3 C and hold within 1 C", { timeout: 900_000 }, async (t) => {
  const input = "M140 S60\nM104 S215\nM190 S60\nM109 S215\nG4 S40\nM105\n";
  const r = await runSim({ input, traceThermal: true, timeoutSeconds: 30, maxSeconds: 600 });
  assert.equal(r.report.exit, "done", `${r.report.exit}\n${r.stdout.slice(-2000)}\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /^Error:/m);
  assert.match(r.stdout, /^T:\d+\.\d E:0 B:\d+\.\d W:\?$/m, "M190's wait lines");
  // (M109 S215 then returns at once: the hotend heated while M190 waited, and S waits only to heat.)
  assert.match(r.stdout, /^ok T:21\d\.\d \/215\.0 B:(59|60)\.\d \/60\.0 @:\d+ B@:\d+$/m);
  const trace = r.thermal!;
  const hotAt = trace.find((s) => s.hotendSensor >= 214)!;
  const bedAt = trace.find((s) => s.bedSensor >= 59)!;
  const [, hotPeak] = range(trace, (s) => s.hotendSensor);
  const [, bedPeak] = range(trace, (s) => s.bedSensor);
  assert.ok(hotPeak <= 218, `hotend peak ${hotPeak}`);
  assert.ok(bedPeak <= 63, `bed peak ${bedPeak}`);
  // The last 30 s: both held.
  const end = trace[trace.length - 1].s;
  const last = trace.filter((s) => s.s >= end - 30);
  const [hotLow, hotHigh] = range(last, (s) => s.hotendSensor);
  const [bedLow, bedHigh] = range(last, (s) => s.bedSensor);
  assert.ok(hotLow >= 214 && hotHigh <= 216, `hotend held ${hotLow}..${hotHigh}`);
  assert.ok(bedLow >= 59 && bedHigh <= 61, `bed held ${bedLow}..${bedHigh}`);
  t.diagnostic(
    `bed 22 -> 59 C at ${bedAt.s.toFixed(1)} s (peak ${bedPeak.toFixed(2)}), hotend 22 -> 214 C at ${hotAt.s.toFixed(1)} s (peak ${hotPeak.toFixed(2)}); ` +
      `held hotend ${hotLow.toFixed(2)}..${hotHigh.toFixed(2)}, bed ${bedLow.toFixed(2)}..${bedHigh.toFixed(2)} C`,
  );
});

test("a hotend thermistor that opens while M109 waits on the real image: MINTEMP, and the heater pin is off within one reading", { timeout: 300_000 }, async (t) => {
  const openS = 20;
  const r = await runSim({ input: "M109 S215\n", scenario: { faults: { hotendThermistorOpen: openS } }, timeoutSeconds: 30, maxSeconds: 60 });
  assert.match(r.stdout, /^Error:MINTEMP triggered, system stopped! Heater_ID: 0$/m);
  assert.match(r.stdout, /^Error:Printer stopped due to errors\. Fix the error and use M999 to restart\.$/m);
  const offNs = r.report.thermal.lastOffNs[0];
  const delayMs = (offNs - openS * 1e9) / 1e6;
  // A round of readings every 250 ms, 16 conversions of each sensor (3.4 ms in all).
  assert.ok(delayMs >= 0 && delayMs <= 260, `heater off ${delayMs.toFixed(2)} ms after the thermistor opened`);
  assert.deepEqual(r.report.thermal.outputLevels.slice(0, 3), [0, 0, 0]);
  assert.deepEqual(r.report.lcd.rows.slice(0, 2), ["Printer halted:".padEnd(20), "Err: MINTEMP".padEnd(20)], "the fault's notice");
  t.diagnostic(`heater pin low ${delayMs.toFixed(2)} ms (simulated) after the thermistor opened`);
});

test("a disconnected heater cartridge on the real image is caught by the heating watch 20 s after M109", { timeout: 300_000 }, async (t) => {
  const r = await runSim({ input: "M109 S215\n", scenario: { faults: { hotendHeaterDisconnected: 0 } }, timeoutSeconds: 30, maxSeconds: 60 });
  assert.match(r.stdout, /^Error:Heating failed, system stopped! Heater_ID: 0$/m);
  const offS = r.report.thermal.lastOffNs[0] / 1e9;
  assert.ok(offS >= 20 && offS <= 21, `heater off at ${offS.toFixed(3)} s`);
  assert.equal(r.report.thermal.outputLevels[0], 0);
  t.diagnostic(`heating failed, heater off at ${offS.toFixed(3)} s (the command arrived at about 0.1 s)`);
});

test("M112 sent while M109 waits turns the hotend heater off at once on the real image, and it stays off", { timeout: 300_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-m112-heat-"));
  const inputFile = path.join(dir, "input.txt");
  const session = await SimSession.start({ timeoutSeconds: 5, extraArgs: ["--trace-input", inputFile] });
  try {
    await session.waitForLine(/^start$/);
    await session.write("M109 S215\n");
    // Marlin's wait lines come every second; M112 goes once the hotend is well on its way (heater full on).
    await session.waitForLine((l) => /^T:(\d+)/.test(l) && Number(/^T:(\d+)/.exec(l)![1]) >= 100, 120_000);
    await session.write("M112\n");
    await session.waitForLine(/^Error:Emergency stop \(M112\)/, 30_000);
    // Some more simulated time: nothing turns the heater back on.
    await session.waitForLine(/^Error:Printer halted/, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const { report } = await session.close();
    const lineEnds = fs.readFileSync(inputFile, "utf8").split("\n").filter(Boolean).map(Number);
    const m112Ns = (lineEnds[1] / F_CPU) * 1e9;
    const offNs = report.thermal.lastOffNs[0];
    const delayMs = (offNs - m112Ns) / 1e6;
    assert.ok(report.thermal.outputOnSeconds[0] > 1, "the heater had been on");
    assert.ok(delayMs >= 0 && delayMs < 5, `heater off ${delayMs.toFixed(3)} ms after the M112 line arrived`);
    assert.deepEqual(report.thermal.outputLevels.slice(0, 2), [0, 0]);
    t.diagnostic(`hotend heater off ${delayMs.toFixed(3)} ms (simulated) after the M112 line arrived`);
    console.log(`M112 during M109: heater off ${delayMs.toFixed(3)} ms after the line arrived`);
  } finally {
    await session.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
