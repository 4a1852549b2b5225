// npm run bench:calibration: M45 on random printers from the seeded generator (and the scenario
// library's calibration cases) in the host runner, scored against the model's truth. Writes
// build/calibration.json and prints the table.
//
//   npx tsx tools/bench/calibration.ts [--count 30] [--seed 1] [--only perfect,random-1-4] [--wasm FILE]
//   npx tsx tools/bench/calibration.ts --only mesh [--mesh-count 4]      (mesh leveling alone)
//   npx tsx tools/bench/calibration.ts --probe-only                      (probe tools alone)
//
// Figures (issue 10): skewErrorDegP50/P95 (fitted skew a2 - a1 against the model's), centreErrorMmRms
// (fitted target centres, machine mm, against the carriage positions that truly put the probe over
// them), referenceHeightErrorUmRms (the stored switching heights against a noise-free probe of the
// same printer at the true centres, in the firmware's Z frame), m45PrinterSecondsMedian/Max
// (simulated time of the whole M45), contacts (nozzle touching the bed), failures with reasons.
// Mesh bed leveling (issue 11; meshBench below): G80's printer time, the first layer's evenness
// on the steel-sheet and MK42 suites beside Prusa's algorithm on the same probed points, and
// the probed points' error against the true bed.

import fs from "node:fs";
import path from "node:path";
import { HostPrinter } from "../../hal/host/hal.ts";
import { readTruth } from "../sim/truth.ts";
import { randomPrinters } from "../sim/generate.ts";
import type { Scenario } from "../sim/config.ts";
import { ModelRig } from "../../tests/host/modelRig.ts";

interface Run {
  name: string;
  ok: boolean;
  reason?: string;
  skewErrorDeg?: number;
  centreErrorsMm?: number[];
  referenceErrorsUm?: number[];
  printerSeconds: number;
  contacts: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Printers whose G28 failed never reached M45: counted apart (Z homing's limit, not M45's). */
const homingFailure = (r: Run) => !r.ok && (r.reason ?? "").startsWith("G28");

function percentile(v: number[], p: number): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const rms = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0) / Math.max(v.length, 1));

/**
 * The nozzle Z (model frame) at which a noise-free copy of the printer's probe switches over (x, y),
 * with the sensor at `sensorC`: the sensor's reach drifts with its temperature, which follows the
 * bed's (a sensor drawn at 35 C over a 22 C bed cools with a 60 s time constant during M45), so the
 * truth is taken at the temperature the sensor had when M45 ended, when the reference heights were
 * measured (its last ~25 s). Taken at the scenario's starting temperature instead, the reference
 * heights of warm sensors were "wrong" by the drift that happened during M45 (up to 45 um).
 */
async function trueSwitchZ(s: Scenario, x: number, y: number, sensorC: number): Promise<number | null> {
  const quiet: Scenario = { ...s, probe: { ...(s.probe ?? {}), noiseMm: 0, temperatureC: sensorC } };
  const rig = await ModelRig.create(quiet, { x, y, z: 1.5 });
  return rig.probeDown(-0.5);
}

/** --wasm FILE: another build of the firmware module (its .texts.json beside it), e.g. a copy
 * taken before the next build, so a long run is not changed under it. */
const wasmAt = process.argv.indexOf("--wasm");
const wasm = wasmAt >= 0 ? process.argv[wasmAt + 1] : undefined;

async function runOne(name: string, s: Scenario): Promise<Run> {
  const p = await HostPrinter.boot({ scenario: s, wasm });
  const home = p.command("G28");
  if (/Error/.test(home)) {
    return { name, ok: false, reason: `G28: ${home.split("\n").find((l) => l.startsWith("Error"))}`, printerSeconds: 0, contacts: readTruth(p.model).contacts };
  }
  const t0 = (p as unknown as { nowNs: number }).nowNs;
  const out = p.command("M45 V", 3_000_000);
  const seconds = ((p as unknown as { nowNs: number }).nowNs - t0) / 1e9;
  const truth = readTruth(p.model);
  const run: Run = { name, ok: false, printerSeconds: seconds, contacts: truth.contacts };
  const err = out.split("\n").find((l) => l.startsWith("Error"));
  if (err || !/XYZ calibration ok/.test(out)) {
    run.reason = err ?? "no verdict";
    return run;
  }
  const skew = Number(/XYZ calibration: skew (-?[\d.]+) deg/.exec(out)![1]);
  run.skewErrorDeg = Math.abs(skew - (truth.geometry.yAxisDeg - truth.geometry.xAxisDeg));
  run.centreErrorsMm = [];
  for (const m of out.matchAll(/echo:Point (\d): machine X (-?[\d.]+) Y (-?[\d.]+)/g)) {
    const t = truth.targets[Number(m[1]) - 1].probeOverMm;
    run.centreErrorsMm.push(Math.hypot(Number(m[2]) - t[0], Number(m[3]) - t[1]));
  }
  // The firmware's Z frame against the model's: the firmware's Z step count (M114 "Count",
  // exact, where its Z: has only 2 decimals) over the steps per mm, minus the carriage's Z now.
  const m114 = p.command("M114");
  const zSteps = Number(/Count X:-?\d+ Y:-?\d+ Z:(-?\d+)/.exec(m114)![1]);
  const zStepsPerMm = Number(/M92 X[\d.]+ Y[\d.]+ Z([\d.]+)/.exec(p.command("M503"))![1]);
  const zFrame = zSteps / zStepsPerMm - p.axisMm(2);
  run.referenceErrorsUm = [];
  for (const m of out.matchAll(/echo:Reference height (\d): (-?[\d.]+) mm/g)) {
    const t = truth.targets[Number(m[1]) - 1].probeOverMm;
    const z = await trueSwitchZ(s, t[0], t[1], truth.probe.temperatureC);
    if (z !== null) run.referenceErrorsUm.push((Number(m[2]) - (z + zFrame)) * 1000);
  }
  run.ok = true;
  return run;
}

async function main(): Promise<void> {
  const count = arg("count", 30);
  const seed = arg("seed", 1);
  const part = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : "";
  if (part === "mesh") {
    const mesh = await meshBench(arg("mesh-count", 4), seed);
    fs.mkdirSync("build", { recursive: true });
    const file = path.join("build", "calibration.json");
    const before = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    fs.writeFileSync(file, JSON.stringify({ ...before, ...mesh }, null, 2));
    return;
  }
  const cases: [string, Scenario][] = [];
  for (const f of ["perfect", "skew-mild", "skew-extreme", "noisy-sensor", "x-twist"]) {
    const file = path.join("tests", "scenarios", `${f}.json`);
    if (fs.existsSync(file)) cases.push([f, JSON.parse(fs.readFileSync(file, "utf8")) as Scenario]);
  }
  randomPrinters(count, seed).forEach((s, i) => cases.push([`random-${seed}-${i + 1}`, s]));
  // --only a,b: just these printers (by name), for a quick look at a change.
  const onlyAt = process.argv.indexOf("--only");
  const only = onlyAt >= 0 ? new Set(process.argv[onlyAt + 1].split(",")) : undefined;
  const runs: Run[] = [];
  for (const [name, s] of cases) {
    if (only && !only.has(name)) continue;
    const r = await runOne(name, s);
    runs.push(r);
    const c = r.centreErrorsMm ? rms(r.centreErrorsMm).toFixed(3) : "-";
    const z = r.referenceErrorsUm ? rms(r.referenceErrorsUm).toFixed(1) : "-";
    console.log(`${name.padEnd(16)} ${r.ok ? "ok  " : "FAIL"} skewErr ${r.skewErrorDeg?.toFixed(4) ?? "-"} deg  centreRms ${c} mm  refRms ${z} um  ${r.printerSeconds.toFixed(0)} s  contacts ${r.contacts}${r.reason ? "  " + r.reason : ""}`);
  }
  const ok = runs.filter((r) => r.ok);
  const seconds = ok.map((r) => r.printerSeconds);
  const summary = {
    printers: runs.length,
    randomCount: count,
    seed,
    skewErrorDegP50: percentile(ok.map((r) => r.skewErrorDeg!), 50),
    skewErrorDegP95: percentile(ok.map((r) => r.skewErrorDeg!), 95),
    centreErrorMmRms: rms(ok.flatMap((r) => r.centreErrorsMm!)),
    referenceHeightErrorUmRms: rms(ok.flatMap((r) => r.referenceErrorsUm!)),
    m45PrinterSecondsMedian: percentile(seconds, 50),
    m45PrinterSecondsMax: Math.max(...seconds),
    contacts: runs.reduce((a, r) => a + r.contacts, 0),
    failures: runs.filter((r) => !r.ok).map((r) => ({ name: r.name, reason: r.reason })),
    m45Failures: runs.filter((r) => !r.ok && !homingFailure(r)).length,
    homingFailures: runs.filter(homingFailure).length,
    runs,
  };
  const mesh = await meshBench(arg("mesh-count", 4), seed);
  fs.mkdirSync("build", { recursive: true });
  fs.writeFileSync(path.join("build", "calibration.json"), JSON.stringify({ ...summary, ...mesh }, null, 2));
  console.log("");
  console.log("| figure | value | target |");
  console.log("|---|---|---|");
  console.log(`| skewErrorDegP50 | ${summary.skewErrorDegP50.toFixed(4)} | |`);
  console.log(`| skewErrorDegP95 | ${summary.skewErrorDegP95.toFixed(4)} | <= 0.02 |`);
  console.log(`| centreErrorMmRms | ${summary.centreErrorMmRms.toFixed(3)} | <= 0.1 |`);
  console.log(`| referenceHeightErrorUmRms | ${summary.referenceHeightErrorUmRms.toFixed(1)} | <= 10 |`);
  console.log(`| m45PrinterSecondsMedian | ${summary.m45PrinterSecondsMedian.toFixed(0)} | <= 240 |`);
  console.log(`| m45PrinterSecondsMax | ${summary.m45PrinterSecondsMax.toFixed(0)} | |`);
  console.log(`| contacts | ${summary.contacts} | 0 |`);
  console.log(`| failures | ${summary.failures.length} of ${runs.length}: M45 ${summary.m45Failures}, G28 before it ${summary.homingFailures} | 0 |`);
  for (const f of summary.failures) console.log(`  ${f.name}: ${f.reason}`);
}

// ---- The probe tools (issue 11): the guided Z offset ----
//
// firstLayerGapBiasUm: on each printer, G28, then PROBE_CALIBRATE over the centre target with the
// bench playing the owner and a 0.09 mm sheet of paper (drag felt while the model's true gap is
// under 0.09 mm: lower 0.05 mm at a time, less than the paper's thickness, then eight Z=+ / Z=- bisections), ACCEPT, then a 20 x 20
// mm first-layer patch at 0.2 mm around the calibrated spot (the Z offset's job; the bed's shape
// elsewhere is the mesh's). The figure is the patch's mean true gap minus 0.2 mm, um; its mean and
// largest size over the printers, with the nozzle-bed contacts. `--probe-only` runs this alone.

interface ProbeRun {
  name: string;
  ok: boolean;
  reason?: string;
  offsetMm?: number;
  biasUm?: number;
  contacts: number;
}

const PAPER_MM = 0.09;

async function probeOne(name: string, s: Scenario): Promise<ProbeRun> {
  const p = await HostPrinter.boot({ scenario: s });
  const home = p.command("G28");
  if (/Error/.test(home)) return { name, ok: false, reason: `G28: ${home.split("\n").find((l) => l.startsWith("Error"))}`, contacts: readTruth(p.model).contacts };
  const open = p.command(`PROBE_CALIBRATE X=137 Y=105 PAPER=${PAPER_MM}`);
  const fail = (o: string) => o.split("\n").find((l) => l.startsWith("Error"));
  if (fail(open)) return { name, ok: false, reason: fail(open), contacts: readTruth(p.model).contacts };
  const drags = () => p.model.clearance() < PAPER_MM;
  for (let i = 0; i < 80 && !drags(); i++) {
    const o = p.command("TESTZ Z=-0.05");
    if (fail(o)) return { name, ok: false, reason: fail(o), contacts: readTruth(p.model).contacts };
  }
  for (let i = 0; i < 8; i++) p.command(drags() ? "TESTZ Z=+" : "TESTZ Z=-");
  for (let i = 0; i < 4 && !drags(); i++) p.command("TESTZ Z=-");
  const accepted = p.command("ACCEPT");
  const offset = /M851 Z(\S+) /.exec(accepted);
  if (!offset) return { name, ok: false, reason: "no offset", contacts: readTruth(p.model).contacts };
  // The patch around the calibrated spot: the nozzle was over bed 137, 105 (where the probe was).
  p.command("M302 P1\nG92 E0\nG1 Z0.2 F600\nG1 X127 Y95 F6000\nG1 X147 Y95 E1 F1200\nG1 X147 Y100 E1.3\nG1 X127 Y100 E2.3\nG1 X127 Y105 E2.6\nG1 X147 Y105 E3.6\nG1 X147 Y110 E3.9\nG1 X127 Y110 E4.9\nG1 X127 Y115 E5.2\nG1 X147 Y115 E6.2\nG1 Z5\nM400");
  const t = readTruth(p.model);
  if (t.firstLayer.samples === 0) return { name, ok: false, reason: "nothing printed", contacts: t.contacts };
  return { name, ok: true, offsetMm: Number(offset[1]), biasUm: (t.firstLayer.meanMm - 0.2) * 1000, contacts: t.contacts };
}

async function probeSection(): Promise<void> {
  const count = arg("probe-count", 8);
  const seed = arg("seed", 1);
  const cases: [string, Scenario][] = [["trigger-0.55", { probe: { triggerMm: 0.55 } }]];
  for (const f of ["perfect", "weak-sensor", "noisy-sensor", "hot-bed", "sv06-warp", "location-bias"]) {
    const file = path.join("tests", "scenarios", `${f}.json`);
    if (fs.existsSync(file)) cases.push([f, JSON.parse(fs.readFileSync(file, "utf8")) as Scenario]);
  }
  randomPrinters(count, seed).forEach((s, i) => cases.push([`random-${seed}-${i + 1}`, s]));
  const runs: ProbeRun[] = [];
  console.log("");
  console.log("probe tools: the guided Z offset (PROBE_CALIBRATE, 0.09 mm paper), then a 0.2 mm first-layer patch");
  for (const [name, s] of cases) {
    const r = await probeOne(name, s);
    runs.push(r);
    console.log(`${name.padEnd(16)} ${r.ok ? "ok  " : "FAIL"} M851 Z${r.offsetMm?.toFixed(3) ?? "-"}  bias ${r.biasUm?.toFixed(1) ?? "-"} um  contacts ${r.contacts}${r.reason ? "  " + r.reason : ""}`);
  }
  const ok = runs.filter((r) => r.ok);
  const biases = ok.map((r) => r.biasUm!);
  const probe = {
    printers: runs.length,
    firstLayerGapBiasUm: biases.reduce((a, b) => a + b, 0) / Math.max(biases.length, 1),
    firstLayerGapBiasUmMaxAbs: Math.max(...biases.map(Math.abs)),
    contacts: runs.reduce((a, r) => a + r.contacts, 0),
    failures: runs.filter((r) => !r.ok).map((r) => ({ name: r.name, reason: r.reason })),
    runs,
  };
  const file = path.join("build", "calibration.json");
  const summary = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  summary.firstLayerGapBiasUm = probe.firstLayerGapBiasUm;
  summary.probe = probe;
  fs.mkdirSync("build", { recursive: true });
  fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  console.log("");
  console.log("| figure | value | target |");
  console.log("|---|---|---|");
  console.log(`| firstLayerGapBiasUm (mean over ${ok.length} printers) | ${probe.firstLayerGapBiasUm.toFixed(1)} | within +-20 |`);
  console.log(`| firstLayerGapBiasUm largest | ${probe.firstLayerGapBiasUmMaxAbs.toFixed(1)} | <= 20 |`);
  console.log(`| contacts (probe tools) | ${probe.contacts} | 0 |`);
  console.log(`| failures (probe tools) | ${probe.failures.length} of ${runs.length} | 0 |`);
  for (const f of probe.failures) console.log(`  ${f.name}: ${f.reason}`);
}


// ---------------------------------------------------------------------------------------------
// Mesh bed leveling.
//
// Per printer: G28 W, G80 (V: each point's height), a first layer at 0.2 mm over the printable
// area (lines along X every 10 mm), and the model's truth: the first layer's true gap (its
// standard deviation: evenness), and the true bed at the 11 x 11 height grid. Prusa's algorithm
// is computed here on the very points G80 probed (3 x 3: quadratic Lagrange through each row
// and column, sampled onto 7 x 7 (mesh_bed_leveling.cpp upsample_3x3); 7 x 7: as probed; then
// bilinear lookup, extrapolating past the grid as its get_z does) and scored against the true
// grid: the spread of (true bed - correction) over the grid is the gap a first layer would
// vary by. Plumb's own surface is scored the same way (firstLayerGapRmsUm...Grid) besides the
// printed layer, so the two algorithms are compared on equal terms.
// meshPointErrorUmRms: G80 P4 (four passes averaged) against the true bed at each probed point,
// relative to the homing point (the common offset is the Z offset's business, not the mesh's).

const MK25 = "minirambo-mk25";
const LAYER_PITCH_MM = 10;

interface MeshPoint { c: number; r: number; x: number; y: number; z: number }

function meshPoints(out: string): MeshPoint[] {
  return [...out.matchAll(/echo:Point (\d),(\d) X(-?[\d.]+) Y(-?[\d.]+): mean (-?[\d.]+)/g)].map((m) => ({
    c: Number(m[1]), r: Number(m[2]), x: Number(m[3]), y: Number(m[4]), z: Number(m[5]),
  }));
}

/** Prusa's MK2 upsampling of 3 x 3 to 7 x 7: quadratic Lagrange along X, then along Y. */
function prusaUpsample(z: number[][]): number[][] {
  const lagrange = (a: number, b: number, c: number, s: number) =>
    (a * (s - 1) * (s - 2)) / 2 - b * s * (s - 2) + (c * s * (s - 1)) / 2; // through s = 0, 1, 2
  const rows = z.map((row) => Array.from({ length: 7 }, (_, k) => lagrange(row[0], row[1], row[2], k / 3)));
  return Array.from({ length: 7 }, (_, j) => Array.from({ length: 7 }, (_, k) => lagrange(rows[0][k], rows[1][k], rows[2][k], j / 3)));
}

/** Prusa's get_z: bilinear in the cell, the edge cells extended past the grid. */
function prusaGetZ(g: number[][], x0: number, x1: number, y0: number, y1: number, x: number, y: number): number {
  const n = g[0].length, m = g.length;
  const dx = (x1 - x0) / (n - 1), dy = (y1 - y0) / (m - 1);
  const i = Math.min(Math.max(Math.floor((x - x0) / dx), 0), n - 2);
  const j = Math.min(Math.max(Math.floor((y - y0) / dy), 0), m - 2);
  const s = (x - (x0 + i * dx)) / dx, t = (y - (y0 + j * dy)) / dy;
  const a = g[j][i] + (g[j][i + 1] - g[j][i]) * s;
  const b = g[j + 1][i] + (g[j + 1][i + 1] - g[j + 1][i]) * s;
  return a + (b - a) * t;
}

/** Plumb's surface (leveling/mesh.ts) in floating point: Catmull-Rom, edge nodes continued in a
 * straight line; past the grid the edge's value and slope continued for one grid step, then flat. */
function plumbZ(g: number[][], x0: number, x1: number, y0: number, y1: number, x: number, y: number): number {
  const n = g[0].length, m = g.length;
  const u = Math.min(Math.max(((x - x0) / (x1 - x0)) * (n - 1), -1), n);
  const v = Math.min(Math.max(((y - y0) / (y1 - y0)) * (m - 1), -1), m);
  const cu = Math.min(Math.max(u, 0), n - 1), cv = Math.min(Math.max(v, 0), m - 1);
  const a = Math.abs(u - cu), b = Math.abs(v - cv);
  const nu = cu === 0 ? 1 : n - 2, nv = cv === 0 ? 1 : m - 2;
  const at = (uu: number, vv: number) => plumbInside(g, uu, vv);
  const e = at(cu, cv);
  return e + a * (e - at(nu, cv)) + b * (e - at(cu, nv)) + a * b * (e - at(nu, cv) - at(cu, nv) + at(nu, nv));
}

/** The Catmull-Rom part at grid coordinates (u, v) inside the grid. */
function plumbInside(g: number[][], u: number, v: number): number {
  const n = g[0].length, m = g.length;
  const node = (c: number, r: number): number => {
    if (c < 0) return 2 * node(0, r) - node(1, r);
    if (c >= n) return 2 * node(n - 1, r) - node(n - 2, r);
    if (r < 0) return 2 * node(c, 0) - node(c, 1);
    if (r >= m) return 2 * node(c, m - 1) - node(c, m - 2);
    return g[r][c];
  };
  const cr = (p0: number, p1: number, p2: number, p3: number, t: number) =>
    p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
  const c = Math.min(Math.floor(u), n - 2), r = Math.min(Math.floor(v), m - 2);
  const row = (rr: number) => cr(node(c - 1, rr), node(c, rr), node(c + 1, rr), node(c + 2, rr), u - c);
  return cr(row(r - 1), row(r), row(r + 1), row(r + 2), v - r);
}

const sd = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
};

interface MeshRun {
  name: string;
  board: string;
  ok: boolean;
  reason?: string;
  g80Seconds?: number;
  firstLayerGapRmsUm?: number;
  gridGapRmsUm?: number;
  gridGapRmsUmPrusa?: number;
  gridInsideGapRmsUm?: number;
  gridInsideGapRmsUmPrusa?: number;
  pointErrorsUm?: number[];
  contacts: number;
}

async function meshRun(name: string, board: string, s: Scenario, n: number, calibrate: boolean): Promise<MeshRun> {
  const p = await HostPrinter.boot({ board, scenario: s });
  const fail = (reason: string): MeshRun => ({ name, board, ok: false, reason, contacts: readTruth(p.model).contacts });
  if (/Error/.test(p.command("G28 W"))) return fail("G28 W failed");
  if (calibrate && !/XYZ calibration ok/.test(p.command("M45", 3_000_000))) return fail("M45 failed");
  const t0 = p.nowNs;
  const g80 = p.command(`G80 V${n === 7 ? " N7" : ""}`, 600_000);
  const g80Seconds = (p.nowNs - t0) / 1e9;
  if (!/Mesh bed leveling on/.test(g80)) return fail(`G80: ${g80.split("\n").find((l) => l.startsWith("Error")) ?? "no mesh"}`);
  const pts = meshPoints(g80);
  const grid: number[][] = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => pts.find((q) => q.c === c && q.r === r)!.z));
  const x0 = pts[0].x, x1 = pts[n - 1].x, y0 = pts[0].y, y1 = pts[n * n - 1].y;
  // The first layer.
  p.command("M302 P1\nM83\nG1 Z5 F3000\nG1 X5 Y5 F6000\nG1 Z0.2 F600");
  const lines: string[] = [];
  let right = true;
  for (let y = 5; y <= 205; y += LAYER_PITCH_MM) {
    lines.push(`G1 Y${y} F6000`, `G1 X${right ? 245 : 5} E12 F3000`);
    right = !right;
  }
  p.command(lines.join("\n") + "\nM400", 1_200_000);
  const truth = readTruth(p.model, p.board.bed.printableMm);
  // The true bed on the height grid against each algorithm's correction there (machine = world:
  // no XYZ transform on the steel sheet; on the MK42 M45's skew is a few hundredths of a mm here).
  const hg = truth.heightGrid;
  const ours: number[] = [], prusa: number[] = [], oursIn: number[] = [], prusaIn: number[] = [];
  const prusaGrid = n === 3 ? prusaUpsample(grid) : grid;
  hg.rows.forEach((row, j) => row.forEach((h, i) => {
    const x = hg.xMm[0] + ((hg.xMm[1] - hg.xMm[0]) * i) / (row.length - 1);
    const y = hg.yMm[0] + ((hg.yMm[1] - hg.yMm[0]) * j) / (hg.rows.length - 1);
    const a = h - plumbZ(grid, x0, x1, y0, y1, x, y), b = h - prusaGetZ(prusaGrid, x0, x1, y0, y1, x, y);
    ours.push(a);
    prusa.push(b);
    // Inside the probed area: interpolation only (outside it both extend the edge's slope:
    // Plumb's surface its own for one grid step, Prusa's the edge cell's of its 7 x 7).
    if (x >= x0 && x <= x1 && y >= y0 && y <= y1) {
      oursIn.push(a);
      prusaIn.push(b);
    }
  }));
  // The probed points against the true bed, four passes averaged (a fresh G80 P4).
  p.command("G1 Z5 F3000");
  const averaged = meshPoints(p.command(`G80 V P4${n === 7 ? " N7" : ""}`, 2_400_000));
  const m = p.model as unknown as { bedHeightAt(x: number, y: number): number };
  const homeX = p.board.probe.safeHomeMm.x, homeY = p.board.probe.safeHomeMm.y;
  const errors = averaged.map((q) => q.z - (m.bedHeightAt(q.x, q.y) - m.bedHeightAt(homeX, homeY)));
  const meanError = errors.reduce((a, b) => a + b, 0) / Math.max(errors.length, 1);
  return {
    name, board, ok: true, g80Seconds,
    firstLayerGapRmsUm: truth.firstLayer.stdDevMm * 1000,
    gridGapRmsUm: sd(ours) * 1000,
    gridGapRmsUmPrusa: sd(prusa) * 1000,
    gridInsideGapRmsUm: sd(oursIn) * 1000,
    gridInsideGapRmsUmPrusa: sd(prusaIn) * 1000,
    pointErrorsUm: errors.map((e) => (e - meanError) * 1000),
    contacts: readTruth(p.model).contacts,
  };
}

async function meshBench(count: number, seed: number): Promise<Record<string, unknown>> {
  const lib = (f: string) => JSON.parse(fs.readFileSync(path.join("tests", "scenarios", `${f}.json`), "utf8")) as Scenario;
  const randoms = randomPrinters(count, seed + 1000);
  const steel: [string, Scenario][] = [["sv06-warp", lib("sv06-warp")], ["sv06-warp-measured", lib("sv06-warp-measured")], ["noisy-sensor", lib("noisy-sensor")]];
  randoms.forEach((s, i) => steel.push([`random-${seed + 1000}-${i + 1}`, s]));
  // The MK42: warped beds (the SV06's meshes on the MK2's PCB bed), then random printers, which
  // need M45 first (a bed shifted by millimetres puts the nominal targets beside the probe).
  const mk42: [string, Scenario, boolean][] = [
    ["mk42-sv06-warp", lib("sv06-warp"), false],
    ["mk42-sv06-measured-x2", { bed: { warp: { preset: "sv06-measured", scale: 2 } }, probe: { noiseMm: 0.005 } }, false],
  ];
  randoms.slice(0, Math.max(1, Math.floor(count / 2))).forEach((s, i) => mk42.push([`mk42-random-${seed + 1000}-${i + 1}`, s, true]));
  const runs: MeshRun[] = [];
  const show = (r: MeshRun) => console.log(`${r.name.padEnd(24)} ${r.board.padEnd(15)} ${r.ok ? "ok  " : "FAIL"} G80 ${r.g80Seconds?.toFixed(1) ?? "-"} s  layer ${r.firstLayerGapRmsUm?.toFixed(1) ?? "-"} um  grid ${r.gridGapRmsUm?.toFixed(1) ?? "-"} um  Prusa ${r.gridGapRmsUmPrusa?.toFixed(1) ?? "-"} um  inside ${r.gridInsideGapRmsUm?.toFixed(1) ?? "-"}/${r.gridInsideGapRmsUmPrusa?.toFixed(1) ?? "-"} um  points ${r.pointErrorsUm ? rms(r.pointErrorsUm).toFixed(1) : "-"} um  contacts ${r.contacts}${r.reason ? "  " + r.reason : ""}`);
  for (const [name, s] of steel) {
    const r = await meshRun(name, MK25, s, 7, false);
    runs.push(r);
    show(r);
  }
  const steel3 = await meshRun("sv06-warp-3x3", MK25, lib("sv06-warp"), 3, false);
  runs.push(steel3);
  show(steel3);
  for (const [name, s, calibrate] of mk42) {
    const r = await meshRun(name, "minirambo", s, 3, calibrate);
    runs.push(r);
    show(r);
  }
  const okSteel = runs.filter((r) => r.ok && r.board === MK25 && r.name !== "sv06-warp-3x3");
  const okMk42 = runs.filter((r) => r.ok && r.board === "minirambo");
  const median = (v: number[]) => percentile(v, 50);
  const out = {
    meshPrinters: runs.length,
    g80Seconds3x3: median(okMk42.map((r) => r.g80Seconds!)),
    g80Seconds3x3Sheet: steel3.g80Seconds,
    g80Seconds7x7: median(okSteel.map((r) => r.g80Seconds!)),
    firstLayerGapRmsUm: rms(okSteel.map((r) => r.firstLayerGapRmsUm!)),
    firstLayerGapRmsUmGrid: rms(okSteel.map((r) => r.gridGapRmsUm!)),
    firstLayerGapRmsUmPrusa: rms(okSteel.map((r) => r.gridGapRmsUmPrusa!)),
    firstLayerGapRmsUmInside: rms(okSteel.map((r) => r.gridInsideGapRmsUm!)),
    firstLayerGapRmsUmInsidePrusa: rms(okSteel.map((r) => r.gridInsideGapRmsUmPrusa!)),
    firstLayerGapRmsUmMk42: rms(okMk42.map((r) => r.firstLayerGapRmsUm!)),
    firstLayerGapRmsUmMk42Inside: rms(okMk42.map((r) => r.gridInsideGapRmsUm!)),
    firstLayerGapRmsUmMk42InsidePrusa: rms(okMk42.map((r) => r.gridInsideGapRmsUmPrusa!)),
    firstLayerGapRmsUmMk42Grid: rms(okMk42.map((r) => r.gridGapRmsUm!)),
    firstLayerGapRmsUmMk42Prusa: rms(okMk42.map((r) => r.gridGapRmsUmPrusa!)),
    meshPointErrorUmRms: rms(runs.filter((r) => r.ok).flatMap((r) => r.pointErrorsUm!)),
    meshContacts: runs.reduce((a, r) => a + r.contacts, 0),
    meshFailures: runs.filter((r) => !r.ok).map((r) => ({ name: r.name, reason: r.reason })),
    meshRuns: runs,
  };
  console.log("");
  console.log("| figure | value | Prusa's algorithm, same points | target |");
  console.log("|---|---|---|---|");
  console.log(`| g80Seconds3x3 (MK42, median) | ${out.g80Seconds3x3.toFixed(1)} | ~8 (user report) | <= 6 |`);
  console.log(`| g80Seconds7x7 (steel, median) | ${out.g80Seconds7x7.toFixed(1)} | ~72 (user report) | <= 40 |`);
  console.log(`| firstLayerGapRmsUm (steel 7x7, printed) | ${out.firstLayerGapRmsUm.toFixed(1)} | | <= 20 |`);
  console.log(`| firstLayerGapRmsUmGrid (steel 7x7, true grid) | ${out.firstLayerGapRmsUmGrid.toFixed(1)} | ${out.firstLayerGapRmsUmPrusa.toFixed(1)} | |`);
  console.log(`| firstLayerGapRmsUmInside (steel 7x7, true grid inside the probed area) | ${out.firstLayerGapRmsUmInside.toFixed(1)} | ${out.firstLayerGapRmsUmInsidePrusa.toFixed(1)} | |`);
  console.log(`| firstLayerGapRmsUmMk42Inside (true grid inside the probed area) | ${out.firstLayerGapRmsUmMk42Inside.toFixed(1)} | ${out.firstLayerGapRmsUmMk42InsidePrusa.toFixed(1)} | |`);
  console.log(`| firstLayerGapRmsUmMk42 (printed) | ${out.firstLayerGapRmsUmMk42.toFixed(1)} | | |`);
  console.log(`| firstLayerGapRmsUmMk42Grid (true grid) | ${out.firstLayerGapRmsUmMk42Grid.toFixed(1)} | ${out.firstLayerGapRmsUmMk42Prusa.toFixed(1)} | |`);
  console.log(`| meshPointErrorUmRms (P4) | ${out.meshPointErrorUmRms.toFixed(1)} | | <= 5 |`);
  console.log(`| contacts | ${out.meshContacts} | | 0 |`);
  console.log(`| failures | ${out.meshFailures.length} of ${runs.length} | | 0 |`);
  for (const f of out.meshFailures) console.log(`  ${f.name}: ${f.reason}`);
  return out;
}


// --probe-only: the probe tools alone; --only mesh: the mesh alone (main() returns after it).
if (!process.argv.includes("--probe-only")) await main();
if (!(process.argv.includes("--only") && process.argv[process.argv.indexOf("--only") + 1] === "mesh")) await probeSection();
