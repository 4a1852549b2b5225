// The probe tools in the host runner (the same module and printer model as simavr): G30, M48 and
// PROBE_ACCURACY, the guided Z offset (PROBE_CALIBRATE, TESTZ, ACCEPT, ABORT) with the test
// playing the owner and a sheet of paper, and what bad input and M112 do. The model's truth says
// whether the nozzle touched the bed and how thick the first layer really was.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { HostPrinter } from "../../hal/host/hal.ts";
import { readTruth } from "../../tools/sim/truth.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const scenario = (name: string) => JSON.parse(fs.readFileSync(path.join("tests", "scenarios", `${name}.json`), "utf8")) as Scenario;
const lines = (o: string) => o.split("\n").filter((l) => l && !l.startsWith("echo:busy"));
/** The centre induction target of the MK42 (the sensor over it), bed mm. */
const CENTRE = { x: 137, y: 105 };

async function homed(s: Scenario = {}): Promise<HostPrinter> {
  const p = await HostPrinter.boot({ scenario: s });
  const o = p.command("G28");
  assert.doesNotMatch(o, /Error/);
  return p;
}

/**
 * The owner's paper test: lower 0.05 mm at a time (less than the sheet, so the nozzle meets the
 * paper before the bed) until the paper drags (the true gap is under the
 * sheet), then bisect with Z=+ / Z=- eight times, and end on a height where it drags.
 */
function paperTest(p: HostPrinter, paperMm: number): void {
  const drags = () => p.model.clearance() < paperMm;
  for (let i = 0; i < 80 && !drags(); i++) assert.doesNotMatch(p.command("TESTZ Z=-0.05"), /Error/);
  assert.ok(drags(), "the paper drags before TESTZ reaches its floor");
  for (let i = 0; i < 8; i++) p.command(drags() ? "TESTZ Z=+" : "TESTZ Z=-");
  for (let i = 0; i < 4 && !drags(); i++) p.command("TESTZ Z=-");
  assert.ok(drags());
}

/** A 100 x 100 mm square of first layer at `z`, extruding cold (M302 P1): the model measures the gap. */
function firstLayer(p: HostPrinter, z: number): void {
  const o = p.command(`M302 P1\nG92 E0\nG1 Z${z} F600\nG1 X60 Y60 F6000\nG1 X160 Y60 E5 F1200\nG1 X160 Y160 E10\nG1 X60 Y160 E15\nG1 X60 Y60 E20\nG1 Z5\nM400`);
  assert.doesNotMatch(o, /Error/);
}

test("G30 prints Marlin's Bed X Y Z line, the bed at 0 where Z was homed", async () => {
  const p = await homed();
  const o = lines(p.command("G30"));
  // After G28 the sensor is over the homing point (the front-centre target, board.json safeHomeMm).
  const m = /^Bed X: 137\.00 Y: 7\.00 Z: (-?\d+\.\d+)$/.exec(o[0]);
  assert.ok(m, o.join("\n"));
  assert.ok(Math.abs(Number(m[1])) <= 0.003, m[1]);
  const c = lines(p.command(`G30 X${CENTRE.x} Y${CENTRE.y}`));
  assert.match(c[0], /^Bed X: 137\.00 Y: 105\.00 Z: -?0\.00\d$/);
  assert.equal(readTruth(p.model).contacts, 0);
});

test("PROBE answers in Klipper's words", async () => {
  const p = await homed();
  assert.match(lines(p.command(`PROBE X=${CENTRE.x} Y=${CENTRE.y}`))[0], /^probe at 137\.00,105\.00 is z=-?0\.00\d*$/);
});

test("M48 on an ideal sensor prints Marlin's lines, Klipper's summary with a zero range, and the ok verdict", async () => {
  const p = await homed();
  const o = lines(p.command(`M48 P5 X${CENTRE.x} Y${CENTRE.y}`));
  assert.equal(o[0], "M48 Z-Probe Repeatability Test");
  for (let i = 1; i <= 5; i++) assert.match(o[i], new RegExp(`^${i} of 5: z: -?0\\.0\\d\\d$`));
  assert.equal(o[6], "Finished!");
  assert.match(o[7], /^Mean: -?0\.0\d* Min: -?0\.0\d* Max: -?0\.0\d* Range: 0\.000$/);
  assert.equal(o[8], "Standard Deviation: 0.000000");
  assert.match(o[9], /^probe accuracy results: maximum \S+, minimum \S+, range 0\.000000, average \S+, median \S+, standard deviation 0\.000000$/);
  assert.match(o[10], /^echo:Probe repeatability ok: range 0\.000 mm \(at most 0\.025 mm\)$/);
  assert.equal(o[11], "ok");
});

test("M48 on the noisy sensor reports a standard deviation within 20 % of the model's noise, and the warning", async () => {
  const s = scenario("noisy-sensor");
  const p = await homed(s);
  const o = p.command(`M48 P50 X${CENTRE.x} Y${CENTRE.y}`);
  const sd = Number(/^Standard Deviation: (\S+)$/m.exec(o)![1]);
  const noise = s.probe!.noiseMm!;
  assert.ok(Math.abs(sd - noise) <= 0.2 * noise, `standard deviation ${sd} against the model's ${noise}`);
  // Klipper's summary agrees with Marlin's lines.
  const k = /^probe accuracy results: maximum (\S+), minimum (\S+), range (\S+), average (\S+), median (\S+), standard deviation (\S+)$/m.exec(o)!;
  assert.ok(k, o);
  const [max, min, range, , , sd2] = k.slice(1).map(Number);
  assert.ok(Math.abs(max - min - range) < 1e-5);
  assert.ok(Math.abs(sd2 - sd) < 1e-5);
  assert.ok(range > 0.025);
  assert.match(o, /^echo:Warning: probe repeatability not sufficient for bed leveling: range 0\.\d+ mm, over 0\.025 mm/m);
  assert.equal(readTruth(p.model).contacts, 0);
});

test("PROBE_ACCURACY SAMPLES= prints one Klipper line per probe and the summary", async () => {
  const p = await homed();
  const o = lines(p.command(`PROBE_ACCURACY SAMPLES=4 X=${CENTRE.x} Y=${CENTRE.y}`));
  assert.equal(o[0], "PROBE_ACCURACY at X:137.00 Y:105.00 (samples=4)");
  for (let i = 1; i <= 4; i++) assert.match(o[i], /^probe at 137\.00,105\.00 is z=/);
  assert.match(o[5], /^probe accuracy results: maximum /);
});

test("bad probe commands are refused with a reason and nothing moves", async () => {
  const p = await homed();
  const before = [0, 1, 2].map((a) => p.axisMm(a));
  const cases: [string, RegExp][] = [
    ["M48 P3", /^Error:M48 P must be a whole number from 4 to 50; nothing probed$/m],
    ["M48 P51", /^Error:M48 P must be a whole number from 4 to 50/m],
    ["M48 P4.5", /^Error:M48 P must be a whole number/m],
    ["PROBE_ACCURACY SAMPLES=2", /^Error:SAMPLES must be a whole number from 4 to 50; nothing probed$/m],
    ["PROBE_ACCURACY SPEED=5", /^Error:Malformed parameter in "PROBE_ACCURACY SPEED=5"/m],
    ["G30 X300 Y105", /^Error:The probe cannot reach that point/m],
    ["G30 X", /^Error:X and Y need a number/m],
    ["TESTZ Z=-0.1", /^Error:TESTZ needs an open Z offset calibration/m],
    ["ACCEPT", /^Error:ACCEPT needs an open Z offset calibration/m],
    ["PROBE_CALIBRATE PAPER=2", /^Error:PAPER must be the sheet's thickness, 0 to 0\.5 mm; nothing started$/m],
    ["PROBE_CALIBRATE X=10 Y=105", /^Error:The probe cannot reach that point/m],
    ["PROBE_BIAS_CHECK POINTS=5", /^Error:POINTS must be 4 \(the corner targets\) or 9 \(all nine\); nothing started$/m],
    ["PROBE_BIAS_CHECK POINTS=", /^Error:Malformed parameter in "PROBE_BIAS_CHECK POINTS="/m],
  ];
  for (const [cmd, expected] of cases) assert.match(p.command(cmd), expected, cmd);
  assert.deepEqual([0, 1, 2].map((a) => p.axisMm(a)), before);
  assert.match(p.command("ABORT"), /^echo:No Z offset calibration is open$/m);
});

test("probing before homing is refused", async () => {
  const p = await HostPrinter.boot();
  assert.match(p.command("G30"), /^Error:Probing needs X, Y and Z homed \(G28 first\); nothing probed$/m);
  assert.match(p.command("M48"), /^Error:Probing needs X, Y and Z homed/m);
  assert.match(p.command("PROBE_CALIBRATE"), /^Error:Probing needs X, Y and Z homed/m);
});

test("the guided Z offset finds a wrong offset with the owner's paper: the first layer is then 0.2 mm", async () => {
  // The probe switches 0.55 mm over the bed; the firmware believes 0.4 (board.json).
  const p = await homed({ probe: { triggerMm: 0.55 } });
  firstLayer(p, 0.2);
  const before = readTruth(p.model).firstLayer.meanMm;
  assert.ok(Math.abs(before - 0.35) < 0.005, `before: ${before}`);
  const start = lines(p.command(`PROBE_CALIBRATE X=${CENTRE.x} Y=${CENTRE.y} PAPER=0.09`));
  assert.match(start[0], /^echo:Probe switched over X137\.00 Y105\.00: the nozzle is now over that spot/);
  assert.match(start[1], /^Z position: \? --> 1\.000? <-- \?$/);
  paperTest(p, 0.09);
  const a = p.command("ACCEPT");
  const m = /^echo:Probe Z offset: M851 Z(-0\.\d+) \(the probe switches 0\.\d+ mm over the bed\)/m.exec(a);
  assert.ok(m, a);
  assert.ok(Math.abs(Number(m[1]) + 0.55) <= 0.01, m[1]);
  assert.match(p.command("M503"), /M851 X23(\.0*)? Y9(\.0*)? Z-0\.5\d/);
  const t0 = readTruth(p.model);
  firstLayer(p, 0.2);
  const t = readTruth(p.model);
  const after = (t.firstLayer.meanMm * t.firstLayer.samples - t0.firstLayer.meanMm * t0.firstLayer.samples) / (t.firstLayer.samples - t0.firstLayer.samples);
  assert.ok(Math.abs(after - 0.2) <= 0.02, `after: ${after}`);
  assert.equal(t.contacts, 0, "the nozzle touched the paper, never the bed");
  // Saved with M500, it holds after a restart: homing with it gives the same first layer.
  assert.match(p.command("M500"), /echo:Settings stored/);
  const q = await HostPrinter.boot({ scenario: { probe: { triggerMm: 0.55 } }, eeprom: p.eeprom });
  assert.doesNotMatch(q.command("G28"), /Error/);
  firstLayer(q, 0.2);
  const r = readTruth(q.model).firstLayer.meanMm;
  assert.ok(Math.abs(r - 0.2) <= 0.02, `after a restart: ${r}`);
  assert.equal(readTruth(q.model).contacts, 0);
});

test("TESTZ bisects between the heights tried, as Klipper's Z=+ and Z=- do", async () => {
  const p = await homed();
  p.command(`PROBE_CALIBRATE X=${CENTRE.x} Y=${CENTRE.y}`);
  assert.match(p.command("TESTZ Z=-0.4"), /^Z position: \? --> 0\.600 <-- 1\.000$/m);
  assert.match(p.command("TESTZ Z=-0.2"), /^Z position: \? --> 0\.400 <-- 0\.600$/m);
  // Halfway up to the nearest height tried above, then halfway down to the nearest below.
  assert.match(p.command("TESTZ Z=+"), /^Z position: 0\.400 --> 0\.500 <-- 0\.600$/m);
  assert.match(p.command("TESTZ Z=-"), /^Z position: 0\.400 --> 0\.450 <-- 0\.500$/m);
  // Nothing tried below 0.4: down by half the last step (0.45 to 0.4), never more than half the paper.
  p.command("TESTZ Z=-0.05");
  assert.match(p.command("TESTZ Z=-"), /^Z position: \? --> 0\.375 <-- 0\.400$/m);
  p.command("TESTZ Z=-0.275");
  assert.match(p.command("TESTZ Z=-"), /^Z position: \? --> 0\.050 <-- 0\.100$/m);
  // ++: halfway to the highest height tried (1.0), at most Klipper's 0.2 mm.
  assert.match(p.command("TESTZ Z=++"), /^Z position: 0\.100 --> 0\.250 <-- 0\.375$/m);
});

test("TESTZ keeps the height above the nozzle however many steps the bisection takes: Z=+ never jumps past it", async () => {
  const p = await homed();
  p.command(`PROBE_CALIBRATE X=${CENTRE.x} Y=${CENTRE.y}`);
  assert.match(p.command("TESTZ Z=-0.4"), /^Z position: \? --> 0\.600 <-- 1\.000$/m);
  // Five steps up, each halfway to 1.000: six heights tried below it, 1.000 the oldest of all.
  for (const z of ["0.800", "0.900", "0.950", "0.975"]) assert.match(p.command("TESTZ Z=+"), new RegExp(`--> ${z.replace(".", "\\.")} <-- 1\\.000$`, "m"));
  assert.match(p.command("TESTZ Z=+"), /--> 0\.98\d <-- 1\.000$/m);
  const z = p.axisMm(2);
  // The sixth goes halfway to 1.000 again, not 0.2 mm up (Klipper's largest step) past it.
  p.command("TESTZ Z=+");
  assert.ok(p.axisMm(2) > z && p.axisMm(2) < 1, `from ${z} to ${p.axisMm(2)}`);
  // A step that lands on a height already tried (under one Z step) is not kept twice.
  assert.match(p.command("TESTZ Z=-0.0001"), /<-- 1\.000$/m);
  p.command("ABORT");
});

test("TESTZ refuses to go more than 0.5 mm under where the probe says the bed is; ABORT changes nothing", async () => {
  const p = await homed();
  const offset = /M851 X\S+ Y\S+ Z(\S+)/.exec(p.command("M503"))![1];
  p.command(`PROBE_CALIBRATE X=${CENTRE.x} Y=${CENTRE.y}`);
  p.command("TESTZ Z=-1");
  const z = p.axisMm(2);
  assert.match(p.command("TESTZ Z=-0.6"), /^Error:TESTZ refused: Z -0\.6\d* is more than 0\.5 mm under where the probe says the bed is/m);
  assert.equal(p.axisMm(2), z, "not moved");
  assert.match(p.command("TESTZ Z=abc"), /^Error:Malformed parameter/m);
  assert.match(p.command("ABORT"), /^echo:Z offset calibration aborted; nothing changed$/m);
  assert.equal(/M851 X\S+ Y\S+ Z(\S+)/.exec(p.command("M503"))![1], offset);
  assert.match(p.command("TESTZ Z=-0.1"), /^Error:TESTZ needs an open Z offset calibration/m);
  assert.equal(readTruth(p.model).contacts, 0);
});

test("the location bias check measures the switching height at the four corners as the model has it, and prints the M421 lines", async () => {
  const p = await homed(scenario("location-bias"));
  const PAPER = 0.09;
  let o = p.command(`PROBE_BIAS_CHECK PAPER=${PAPER}`);
  const corners = [
    [35, 7],
    [238, 7],
    [35, 203],
    [238, 203],
  ];
  const names = ["front left", "front right", "rear left", "rear right"];
  const measured: number[] = [];
  for (let k = 0; k < 4; k++) {
    assert.match(o, new RegExp(`^echo:Location bias check: corner ${k + 1} of 4 \\(${names[k]}\\)$`, "m"));
    assert.match(o, new RegExp(`^echo:Probe switched over X${corners[k][0]}\\.00 Y${corners[k][1]}\\.00: the nozzle is now over that spot`, "m"));
    paperTest(p, PAPER);
    o = p.command("ACCEPT");
    const m = new RegExp(`^echo:${names[k]}: the probe switches (\\S+) mm over the bed$`, "m").exec(o);
    assert.ok(m, o);
    measured.push(Number(m[1]));
  }
  // The model's switching height with the sensor over each corner target (its location bias in).
  const truth = corners.map(([x, y]) => p.model.triggerHeightAtMachine(x - 23, y - 9));
  // One probe per corner with the scenario's 5 um noise, the paper found within 2.5 um.
  measured.forEach((v, k) => assert.ok(Math.abs(v - truth[k]) <= 0.015, `${names[k]}: ${v} against ${truth[k]}`));
  const range = Math.max(...measured) - Math.min(...measured);
  assert.ok(Math.max(...truth) - Math.min(...truth) > 0.025, "the scenario's bias is over the guide's limit");
  assert.match(o, new RegExp(`^echo:Warning: the probe is biased by place: range ${range.toFixed(3)} mm, over 0\\.025 mm`, "m"));
  const mean = measured.reduce((a, b) => a + b) / 4;
  const lines = [...o.matchAll(/^echo:M421 I(\d) J(\d) Z(\S+)$/gm)];
  assert.equal(lines.length, 4);
  lines.forEach((l, k) => {
    assert.deepEqual([Number(l[1]), Number(l[2])], [(k & 1) * 2, (k >> 1) * 2]);
    assert.ok(Math.abs(Number(l[3]) - (mean - measured[k])) <= 0.0015, l[0]);
  });
  // Nothing of the settings changed; the nozzle never touched the bed.
  assert.match(p.command("M503"), /M851 X23(\.0*)? Y9(\.0*)? Z-0\.4(0*)?\b/);
  assert.equal(readTruth(p.model).contacts, 0);
  assert.match(p.command("TESTZ Z=-0.1"), /^Error:TESTZ needs an open Z offset calibration/m);
});

test("ABORT ends the location bias check without a report", async () => {
  const p = await homed();
  p.command("PROBE_BIAS_CHECK");
  assert.match(p.command("PROBE_CALIBRATE"), /^Error:A Z offset calibration is already open/m);
  const o = p.command("ABORT");
  assert.match(o, /^echo:Location bias check aborted; nothing changed$/m);
  assert.match(p.command("ACCEPT"), /^Error:ACCEPT needs an open Z offset calibration/m);
});

test("heat soak over a hot bed probes until the readings stop drifting, and stops where they have settled", async () => {
  // A cold sensor over a bed at 92 C: it warms towards 50 C with a 60 s lag and reaches less far.
  const p = await homed({ bed: { temperatureC: 92 }, temperatures: { bed: 92 }, probe: { temperatureC: 22, noiseMm: 0.005 } });
  p.command("M140 S92");
  const o = p.command(`PROBE_HEAT_SOAK X=${CENTRE.x} Y=${CENTRE.y}`, 2_000_000);
  const readings = [...o.matchAll(/^echo:Heat soak (\d+) s: z=(\S+)(?: drift (\S+) um\/min)?$/gm)];
  assert.ok(readings.length >= 12, o);
  const done = /^echo:Heat soak done after (\d+) s: drift (\S+) um\/min \(at most 5\); the reading moved (\S+) mm while soaking$/m.exec(o);
  assert.ok(done, o);
  assert.ok(Math.abs(Number(done[2])) <= 5);
  assert.ok(Number(done[3]) < -0.05, "the sensor's warming was seen");
  // Settled: the readings after it agree with the last one.
  const last = Number(readings[readings.length - 1][2]);
  const after = Number(/^Mean: (\S+)/m.exec(p.command(`M48 P10 X${CENTRE.x} Y${CENTRE.y}`))![1]);
  assert.ok(Math.abs(after - last) <= 0.01, `after ${after}, last soak reading ${last}`);
  const t = readTruth(p.model);
  assert.ok(t.probe.temperatureC > 48, `sensor at ${t.probe.temperatureC} C`);
  assert.equal(t.contacts, 0);
});

test("the temperature bias check measures accuracy cold and hot and reports the drift the model's sensor has", async () => {
  const p = await homed({ probe: { noiseMm: 0.005 } });
  // The model's heater and its bed plate are apart (the plate's temperature, which the sensor and
  // the thermal warp follow, is a scenario value), and the host runner runs a command to its end
  // in one go: the plate is put at 92 C as the command starts. The sensor warms only from then
  // (60 s lag), so the cold probes (a few seconds) see it within 3 C of the room's: at most 10 um.
  p.takeOutput();
  p.model.setBedTemperatureC(92);
  const o = p.command(`PROBE_TEMPERATURE_CHECK BED=92 SAMPLES=5 X=${CENTRE.x} Y=${CENTRE.y}`, 2_000_000);
  assert.match(o, /^echo:Temperature bias check: probe accuracy with the bed cold$/m);
  assert.equal([...o.matchAll(/^probe accuracy results: /gm)].length, 2);
  assert.match(o, /^echo:Heat soak done after \d+ s/m);
  const m = /^echo:Temperature bias: the probe reads the bed (\S+) mm (higher|lower) with the bed at 9\d C than at 2\d C \(range cold \S+, hot \S+ mm\)$/m.exec(o);
  assert.ok(m, o);
  const drift = (m[2] === "higher" ? 1 : -1) * Number(m[1]);
  const t = readTruth(p.model);
  // The sensor reaches driftMm less far hot: the probe switches that much lower.
  assert.ok(Math.abs(drift + t.probe.driftMm) <= 0.015, `reported ${drift}, the model's ${t.probe.driftMm}`);
  assert.ok(t.probe.driftMm > 0.1);
  assert.match(o, /^echo:Warning: the probe's reading moves with temperature/m);
  assert.equal(t.contacts, 0);
});

test("the temperature bias check refuses a missing or too high bed temperature and a bed already warm", async () => {
  const p = await homed();
  assert.match(p.command("PROBE_TEMPERATURE_CHECK"), /^Error:PROBE_TEMPERATURE_CHECK needs BED=<C>/m);
  assert.match(p.command("PROBE_TEMPERATURE_CHECK BED=500"), /^Error:PROBE_TEMPERATURE_CHECK needs BED=<C>/m);
  assert.match(p.command("PROBE_TEMPERATURE_CHECK BED=25"), /^Error:The bed is at 2\d\.\d C: let it cool at least 10 C under BED=/m);
  assert.match(p.command("M105"), /B:2\d\.\d+ \/0/);
});

test("heat soak on the library's hot-bed and drifting-sensor scenarios: it waits while the sensor warms, and not when it has settled", async () => {
  // hot-bed: a 60 C bed under a sensor at room temperature (it warms towards 37 C: 60 um less reach).
  const hot = await homed(scenario("hot-bed"));
  const a = hot.command(`PROBE_HEAT_SOAK X=${CENTRE.x} Y=${CENTRE.y}`, 2_000_000);
  const doneHot = /^echo:Heat soak done after (\d+) s: drift (\S+) um\/min \(at most 5\); the reading moved (\S+) mm/m.exec(a);
  assert.ok(doneHot, a);
  assert.ok(Number(doneHot[3]) < -0.02, `moved ${doneHot[3]}`);
  assert.ok(Number(doneHot[1]) > 110, "waited past the first window");
  // drifting-sensor: the sensor already sits at its temperature over the 92 C bed: done at the
  // first full window (12 readings, 110 s).
  const settled = await homed(scenario("drifting-sensor"));
  const b = settled.command(`PROBE_HEAT_SOAK X=${CENTRE.x} Y=${CENTRE.y}`, 2_000_000);
  const doneSettled = /^echo:Heat soak done after (\d+) s/m.exec(b);
  assert.ok(doneSettled, b);
  assert.equal(Number(doneSettled[1]), 110);
  assert.equal(readTruth(hot.model).contacts + readTruth(settled.model).contacts, 0);
});

test("a probe that does not switch above the floor latches the fault, with the nozzle clear of the bed", async () => {
  // The offset says the probe switches 0.05 mm over the bed where it switches at 0.4 (over a copper
  // target): homed with it, the firmware's Z counts 0.35 mm under the truth, and at the next target
  // the probe would switch at Z 0.05 +- the bed's flatness, under its floor of 0.08.
  const p = await HostPrinter.boot();
  p.command("M851 Z-0.05");
  assert.doesNotMatch(p.command("G28"), /Error/);
  const o = p.command(`G30 X${CENTRE.x} Y${CENTRE.y}`);
  assert.match(o, /^echo:Probe at X137\.00 Y105\.00: no switch above the floor$/m);
  assert.match(o, /^Error:Probe did not switch above the bed \(is it connected\? set at the right height\?\); stopped above the bed$/m);
  assert.match(o, /^Error:Printer stopped due to errors\. Fix the error and use M999 to restart\.$/m);
  assert.doesNotMatch(o, /^Bed X:/m);
  assert.match(p.command("M48"), /^Error:Printer halted by a fault \(Probe did not switch/m);
  const t = readTruth(p.model);
  assert.equal(t.contacts, 0);
  assert.ok(t.minClearanceMm > 0.3, `closest ${t.minClearanceMm} mm`);
});

test("on the MK42 the probe tools refuse points off the induction targets, where a weak sensor would let the nozzle touch first", async () => {
  // The weak sensor switches 0.19 mm over a target and under the bed over the heating meander;
  // with the board's offset (0.4 mm) the firmware's Z counts 0.21 mm over the truth, so no floor
  // would keep the nozzle off the bed at X100 Y100.
  const p = await HostPrinter.boot({ scenario: scenario("weak-sensor") });
  assert.doesNotMatch(p.command("G28"), /Error/);
  for (const line of ["G30 X100 Y100", "M48 P4 X100 Y100", "PROBE X=100 Y=100", "PROBE_ACCURACY SAMPLES=4 X=140 Y=105", "PROBE_CALIBRATE X=100 Y=100"]) {
    const o = p.command(line);
    assert.match(o, /^Error:On the MK42 bed the probe reads true only over its nine induction targets \(the nearest: X\d+ Y\d+\); nothing probed$/m, line);
    assert.doesNotMatch(o, /^Bed X:|Mean:|probe at/m, line);
  }
  assert.match(p.command("G30 X100 Y100"), /the nearest: X137 Y105\)/);
  // Over a target the same sensor measures, and the printer is not halted.
  assert.match(p.command(`G30 X${CENTRE.x} Y${CENTRE.y}`), /^Bed X: 137\.00 Y: 105\.00 Z: /m);
  const t = readTruth(p.model);
  assert.equal(t.contacts, 0);
});

test("after a fault and M999 the open Z offset calibration is closed: ACCEPT sets nothing", async () => {
  const p = await HostPrinter.boot();
  p.command("M851 Z-0.2");
  assert.doesNotMatch(p.command("G28"), /Error/);
  assert.match(p.command(`PROBE_CALIBRATE X=${CENTRE.x} Y=${CENTRE.y}`), /^Z position: /m);
  p.command("TESTZ Z=-0.5");
  // A probe failure latches the fault (see above): the PINDA slips 0.5 mm up in its clamp after
  // one more switch (Param.SlipMm, SlipAfterProbes); M999 clears it, and no axis is homed after it.
  p.model.setParam(63, 0.5);
  p.model.setParam(64, 1);
  assert.match(p.command(`G30 X${CENTRE.x} Y${CENTRE.y}`), /^Bed X: /m);
  assert.match(p.command(`G30 X${CENTRE.x} Y${CENTRE.y}`), /^Error:Probe did not switch/m);
  assert.match(p.command("M999"), /^echo:Fault cleared/m);
  assert.match(p.command("ACCEPT"), /^Error:The axes are no longer homed: the Z offset calibration is closed; nothing changed$/m);
  assert.match(p.command("M503"), /M851 X23(\.0*)? Y9(\.0*)? Z-0\.2(0*)?\b/);
  assert.match(p.command("TESTZ Z=-0.1"), /^Error:TESTZ needs an open Z offset calibration/m);
});
