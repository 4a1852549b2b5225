// Mesh bed leveling on the real image in simavr: after G28 W + G80, a first layer printed at
// 0.2 mm over the printable area, scored by the model's first-layer truth (the true gap under
// the nozzle wherever it extruded); G81 read with the parsers' own regexes; and 500 short
// segments streamed with leveling on without the planner running dry.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { runSim, type SimResult } from "../../tools/sim/run.ts";
import { boardBuildDir } from "../../tools/build/paths.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const F_CPU = 16e6;
const X = 0, Y = 1;
const MK25 = "minirambo-mk25";

function scenario(name: string): Scenario {
  return JSON.parse(fs.readFileSync(path.join("tests", "scenarios", `${name}.json`), "utf8")) as Scenario;
}

// `npm test` builds the default board; the steel-sheet tests need the MK2.5's image of the same
// module (--no-sim: the simulator binary other tests are running stays untouched).
before(() => {
  const hex = path.join(boardBuildDir(MK25), "firmware.hex");
  const reference = path.join(boardBuildDir("minirambo"), "firmware.hex");
  if (fs.existsSync(hex) && fs.statSync(hex).mtimeMs >= fs.statSync(reference).mtimeMs) return;
  const r = spawnSync("npx", ["tsx", "tools/build/cli.ts", "--board", MK25, "--no-sim"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

// Bed Visualizer's row regex and PrusaMeshMap's (reference-heaters-lcd-mesh.md sections 1.1, 1.3).
const BLV_ROW = /^((G33.+)|(Bed.+)|(Llit.+)|(\d+\s)|(\|\s*)|(\s*\[\s+)|(\[?\s?\+?-?\d+?\.\d+\]?\s*,?)|(\s?\.\s*)|(NAN,?)|(nan\s?,?)|(=======\s?,?))+(\s+\],?)?$/;
const PRUSA_MESH_MAP_ROW = /^(  -?\d+.\d+)+$/;

/** The first layer: 0.2 mm, lines along X every 20 mm across the printable area at 100 mm/s. */
function firstLayer(): string[] {
  const g = ["M302 P1", "M83", "G1 Z5 F3000", "G1 X5 Y5 F6000", "G1 Z0.2 F600"];
  let right = true;
  for (let y = 5; y <= 205; y += 20) {
    g.push(`G1 Y${y} F6000`, `G1 X${right ? 245 : 5} E12 F6000`);
    right = !right;
  }
  g.push("M400");
  return g;
}

/** The true bed's spread over the printable area (the model's 11 x 11 height grid): what a first
 * layer without leveling would vary by, mm (standard deviation). */
function bedSpread(r: SimResult): number {
  const h = r.report.truth.heightGrid.rows.flat();
  const mean = h.reduce((a, b) => a + b, 0) / h.length;
  return Math.sqrt(h.reduce((a, b) => a + (b - mean) ** 2, 0) / h.length);
}

/** G81's seven rows as both parsers see them. */
function checkG81(stdout: string): void {
  const lines = stdout.split("\n");
  const at = lines.indexOf("Measured points:");
  assert.ok(at > 0, "G81 answered");
  assert.equal(lines[at - 2], "Num X,Y: 7,7");
  assert.equal(lines[at - 1], "Z search height: 5");
  const rows = lines.slice(at + 1, at + 8);
  for (const row of rows) {
    assert.match(row, PRUSA_MESH_MAP_ROW, `PrusaMeshMap: "${row}"`);
    assert.match(row.trim(), BLV_ROW, `Bed Visualizer: "${row}"`);
    assert.doesNotMatch(row, /ok/);
  }
  assert.equal(lines[at + 8], "ok");
}

test("the MK2.5 with the SV06-warp steel sheet: after G28 W and G80 N7 a 0.2 mm first layer is even to 0.02 mm RMS around its mean, G81 reads in both parsers, no contact", { timeout: 900_000 }, async (t) => {
  const input = ["G28 W", "G80 N7", "G81", ...firstLayer()].join("\n") + "\n";
  const r = await runSim({ board: MK25, scenario: scenario("sv06-warp"), input, paceByOk: true, maxSeconds: 400 });
  assert.equal(r.report.exit, "done", r.stdout.slice(-2000));
  assert.match(r.stdout, /echo:Mesh bed leveling on: 7 x 7 points/);
  checkG81(r.stdout);
  const layer = r.report.truth.firstLayer;
  assert.ok(layer.samples > 1000, `${layer.samples} samples`);
  assert.equal(r.report.truth.contacts, 0, `closest ${r.report.truth.minClearanceMm} mm`);
  assert.ok(layer.stdDevMm <= 0.02, `evenness ${(layer.stdDevMm * 1000).toFixed(1)} um RMS around the mean`);
  t.diagnostic(`steel sheet 7x7: first layer ${(layer.stdDevMm * 1000).toFixed(1)} um RMS around its mean ${layer.meanMm.toFixed(3)} mm; the bed itself spreads ${(bedSpread(r) * 1000).toFixed(1)} um`);
});

test("a warped MK42 (the SV06's measured bed, twice over): after G28 W and G80 (nine targets) the first layer is evener than the bed and nothing touches", { timeout: 900_000 }, async (t) => {
  const s: Scenario = { bed: { warp: { preset: "sv06-measured", scale: 2 } }, probe: { noiseMm: 0.005 } };
  const input = ["G28 W", "G80", "G81", ...firstLayer()].join("\n") + "\n";
  const r = await runSim({ scenario: s, input, paceByOk: true, maxSeconds: 400 });
  assert.equal(r.report.exit, "done", r.stdout.slice(-2000));
  assert.match(r.stdout, /echo:Mesh bed leveling on: 3 x 3 points/);
  checkG81(r.stdout);
  const layer = r.report.truth.firstLayer;
  const spread = bedSpread(r);
  assert.equal(r.report.truth.contacts, 0, `closest ${r.report.truth.minClearanceMm} mm`);
  assert.ok(layer.stdDevMm < spread, `first layer ${(layer.stdDevMm * 1000).toFixed(1)} um, bed ${(spread * 1000).toFixed(1)} um`);
  t.diagnostic(`MK42 3x3: first layer ${(layer.stdDevMm * 1000).toFixed(1)} um RMS around its mean ${layer.meanMm.toFixed(3)} mm; the bed itself spreads ${(spread * 1000).toFixed(1)} um`);
});

test("streaming 500 1 mm segments at 100 mm/s with leveling on a tilted bed never lets the planner run dry", { timeout: 900_000 }, async (t) => {
  // A bed 0.4 mm higher at the back: every segment moves Z a little too (the correction).
  const s: Scenario = { bed: { slopeY: 0.002 } };
  const payloads = ["G28 W", "G80", "G90", "G1 Z1 F600", "G1 X160 Y100 F6000", "M400", "G4 P100"];
  const radius = 40;
  const step = 1 / radius;
  for (let i = 1; i <= 500; i++) payloads.push(`G1 X${(120 + radius * Math.cos(i * step)).toFixed(3)} Y${(100 + radius * Math.sin(i * step)).toFixed(3)}`);
  payloads.push("M400");
  const r = await runSim({ scenario: s, input: payloads.join("\n") + "\n", paceByOk: true, traceSteps: true, maxSeconds: 200 });
  assert.equal(r.report.exit, "done");
  assert.equal(r.report.serial.oks, payloads.length);
  assert.match(r.stdout, /Mesh bed leveling on/);
  const steps = r.steps!;
  const xy = steps.filter((e) => e.axis === X || e.axis === Y);
  let start = 0;
  for (let i = 1; i < xy.length; i++) if (xy[i].cycle - xy[i - 1].cycle > 0.08 * F_CPU) start = i;
  const stream = xy.slice(start);
  // Z stepped during the stream: leveling was at work.
  const zDuring = steps.filter((e) => e.axis === 2 && e.cycle > stream[0].cycle).length;
  assert.ok(zDuring > 20, `${zDuring} Z steps while streaming`);
  // The measure of "dry": between the start from rest and the stop, the X and Y steps together
  // never pause 2 ms (at 100 mm/s they come every 0.1 ms; a planner that ran dry stops the
  // carriage: a pause of one segment's time and more), and the path speed never falls far. The
  // stream takes a little longer than without leveling (5.09 s on the same chords): where the
  // circle turns back in Y the Z correction turns back too, and a chord crossing a split line of
  // the mesh becomes two blocks.
  let worstGap = 0;
  for (let i = 50; i < stream.length - 50; i++) worstGap = Math.max(worstGap, stream[i].cycle - stream[i - 1].cycle);
  const seconds = (stream[stream.length - 1].cycle - stream[0].cycle) / F_CPU;
  assert.ok(seconds < (500 / 100) * 1.1, `500 mm at 100 mm/s took ${seconds.toFixed(2)} s`);
  assert.ok(worstGap / F_CPU < 0.002, `a ${((worstGap / F_CPU) * 1000).toFixed(2)} ms pause between steps`);
  const w = 100;
  let slowest = Infinity;
  for (let i = 500; i + w < stream.length - 500; i += w) {
    const dt = (stream[i + w].cycle - stream[i].cycle) / F_CPU;
    // Steps of both axes: |vx| + |vy| >= path speed >= (|vx| + |vy|) / sqrt(2).
    slowest = Math.min(slowest, (w * 0.01) / dt / Math.SQRT2);
  }
  t.diagnostic(`500 leveled chords in ${seconds.toFixed(2)} s, longest pause between steps ${((worstGap / F_CPU) * 1000).toFixed(2)} ms, slowest ${slowest.toFixed(0)} mm/s (lower bound)`);
  assert.ok(slowest > 40, `path speed dropped to ${slowest.toFixed(1)} mm/s`);
});
