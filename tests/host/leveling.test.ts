// Mesh bed leveling (G80, G81, M420, M421) on the simulated printer in the host runner (the
// firmware's wasm in Node, the printer model with its known truth): the first layer it gives,
// the reports other tools read, and the probe failures that stop it above the bed.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { HostPrinter } from "../../hal/host/hal.ts";
import { readTruth } from "../../tools/sim/truth.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const MK25 = "minirambo-mk25";

function scenario(name: string): Scenario {
  return JSON.parse(fs.readFileSync(path.join("tests", "scenarios", `${name}.json`), "utf8")) as Scenario;
}

/** Lines without the busy keepalives. */
function quiet(out: string): string {
  return out.split("\n").filter((l) => !/^echo:busy/.test(l)).join("\n");
}

/** A first layer at 0.2 mm over the printable area: lines along X every `pitch` mm, 0.05 mm of
 * filament per mm. Returns the model's first-layer report. */
function printFirstLayer(p: HostPrinter, pitch = 20): ReturnType<typeof readTruth>["firstLayer"] {
  p.command("M302 P1\nM83\nG1 Z5 F3000\nG1 X5 Y5 F6000\nG1 Z0.2 F600");
  const lines: string[] = [];
  let right = true;
  for (let y = 5; y <= 205; y += pitch) {
    lines.push(`G1 Y${y} F6000`);
    lines.push(`G1 X${right ? 245 : 5} E12 F3000`);
    right = !right;
  }
  p.command(lines.join("\n") + "\nM400", 600_000);
  return readTruth(p.model).firstLayer;
}

// Bed Visualizer's row regex and PrusaMeshMap's (reference-heaters-lcd-mesh.md sections 1.1, 1.3).
const BLV_ROW = /^((G33.+)|(Bed.+)|(Llit.+)|(\d+\s)|(\|\s*)|(\s*\[\s+)|(\[?\s?\+?-?\d+?\.\d+\]?\s*,?)|(\s?\.\s*)|(NAN,?)|(nan\s?,?)|(=======\s?,?))+(\s+\],?)?$/;
const BLV_NUMBER = /(\+?-?\d*\.\d*)/g;
const PRUSA_MESH_MAP_ROW = /^(  -?\d+.\d+)+$/;

/** What Bed Visualizer collects from a G81 answer: rows until the first line holding "ok". */
function bedVisualizerRows(out: string): number[][] {
  const rows: number[][] = [];
  for (const raw of out.split("\n")) {
    const line = raw.trim();
    if (line.includes("ok") && rows.length > 0) break;
    if (BLV_ROW.test(line)) rows.push([...line.matchAll(BLV_NUMBER)].map((m) => Number(m[1])));
  }
  return rows;
}

test("G80 N7 on the MK2.5's steel sheet with the SV06 warp prints a first layer even to 20 um (standard deviation), where the same bed unleveled is not", async () => {
  const leveled = await HostPrinter.boot({ board: MK25, scenario: scenario("sv06-warp") });
  assert.doesNotMatch(leveled.command("G28 W"), /Error/);
  const g80 = quiet(leveled.command("G80 N7", 600_000));
  assert.match(g80, /echo:Mesh bed leveling on: 7 x 7 points/);
  const layer = printFirstLayer(leveled);
  assert.equal(readTruth(leveled.model).contacts, 0);
  assert.ok(layer.samples > 1000);
  assert.ok(layer.stdDevMm <= 0.02, `leveled: ${(layer.stdDevMm * 1000).toFixed(1)} um`);

  const flat = await HostPrinter.boot({ board: MK25, scenario: scenario("sv06-warp") });
  flat.command("G28 W");
  const unleveled = printFirstLayer(flat);
  assert.ok(unleveled.stdDevMm > layer.stdDevMm * 1.5, `unleveled ${(unleveled.stdDevMm * 1000).toFixed(1)} um, leveled ${(layer.stdDevMm * 1000).toFixed(1)} um`);
});

test("G80 on the MK42 probes the nine induction targets, and G81 answers in Prusa's MK2 format that Bed Visualizer and PrusaMeshMap read", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("sv06-warp") });
  p.command("G28 W");
  // Before G80: "not active", and still seven rows of numbers (the correction in use: none).
  const before = p.command("G81");
  assert.match(before, /^Mesh bed leveling not active\.\n/);
  assert.deepEqual(bedVisualizerRows(before), Array.from({ length: 7 }, () => Array(7).fill(0)));
  assert.match(quiet(p.command("G80", 300_000)), /Mesh bed leveling on: 3 x 3 points/);
  const g81 = p.command("G81");
  const lines = g81.split("\n");
  assert.equal(lines[0], "Num X,Y: 7,7");
  assert.equal(lines[1], "Z search height: 5");
  assert.equal(lines[2], "Measured points:");
  const rows = lines.slice(3, 10);
  for (const row of rows) {
    assert.match(row, /^(  -?\d+\.\d{5}){7}$/, `row "${row}"`);
    assert.match(row, PRUSA_MESH_MAP_ROW);
  }
  assert.equal(lines[10], "ok");
  const blv = bedVisualizerRows(g81);
  assert.equal(blv.length, 7);
  assert.ok(blv.every((r) => r.length === 7));
  // M420 V: Marlin's MBL report of the 3 x 3 points, front row first, and the state lines.
  const m420 = p.command("M420 V");
  assert.match(m420, /^Mesh Bed Level data:\n3x3 mesh\. Z offset: 0\.00000\nMeasured points:\n {8}0 {8}1 {8}2\n 0( [+-]\d+\.\d{5}){3}\n 1( [+-]\d+\.\d{5}){3}\n 2( [+-]\d+\.\d{5}){3}\n\necho:Bed Leveling ON\necho:Fade Height OFF\nok\n$/);
  // G81's rear-left value is M420's rear-left point (the surface passes through the points).
  const rearLeft = Number(/\n 2 ([+-]\d+\.\d+)/.exec(m420)![1]);
  assert.equal(blv[0][0], rearLeft);
  assert.equal(readTruth(p.model).contacts, 0);
});

test("a slipping sensor stops G80 with Prusa's \"didn't trigger\" reason, naming the point, with the nozzle clear of the bed", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("slipping-sensor") });
  p.command("G28 W");
  const out = quiet(p.command("G80", 300_000));
  assert.match(out, /echo:G80 stopped at point \d \(column \d, row \d from the front\), nozzle at Z 0\.0\d\d\n/);
  assert.match(out, /Error:Mesh bed leveling failed\. Sensor didn't trigger\. Debris on nozzle\?\n/);
  assert.match(out, /Error:Printer stopped due to errors/);
  const t = readTruth(p.model);
  assert.equal(t.probe.slipped, true);
  assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
  assert.ok(t.minClearanceMm > 0.02);
  // Leveling is off and moves are refused until M999.
  assert.match(p.command("G1 X50"), /Printer halted by a fault/);
});

test("G80 on the MK42 probes each target at its own centre: on a flat bed with a noiseless sensor all nine points read the same height", async () => {
  // The middle column's targets are at X 137 (board.json), not half-way between 35 and 238: 0.5 mm
  // off the centre of an 8 mm target the sensor switches lower, and that point would read low.
  const p = await HostPrinter.boot({ scenario: { ...scenario("perfect"), probe: { noiseMm: 0 } } });
  p.command("G28 W");
  const out = quiet(p.command("G80 V", 300_000));
  const means = [...out.matchAll(/echo:Point \d,\d X[\d.]+ Y[\d.]+: mean (-?[\d.]+)/g)].map((m) => Number(m[1]));
  assert.equal(means.length, 9);
  const spread = Math.max(...means) - Math.min(...means);
  assert.ok(spread <= 0.003, `the points read ${means.join(", ")} mm`);
});

test("past the probed points the mesh continues the bed's slope: on a tilted steel sheet the nozzle stays 0.2 mm up beside the grid too", async () => {
  // 0.2 mm per 100 mm along X, -0.1 along Y; the 3 x 3 grid spans X 24..246, Y 4..206 (probe
  // positions), so X 2 is 22 mm outside it: holding the edge value there left the nozzle 44 um high.
  const p = await HostPrinter.boot({ board: MK25, scenario: { bed: { slopeX: 0.002, slopeY: -0.001 } } });
  p.command("G28 W");
  assert.match(quiet(p.command("G80", 300_000)), /Mesh bed leveling on: 3 x 3 points/);
  for (const [x, y] of [[2, 100], [2, 2], [250, 100], [125, 100]]) {
    p.command(`G1 Z1 F3000\nG1 X${x} Y${y} F6000\nG1 Z0.2 F600\nM400`);
    const gap = p.model.clearance();
    assert.ok(Math.abs(gap - 0.2) < 0.005, `at X${x} Y${y} the nozzle is ${gap.toFixed(4)} mm over the bed`);
  }
  assert.equal(readTruth(p.model).contacts, 0);
});

test("a blob of plastic oozed under the nozzle after homing, taller than the sensor's switching gap, stops G80 at the first point with Prusa's \"didn't trigger. Debris on nozzle?\", the nozzle's metal clear of the bed; Z is unknown after it until G28", async () => {
  // The blob (debris.json's 0.6 mm) appears at 45 s of model time: after G28 W (43.5 s from
  // power-on), while the nozzle waits 5 mm up as if the hotend were heating.
  const blob = { ...scenario("debris"), nozzle: { debrisMm: scenario("debris").nozzle!.debrisMm, debrisAfterSeconds: 45 } };
  const p = await HostPrinter.boot({ scenario: blob });
  assert.doesNotMatch(p.command("G28 W"), /Error/);
  p.command("G1 Z5 F600\nG4 S3");
  assert.equal(readTruth(p.model).debris.contacts, 0);
  const out = quiet(p.command("G80", 300_000));
  // The spiral starts at the homing point, the front-centre target: point 2.
  assert.match(out, /echo:G80 stopped at point 2 \(column 2, row 1 from the front\), nozzle at Z 0\.0\d\d\n/);
  assert.match(out, /Error:Mesh bed leveling failed\. Sensor didn't trigger\. Debris on nozzle\?\n/);
  assert.doesNotMatch(out, /Mesh bed leveling on/);
  const t = readTruth(p.model);
  assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
  assert.ok(t.minClearanceMm > 0.3, `the tip came within ${t.minClearanceMm} mm`);
  assert.equal(t.debris.contacts, 1, "the blob rested on the bed once: G80 stopped at the first point");
  assert.ok(t.debris.zStalledSteps > 0, "the Z motors lost steps against it");
  // Steps were lost: after M999 the position of Z is not trusted, moves wait for G28.
  assert.match(p.command("M999"), /Fault cleared; home the axes/);
  assert.match(p.command("G1 Z10"), /Error:Refused: Z is not homed/);
  assert.match(p.command("G80"), /Error:G80 needs X, Y and Z homed/);
  // With the blob still there, homing Z stops on it too, naming debris.
  assert.match(p.command("G28"), /Error:Homing Z failed: the probe never triggered \(debris on the nozzle\?/);
  assert.equal(readTruth(p.model).contacts, 0);
  // Cleaned (Param.DebrisMm, tools/sim/model/params.ts): homing and G80 work again.
  p.model.setParam(70, 0);
  p.command("M999");
  assert.doesNotMatch(p.command("G28 W"), /Error/);
  assert.match(quiet(p.command("G80", 300_000)), /Mesh bed leveling on: 3 x 3 points/);
  assert.equal(readTruth(p.model).contacts, 0);
});

test("a blob shorter than the switching gap cannot be detected: G80 measures the same mesh as without it, and the first layer is laid with the blob on the bed", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("debris-small") }); // 0.3 mm blob
  assert.doesNotMatch(p.command("G28 W"), /Error/);
  assert.match(quiet(p.command("G80", 300_000)), /Mesh bed leveling on: 3 x 3 points/);
  let t = readTruth(p.model);
  assert.deepEqual([t.contacts, t.debris.contacts, t.debris.zStalledSteps], [0, 0, 0], "the sensor switched before the blob reached the bed");
  const clean = await HostPrinter.boot({ scenario: { ...scenario("debris-small"), nozzle: {} } });
  clean.command("G28 W");
  clean.command("G80", 300_000);
  assert.equal(p.command("G81"), clean.command("G81"), "the blob is invisible to the probe");
  // Commanded 0.2 mm, the blob's bottom would be 0.1 mm under the bed: it rests on the bed
  // instead (the Z motors skip), so plastic is laid with no gap at all.
  const layer = printFirstLayer(p, 40);
  t = readTruth(p.model);
  assert.equal(t.contacts, 0, "the nozzle's metal stays 0.3 mm up");
  assert.ok(t.debris.zStalledSteps > 0);
  assert.ok(layer.meanMm < 0.02, `first layer at ${layer.meanMm} mm instead of 0.2`);
});

test("a PINDA that reads switched everywhere (a shorted or unplugged cable) stops G80 as \"sensor disconnected\" before descending", async () => {
  const p = await HostPrinter.boot({ board: MK25 });
  p.command("G28 W");
  p.model.setParam(62, 2); // ProbeFault.Shorted (tools/sim/model/params.ts), after homing
  const out = quiet(p.command("G80", 300_000));
  assert.match(out, /Sensor disconnected or cable broken/);
  assert.match(out, /stopped at point 5 \(column 2, row 2/); // the centre: nearest the homing point
  assert.equal(readTruth(p.model).contacts, 0);
});

test("G80 refuses bad arguments with the reason and moves nothing", async () => {
  const p = await HostPrinter.boot({ board: MK25 });
  assert.match(p.command("G80"), /Error:G80 needs X, Y and Z homed/);
  p.command("G28 W");
  const at = [p.axisMm(0), p.axisMm(1), p.axisMm(2)];
  for (const [cmd, why] of [
    ["G80 N9", /N must be 3 to 7/],
    ["G80 C0", /C \(samples per point\)/],
    ["G80 D0.39", /D \(allowed deviation\)/],
    ["G80 L150", /edge corrections/],
    ["G80 X0 Y0 W100 H100", /area/],
  ] as [string, RegExp][]) {
    const out = p.command(cmd);
    assert.match(out, why, cmd);
    assert.match(out, /nothing measured/);
  }
  assert.deepEqual([p.axisMm(0), p.axisMm(1), p.axisMm(2)], at);
  const mk42 = await HostPrinter.boot({});
  mk42.command("G28 W");
  assert.match(mk42.command("G80 N7"), /nine induction targets/);
});

test("M420: S0 and S1 switch leveling, Z fades the correction out by that height, and G-code's Z stays what it asked for", async () => {
  // A bed 0.3 mm higher at the back (slope along Y): the correction at the back is large.
  const s: Scenario = { bed: { slopeY: 0.0015 } };
  const p = await HostPrinter.boot({ board: MK25, scenario: s });
  p.command("G28 W");
  p.command("G80", 300_000);
  // The firmware's native Z (what the motor did): M114's step count over 400 steps/mm.
  const nativeZAt = (cmd: string) => {
    p.command(`${cmd}\nM400`);
    return Number(/Count X:-?\d+ Y:-?\d+ Z:(-?\d+)/.exec(p.command("M114"))![1]) / 400;
  };
  p.command("G1 Z5 F3000");
  const front = nativeZAt("G1 X100 Y10 Z1 F6000");
  const back = nativeZAt("G1 X100 Y190 Z1 F6000");
  // The bed rises 0.27 mm from Y 10 to 190; the probe homed Z at Y 105 (nozzle Y 100).
  assert.ok(Math.abs(back - front - 0.0015 * 180) < 0.005, `Z at the back ${back}, front ${front}`);
  assert.ok(Math.abs(back - 1 - 0.0015 * 85) < 0.01, `Z at the back ${back}`);
  assert.match(p.command("M114"), /Z:1\.00/);
  // Leveling off: the nozzle stays where it is until the next move, which goes to the plain Z.
  p.command("M420 S0");
  assert.match(p.command("M114"), /Z:1\.00/);
  assert.equal(nativeZAt("G1 X100 Y180 Z1 F6000"), 1);
  p.command("M420 S1 Z2");
  const half = nativeZAt("G1 X100 Y190 Z1 F6000"); // half-way to the 2 mm fade height
  assert.ok(Math.abs(half - 1 - (back - 1) / 2) < 0.003, `faded ${half}`);
  assert.equal(nativeZAt("G1 X100 Y190 Z2.5 F6000"), 2.5);
  assert.match(p.command("M420"), /echo:Bed Leveling ON\necho:Fade Height 2\.00\n/);
  assert.match(p.command("M420 S2"), /Error:M420 S must be 0/);
});

test("M500 saves the mesh and M420 S1 loads it after a restart; M421's overlay point is added to every G80 and survives a restart", async () => {
  const p = await HostPrinter.boot({ board: MK25 });
  p.command("G28 W");
  p.command("G80", 300_000);
  const mesh = (q: HostPrinter) => [...q.command("M420 V").matchAll(/ ([+-]\d+\.\d{5})/g)].map((m) => Number(m[1]));
  const first = mesh(p);
  assert.equal(first.length, 9);
  // The overlay: +0.05 mm at the front-left point, -0.03 added at the rear-right.
  assert.match(p.command("M421 I0 J0 Z0.05"), /overlay point 0 0: 0\.050 mm/);
  assert.match(p.command("M421 I2 J2 Q-0.03"), /overlay point 2 2: -0\.030 mm/);
  const withOverlay = mesh(p);
  assert.ok(Math.abs(withOverlay[0] - first[0] - 0.05) < 0.0015);
  assert.ok(Math.abs(withOverlay[8] - first[8] + 0.03) < 0.0015);
  assert.match(p.command("M500"), /Mesh stored/);
  // A new G80 measures afresh and adds the overlay again.
  p.command("G80", 300_000);
  const again = mesh(p);
  assert.ok(Math.abs(again[0] - first[0] - 0.05) < 0.01, `front-left ${again[0]} vs ${first[0]}`);
  assert.ok(Math.abs(again[4] - first[4]) < 0.01);
  // After a restart: no mesh until M420 S1 loads the saved one.
  const q = await HostPrinter.boot({ board: MK25, eeprom: p.eeprom });
  assert.match(q.command("M420 V"), /echo:Invalid mesh\./);
  assert.match(q.command("M420 S1"), /Mesh loaded from EEPROM\necho:Bed Leveling ON/);
  assert.deepEqual(mesh(q), withOverlay);
  q.command("G28 W");
  q.command("G80", 300_000);
  const afterRestart = mesh(q);
  assert.ok(Math.abs(afterRestart[0] - first[0] - 0.05) < 0.01, `the overlay after a restart: ${afterRestart[0]} vs ${first[0]}`);
  assert.match(q.command("M421 I3 J0 Z0.1"), /Error:M421 I and J must be whole numbers 0 to 2/);
});

test("G80 P3 C2 probes the grid three times and reports each point's mean, standard deviation and 95% interval", async () => {
  const p = await HostPrinter.boot({ board: MK25, scenario: scenario("noisy-sensor") });
  p.command("G28 W");
  const out = quiet(p.command("G80 P3 C2", 600_000));
  const points = [...out.matchAll(/echo:Point (\d),(\d) X[\d.]+ Y[\d.]+: mean (-?\d+\.\d+) sd (\d+\.\d+) 95% \+-(\d+\.\d+) n 3 mm/g)];
  assert.equal(points.length, 9);
  for (const m of points) {
    const sd = Number(m[4]);
    // t(0.975, 2 dof) = 4.303; the interval is t * sd / sqrt(3).
    assert.ok(Math.abs(Number(m[5]) - (4.303 * sd) / Math.sqrt(3)) < 0.00015, m[0]);
  }
  assert.match(out, /Mesh bed leveling on: 3 x 3/);
});

test("after M45, G80 on the MK42 expects each target at its reference height: a bed raised 0.5 mm since stops it as \"triggered too high\", a sensor slipping in its mount as \"didn't trigger\", both above the bed", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("perfect") });
  p.command("G28 W");
  assert.match(p.command("M45", 1_500_000), /XYZ calibration ok/);
  // Healthy: the nine targets where M45 found them.
  assert.match(quiet(p.command("G80", 300_000)), /Mesh bed leveling on: 3 x 3/);
  // The bed rises 0.5 mm (Param.PlaneZ0, tools/sim/model/params.ts) without a new homing.
  p.model.setParam(31, 0.5);
  const high = quiet(p.command("G80", 300_000));
  assert.match(high, /G80 stopped at point \d \(column \d, row \d from the front\)/);
  assert.match(high, /Error:Mesh bed leveling failed\. Sensor triggered too high\./);
  assert.equal(readTruth(p.model).contacts, 0);

  const q = await HostPrinter.boot({ scenario: scenario("perfect") });
  q.command("G28 W");
  q.command("M45", 1_500_000);
  // The PINDA slides 0.5 mm up in its clamp after 3 more triggers (Param.SlipMm, SlipAfterProbes;
  // setting a parameter restarts the model's trigger count).
  q.model.setParam(63, 0.5);
  q.model.setParam(64, 3);
  const slip = quiet(q.command("G80", 300_000));
  assert.match(slip, /G80 stopped at point \d/);
  assert.match(slip, /Sensor didn't trigger\. Debris on nozzle\?/);
  const t = readTruth(q.model);
  assert.equal(t.probe.slipped, true);
  assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
});

test("with a fault latched, G81 and M420 V still report the mesh, while M420 S/Z and G80 are refused", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("sv06-warp") });
  p.command("G28 W");
  assert.match(quiet(p.command("G80", 300_000)), /Mesh bed leveling on: 3 x 3 points/);
  const g81 = p.command("G81");
  const m420 = p.command("M420 V");
  assert.match(p.command("M112"), /Error:/);
  // The same answers as before the fault: reports, no motion.
  assert.equal(p.command("G81"), g81);
  assert.equal(p.command("M420 V"), m420);
  assert.match(p.command("M420"), /^echo:Bed Leveling ON$/m);
  for (const cmd of ["M420 S0", "M420 Z5", "M420 S1 V", "G80"]) assert.match(p.command(cmd), /^Error:Printer halted by a fault \(.*\); not executed: "/m, cmd);
  assert.match(p.command("M420 V"), /^echo:Bed Leveling ON$/m, "M420 S0 changed nothing");
});
