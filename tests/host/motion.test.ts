// Motion logic on the host HAL against the printer model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const X = 0, Y = 1, Z = 2, E = 3;

async function homed(scenario?: Scenario): Promise<HostPrinter> {
  const p = await HostPrinter.boot({ scenario });
  p.command("G28");
  p.takeOutput();
  return p;
}

function violations(p: HostPrinter): number[] {
  return [0, 1, 2, 3, 4, 5].map((k) => p.model.violations(k));
}

test("moves of axes that were never homed are refused, and nothing moves", async () => {
  const p = await HostPrinter.boot();
  assert.match(p.command("G1 X10 Y10"), /^Error:Refused: X is not homed, so its position is unknown; home it first \(G28\)\nok\n$/);
  assert.match(p.command("G91\nG1 Z5"), /Error:Refused: Z is not homed/);
  assert.equal(p.axisSteps(X) + p.axisSteps(Y) + p.axisSteps(Z), 0);
  // The extruder has no position to lose: it may move.
  p.command("G90\nG1 E5 F300\nM400");
  assert.equal(p.axisSteps(E), Math.round(5 * 161.3));
});

test("G28 X and G28 Y end on their switches; G28 Z ends where the probe switched over the bed", async () => {
  const p = await HostPrinter.boot({ scenario: { start: { x: 120, y: 80, z: 30 } } });
  p.command("G28 X");
  assert.equal(p.axisMm(X), 0);
  assert.equal(p.model.inputs() & 1, 1, "X switch closed");
  p.command("G28 Y");
  assert.equal(p.axisMm(Y), -4);
  assert.equal(p.model.inputs() & 2, 2, "Y switch closed");
  p.command("G28 Z");
  assert.ok(Math.abs(p.axisMm(Z) - 0.4) < 1e-9, `nozzle ${p.axisMm(Z)} mm above the bed`);
  assert.equal(p.model.inputs() & 4, 4, "probe switched");
  assert.match(p.command("M114"), /^X:114\.00 Y:-2\.00 Z:0\.40 E:0\.00 Count X:11400 Y:-200 Z:160\n/);
  assert.deepEqual(violations(p), [0, 0, 0, 0, 0, 0]);
});

test("Z cannot be homed before X and Y: the probe must be over the bed", async () => {
  const p = await HostPrinter.boot();
  assert.match(p.command("G28 Z"), /Error:Home X and Y before Z/);
});

test("a switch that never closes stops homing with an error", async () => {
  const p = await HostPrinter.boot({ scenario: { deadEndstops: ["x"] } });
  const out = p.command("G28");
  assert.match(out, /Error:Homing X failed: the endstop never triggered \(check the switch and its cable\)/);
  assert.match(p.command("G1 X10"), /Error:Refused: X is not homed/);
});

test("with Z homed, a probe that stops switching never drives the nozzle into the bed", async () => {
  const p = await homed();
  p.model.setProbe(23, 9, -1e9); // the probe dies
  const out = p.command("G28 Z");
  assert.match(out, /Error:Homing Z failed: the probe never triggered/);
  assert.equal(p.model.violations(5), 0, "no bed crash");
  assert.ok(p.axisMm(Z) >= 0);
});

test("targets outside the travel are clamped with a warning and never reach the frame", async () => {
  const p = await homed();
  const out = p.command("G1 X300 Y-20 F12000\nM400");
  assert.match(out, /echo:Warning: X300\.00 is outside the travel \(0\.00 to 255\.00\); moving to 255\.00 instead/);
  assert.match(out, /echo:Warning: Y-20\.00 is outside the travel \(-4\.00 to 210\.00\); moving to -4\.00 instead/);
  assert.equal(p.axisMm(X), 255);
  assert.equal(p.axisMm(Y), -4);
  assert.deepEqual(violations(p), [0, 0, 0, 0, 0, 0]);
});

test("a long sequence of mixed moves ends at the exact step counts, and M114 agrees with the model", async () => {
  const p = await homed();
  const lines = ["G90", "M83", "G1 Z5 F600"];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let e = 0;
  for (let i = 0; i < 80; i++) {
    const x = 100 + Math.round(rnd() * 5000) / 100;
    const y = 80 + Math.round(rnd() * 5000) / 100;
    const de = Math.round(rnd() * 300) / 100;
    e += de;
    lines.push(`G1 X${x.toFixed(2)} Y${y.toFixed(2)} E${de.toFixed(2)} F${2000 + Math.round(rnd() * 10000)}`);
    if (i % 20 === 0) lines.push(`G1 Z${(1 + rnd() * 4).toFixed(3)} F600`);
  }
  lines.push("G1 X123.45 Y67.89 Z3.21 F6000", "M400", "M114");
  const out = p.command(lines.join("\n"), 600_000);
  // Absolute step positions of the carriages, from the model's millimetres.
  const steps = (a: number, perMm: number) => Math.round(p.axisMm(a) * perMm);
  assert.equal(steps(X, 100), 12345);
  assert.equal(steps(Y, 100), 6789);
  assert.equal(steps(Z, 400), 1284);
  // E is relative (M83): its steps are the sum of the rounded targets.
  const m = /X:(\S+) Y:(\S+) Z:(\S+) E:(\S+) Count X:(-?\d+) Y:(-?\d+) Z:(-?\d+)/.exec(out)!;
  assert.deepEqual([m[1], m[2], m[3]], ["123.45", "67.89", "3.21"]);
  assert.deepEqual([Number(m[5]), Number(m[6]), Number(m[7])], [steps(X, 100), steps(Y, 100), steps(Z, 400)]);
  // Each relative E move is rounded on its own target; the model counts what arrived.
  assert.ok(Math.abs(p.axisSteps(E) - e * 161.3) <= 1, `E ${p.axisSteps(E)} steps for ${e.toFixed(2)} mm`);
  assert.deepEqual(violations(p), [0, 0, 0, 0, 0, 0]);
});

test("G92 redefines the position without moving; travel limits stay physical", async () => {
  const p = await homed();
  p.command("G1 X50 F6000\nG92 X0\nM400");
  assert.match(p.command("M114"), /^X:0\.00 /);
  p.command("G1 X10\nM400");
  assert.equal(p.axisMm(X), 60);
  assert.match(p.command("G1 X-60"), /X-60\.00 is outside the travel \(-50\.00 to 205\.00\); moving to -50\.00/);
  p.command("M400");
  assert.equal(p.axisMm(X), 0);
});

test("M221 scales extrusion, M220 scales speed", async () => {
  const p = await homed();
  p.command("M83\nM221 S50\nG1 E10 F600\nM400");
  assert.equal(p.axisSteps(E), Math.round(5 * 161.3));
  assert.match(p.command("M221"), /echo:E0 Flow: 50%/);
  p.command("G1 X100 F3000\nM400");
  let t0 = p.nowNs;
  p.command("G1 X200\nM400");
  const normal = p.nowNs - t0;
  p.command("M220 S200");
  t0 = p.nowNs;
  p.command("G1 X100\nM400");
  const fast = p.nowNs - t0;
  assert.ok(fast < normal * 0.6, `200% speed took ${fast / 1e6} ms vs ${normal / 1e6} ms`);
  assert.match(p.command("M220 S5"), /Error:M220 S must be 10 to 500 percent/);
});

test("switching the drivers off forgets the homed position", async () => {
  const p = await homed();
  p.command("M84");
  assert.match(p.command("G1 X10"), /Error:Refused: X is not homed/);
  assert.equal(p.model.violations(3), 0);
});

test("M119 reports the switches and the probe", async () => {
  const p = await HostPrinter.boot({ scenario: { start: { x: 0, y: 100, z: 20 } } });
  assert.equal(p.command("M119"), "Reporting endstop status\nx_min: TRIGGERED\ny_min: open\nz_probe: open\nok\n");
});

test("G4 waits for the moves, then dwells", async () => {
  const p = await homed();
  p.command("G1 X92 Y91 F6000\nM400");
  const t0 = p.nowNs;
  p.command("G1 X150 F6000\nG4 P1000");
  const ms = (p.nowNs - t0) / 1e6;
  assert.ok(ms > 1500 && ms < 2500, `took ${ms} ms`);
});
