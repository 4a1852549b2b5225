// npm run bench:calibration: M45 on random printers from the seeded generator (and the scenario
// library's calibration cases) in the host runner, scored against the model's truth. Writes
// build/calibration.json and prints the table.
//
//   npx tsx tools/bench/calibration.ts [--count 30] [--seed 1] [--only perfect,random-1-4] [--wasm FILE]
//
// Figures (issue 10): skewErrorDegP50/P95 (fitted skew a2 - a1 against the model's), centreErrorMmRms
// (fitted target centres, machine mm, against the carriage positions that truly put the probe over
// them), referenceHeightErrorUmRms (the stored switching heights against a noise-free probe of the
// same printer at the true centres, in the firmware's Z frame), m45PrinterSecondsMedian/Max
// (simulated time of the whole M45), contacts (nozzle touching the bed), failures with reasons.

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
  fs.mkdirSync("build", { recursive: true });
  fs.writeFileSync(path.join("build", "calibration.json"), JSON.stringify(summary, null, 2));
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

await main();
