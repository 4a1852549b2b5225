// The printer model alone: the bed, the inductive sensor, the machine geometry and the truth
// report, against numbers worked out here from the scenario (not read back from the model).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ModelRig } from "./modelRig.ts";
import { readTruth } from "../../tools/sim/truth.ts";
import { HostPrinter } from "../../hal/host/hal.ts";
import type { Scenario } from "../../tools/sim/config.ts";
import { flashTables, loadBoard, readBoardKeys } from "../../tools/build/board.ts";
import { modelParams } from "../../tools/sim/scenario.ts";

const X = 0, Y = 1, Z = 2;
const OFFSET = { x: 23, y: 9 }; // boards/minirambo probe.offsetMm
/** Nominal sensor: reach over copper = mount 1.0 + trigger 0.4; over the meander 0.8 of it. */
const COPPER_REACH = 1.4;
const MEANDER_REACH = 1.4 * 0.8;
const MOUNT = 1.0;

/** Share of an r-disc covered by another r-disc whose centre is d away (the lens of two equal circles). */
function equalDiscOverlap(d: number, r: number): number {
  if (d >= 2 * r) return 0;
  const lens = 2 * r * r * Math.acos(d / (2 * r)) - (d / 2) * Math.sqrt(4 * r * r - d * d);
  return lens / (Math.PI * r * r);
}

function scenario(name: string): Scenario {
  return JSON.parse(fs.readFileSync(path.join("tests", "scenarios", `${name}.json`), "utf8")) as Scenario;
}

/** A library scenario with its trigger noise taken out, to check a profile to the step. */
function noiseless(name: string): Scenario {
  const s = scenario(name);
  return { ...s, probe: { ...s.probe, noiseMm: 0 } };
}

/** Puts the sensor's axis over bed (x, y) on a square printer and probes down from 3 mm. */
function triggerAt(rig: ModelRig, x: number, y: number): number | null {
  rig.moveTo(Z, 3);
  rig.liftUntilOpen();
  rig.moveTo(X, x - OFFSET.x);
  rig.moveTo(Y, y - OFFSET.y);
  return rig.probeDown();
}

test("the sensor switches highest over a target's centre, lower across its edge, lowest over the meander", async () => {
  const rig = await ModelRig.create();
  const centre = triggerAt(rig, 137, 105)!;
  assert.ok(Math.abs(centre - (COPPER_REACH - MOUNT)) < 0.0005, `centre ${centre}`);
  // Sensor axis over the target's rim (4 mm from its centre): the footprint covers 39 % copper.
  const edge = triggerAt(rig, 141, 105)!;
  const expectedEdge = MEANDER_REACH + (COPPER_REACH - MEANDER_REACH) * equalDiscOverlap(4, 4) - MOUNT;
  assert.ok(Math.abs(edge - expectedEdge) < 0.0005, `edge ${edge}, expected ${expectedEdge}`);
  // Halfway between four targets, far from the screws: only the meander answers.
  const meander = triggerAt(rig, 86, 56)!;
  assert.ok(Math.abs(meander - (MEANDER_REACH - MOUNT)) < 0.0005, `meander ${meander}`);
  assert.ok(centre > edge && edge > meander);
  assert.equal(readTruth(rig.m).contacts, 0, "a nominal sensor never lets the nozzle touch");
});

test("a bed screw makes the sensor switch higher near it than over the bare meander", async () => {
  const rig = await ModelRig.create();
  const nearScrew = triggerAt(rig, 248, 213 - 4)!; // 4 mm from the back-right screw
  const meander = triggerAt(rig, 86, 56)!;
  assert.ok(nearScrew > meander + 0.1, `near the screw ${nearScrew}, meander ${meander}`);
});

test("a weak sensor still switches over a target, but over the meander only after the nozzle touched", async () => {
  const rig = await ModelRig.create(noiseless("weak-sensor"));
  const centre = triggerAt(rig, 137, 105)!;
  assert.ok(Math.abs(centre - (COPPER_REACH * 0.85 - MOUNT)) < 0.0005, `centre ${centre}`);
  assert.equal(readTruth(rig.m).contacts, 0);
  const meander = triggerAt(rig, 86, 56)!;
  assert.ok(Math.abs(meander - (MEANDER_REACH * 0.85 - MOUNT)) < 0.0005, `meander ${meander}`);
  assert.ok(meander < 0, "switches below the bed surface");
  const truth = readTruth(rig.m);
  assert.equal(truth.contacts, 1, "the nozzle touched the bed once");
  assert.ok(truth.minClearanceMm < 0);
});

test("over the MK2.5's steel sheet the sensor switches at the same height everywhere", async () => {
  const rig = await ModelRig.create({}, { x: 100, y: 100, z: 5 }, "minirambo-mk25");
  const a = triggerAt(rig, 137, 105)!;
  const b = triggerAt(rig, 86, 56)!;
  assert.ok(Math.abs(a - 0.4) < 0.0005 && Math.abs(b - 0.4) < 0.0005, `${a} ${b}`);
});

test("over 1,000 probes the trigger noise and the hysteresis match their parameters", async () => {
  const noise = 0.01, hysteresis = 0.15;
  const rig = await ModelRig.create({ probe: { noiseMm: noise, hysteresisMm: hysteresis, seed: 42 } });
  rig.moveTo(X, 137 - OFFSET.x);
  rig.moveTo(Y, 105 - OFFSET.y);
  rig.moveTo(Z, 0.6);
  const triggers: number[] = [];
  const gaps: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const down = rig.probeDown()!;
    const up = rig.liftUntilOpen()!;
    triggers.push(down);
    gaps.push(up - down);
    rig.moveTo(Z, 0.6);
  }
  const mean = triggers.reduce((a, b) => a + b, 0) / triggers.length;
  const sd = Math.sqrt(triggers.reduce((a, b) => a + (b - mean) ** 2, 0) / (triggers.length - 1));
  // Mean within 4 standard errors (0.0013 mm); standard deviation within 10 % (its own standard
  // error is 2.2 % at n = 1000).
  assert.ok(Math.abs(mean - 0.4) < 4 * (noise / Math.sqrt(1000)), `mean ${mean}`);
  assert.ok(Math.abs(sd - noise) < 0.1 * noise, `standard deviation ${sd}`);
  // Each release is the hysteresis above its own trigger, to one step (0.25 um).
  for (const g of gaps) assert.ok(Math.abs(g - hysteresis) <= 0.0003, `released ${g} mm above the trigger`);
  // The same seed gives the same probes.
  const again = await ModelRig.create({ probe: { noiseMm: noise, hysteresisMm: hysteresis, seed: 42 } });
  again.moveTo(X, 137 - OFFSET.x);
  again.moveTo(Y, 105 - OFFSET.y);
  again.moveTo(Z, 0.6);
  assert.equal(again.probeDown(), triggers[0]);
});

test("a commanded machine move along X moves the nozzle along the skewed X direction", async () => {
  // A bed that rises 0.01 mm per mm of bed Y: moving along a skewed X axis climbs it.
  for (const deg of [0, 1]) {
    const rig = await ModelRig.create({ geometry: { xAxisDeg: deg }, bed: { slopeY: 0.01 } }, { x: 50, y: 100, z: 5 });
    const before = rig.m.clearance();
    rig.moveTo(X, 150);
    const rise = before - rig.m.clearance();
    const expected = 0.01 * 100 * Math.sin((deg * Math.PI) / 180);
    assert.ok(Math.abs(rise - expected) < 1e-9, `X axis at ${deg} deg: the bed under the nozzle rose ${rise}, expected ${expected}`);
  }
});

test("the truth report gives the scenario's geometry, the targets where they truly are, and the true bed heights", async () => {
  const s: Scenario = { geometry: { xAxisDeg: 0.1, yAxisDeg: 1.0, shiftXMm: 2, shiftYMm: -5 }, bed: { z0: 0.1, slopeX: 0.001, slopeY: -0.0005 } };
  const rig = await ModelRig.create(s);
  const t = readTruth(rig.m, rig.board.bed.printableMm);
  assert.deepEqual(t.geometry, { xAxisDeg: 0.1, yAxisDeg: 1.0, skewDeg: 0.9, shiftXMm: 2, shiftYMm: -5 });
  // bed = [[cos ax, -sin ay], [sin ax, cos ay]] * machine - shift, inverted here by hand.
  const ax = (0.1 * Math.PI) / 180, ay = Math.PI / 180;
  const a = Math.cos(ax), b = -Math.sin(ay), c = Math.sin(ax), d = Math.cos(ay);
  const det = a * d - b * c;
  const toMachine = (bx: number, by: number) => [(d * (bx + 2) - b * (by - 5)) / det, (-c * (bx + 2) + a * (by - 5)) / det];
  const xs = [35, 137, 238], ys = [7, 105, 203];
  t.targets.forEach((target, i) => {
    const tx = xs[i % 3], ty = ys[Math.floor(i / 3)];
    const [px, py] = toMachine(tx - OFFSET.x, ty - OFFSET.y);
    const [nx, ny] = toMachine(tx, ty);
    assert.ok(Math.abs(target.probeOverMm[0] - px) < 1e-9 && Math.abs(target.probeOverMm[1] - py) < 1e-9, `target ${i}: ${target.probeOverMm}`);
    assert.ok(Math.abs(target.nozzleOverMm[0] - nx) < 1e-9 && Math.abs(target.nozzleOverMm[1] - ny) < 1e-9, `target ${i}: ${target.nozzleOverMm}`);
  });
  // The sensor really is over the front-left target's centre there: it switches at its highest.
  rig.moveTo(X, t.targets[0].probeOverMm[0]);
  rig.moveTo(Y, t.targets[0].probeOverMm[1]);
  const bedUnderSensor = 0.1 + 0.001 * 35 - 0.0005 * 7;
  assert.ok(Math.abs(rig.probeDown()! - (bedUnderSensor + 0.4)) < 0.0005);
  // Heights on the 11 x 11 grid: the plane at the nozzle's bed point.
  for (const [r, col] of [[0, 0], [5, 7], [10, 10]]) {
    const mx = (250 * col) / 10, my = (210 * r) / 10;
    const bx = a * mx + b * my - 2, by = c * mx + d * my + 5;
    const h = 0.1 + 0.001 * bx - 0.0005 * by;
    assert.ok(Math.abs(t.heightGrid.rows[r][col] - h) < 1e-9, `grid ${r},${col}: ${t.heightGrid.rows[r][col]} vs ${h}`);
  }
});

test("the first-layer report of a flat, level printer printing at 0.2 mm reads 0.2 mm everywhere", async () => {
  const rig = await ModelRig.create({}, { x: 10, y: 20, z: 5 });
  rig.moveTo(Z, 0.2);
  for (const y of [20, 62, 105, 147, 190]) {
    rig.moveTo(Y, y);
    const xs = y === 62 || y === 147 ? [240, 10] : [10, 240];
    for (let x = xs[0]; xs[0] < xs[1] ? x <= xs[1] : x >= xs[1]; x += xs[0] < xs[1] ? 2 : -2) {
      rig.moveTo(X, x);
      rig.extrude(0.05);
    }
  }
  const layer = readTruth(rig.m).firstLayer;
  assert.ok(layer.samples > 500, `${layer.samples} samples`);
  assert.ok(Math.abs(layer.meanMm - 0.2) < 1e-9, `mean ${layer.meanMm}`);
  assert.ok(layer.stdDevMm < 1e-6, `evenness ${layer.stdDevMm}`);
  assert.ok(layer.rmsErrorMm < 1e-9 && Math.abs(layer.minMm - 0.2) < 1e-9 && Math.abs(layer.maxMm - 0.2) < 1e-9);
  for (const row of layer.map) for (const cell of row) assert.ok(cell !== null && Math.abs(cell - 0.2) < 1e-9, `map ${JSON.stringify(layer.map)}`);
});

test("on the SV06 bed the first-layer report shows the warp the nozzle flew over", async () => {
  const rig = await ModelRig.create(scenario("sv06-warp"), { x: 10, y: 105, z: 5 });
  rig.moveTo(Z, 0.2);
  for (let x = 10; x <= 240; x += 2) {
    rig.moveTo(X, x);
    rig.extrude(0.05);
  }
  const layer = readTruth(rig.m).firstLayer;
  // Along Y 105 the corrected SV06 mesh runs from +0.03 (left) to -0.13 (right): the gap grows.
  assert.ok(layer.maxMm - layer.minMm > 0.1, `range ${layer.minMm}..${layer.maxMm}`);
  assert.ok(layer.rmsErrorMm > 0.03 && layer.stdDevMm > 0.03);
  assert.ok(layer.map[2][0]! < layer.map[2][4]!, "thinner on the left, thicker on the right");
});

test("a warm sensor switches lower by the MK3 drift table, a hot bed warps by the SV06 thermal table", async () => {
  const warm = await ModelRig.create(noiseless("drifting-sensor"));
  const z = triggerAt(warm, 137, 105)!;
  // Table: 0.12 mm at 50 C against 35 C; -0.052 mm at 22 C (first slope, 0.004 mm/C).
  assert.ok(Math.abs(z - (0.4 - (0.12 + 0.052))) < 0.0005, `warm sensor switched at ${z}`);
  // Left alone, the sensor warms towards 0.4 of the bed's excess over room temperature.
  const warming = await ModelRig.create({ bed: { temperatureC: 110 }, probe: { followsBed: { timeConstantS: 1 } } });
  warming.moveTo(X, 150); // 50 mm at 4000 steps/mm, 14 us a step: 2.8 s
  const elapsedS = warming.timeNs / 1e9;
  const expectedC = 22 + 0.4 * (110 - 22) * (1 - Math.exp(-elapsedS));
  const t = readTruth(warming.m).probe;
  assert.ok(Math.abs(t.temperatureC - expectedC) < 0.01, `sensor at ${t.temperatureC} C after ${elapsedS} s, expected ${expectedC}`);
  const hot = await ModelRig.create(scenario("hot-bed"));
  // Front-left node of the table (-0.029 mm) lands on the printable area's front-left corner.
  assert.ok(Math.abs(hot.m.bedHeightAt(0, 0) - -0.029) < 1e-9);
  hot.m.setBedTemperatureC((17.5 + 60) / 2);
  assert.ok(Math.abs(hot.m.bedHeightAt(0, 0) - -0.0145) < 1e-9, "half the warp halfway");
  hot.m.setBedTemperatureC(17.5);
  assert.equal(hot.m.bedHeightAt(0, 0), 0);
});

test("faults: a broken cable never switches, a shorted one always", async () => {
  const broken = await ModelRig.create(scenario("probe-cable-broken"));
  assert.equal(triggerAt(broken, 137, 105), null);
  const shorted = await ModelRig.create(scenario("probe-shorted"));
  assert.ok(shorted.triggered(), "switched 5 mm above the bed");
});

test("a blob under the nozzle shorter than the sensor's switching gap is invisible: the sensor switches as without it, the blob 0.3 mm closer to the bed", async () => {
  const debris = await ModelRig.create(noiseless("debris-small"));
  const z = triggerAt(debris, 137, 105)!;
  assert.ok(Math.abs(z - 0.4) < 0.0005, `the sensor switched at ${z}, as without the blob`);
  assert.ok(Math.abs(debris.m.clearance() - (z - 0.3)) < 1e-9, "the blob is 0.3 mm closer to the bed");
  assert.ok(Math.abs(debris.m.tipClearance() - z) < 1e-9, "the tip is where the carriage is");
  const t = readTruth(debris.m);
  assert.deepEqual([t.contacts, t.debris.contacts, t.debris.zStalledSteps], [0, 0, 0]);
});

test("a blob taller than the switching gap rests on the bed first: the carriage stops there, the steps below are lost, the sensor never switches and the nozzle's tip stays clear", async () => {
  const rig = await ModelRig.create(noiseless("debris")); // 0.6 mm blob, flat bed
  rig.moveTo(X, 137 - OFFSET.x);
  rig.moveTo(Y, 105 - OFFSET.y);
  // Commanded from 5 mm down to 0.1 mm: the blob meets the bed with the carriage at 0.6 mm.
  rig.moveTo(Z, 0.1);
  const stall = rig.m.position(Z);
  assert.ok(stall >= 0.6 - 1e-9 && stall < 0.6 + 1 / rig.stepsPerMm, `carriage held at ${stall} mm`);
  assert.equal(rig.triggered(), false, "the sensor (0.4 mm gap) sees the carriage's true height");
  assert.ok(Math.abs(rig.m.clearance()) < 1 / rig.stepsPerMm, "the blob's bottom is on the bed");
  let t = readTruth(rig.m);
  assert.equal(t.contacts, 0);
  assert.ok(t.minClearanceMm >= 0.6 - 1e-9, `the tip came no closer than ${t.minClearanceMm} mm`);
  assert.equal(t.debris.contacts, 1);
  assert.equal(t.debris.zStalledSteps, Math.round((stall - 0.1) * rig.stepsPerMm));
  assert.equal(rig.m.violations(5), 0, "no bed crash");
  // Driven down further (the rig counts from the true height): the carriage stays, more steps lost.
  rig.moveTo(Z, 0.3);
  assert.equal(rig.m.position(Z), stall);
  t = readTruth(rig.m);
  assert.equal(t.debris.zStalledSteps, Math.round((stall - 0.1) * rig.stepsPerMm) + Math.round((stall - 0.3) * rig.stepsPerMm));
  assert.equal(t.debris.contacts, 1, "still the same rest");
  // Up again: it rises from the stall; lowered again, the blob rests a second time.
  rig.moveTo(Z, 1);
  assert.ok(Math.abs(rig.m.position(Z) - 1) < 1e-9);
  rig.moveTo(Z, 0.5);
  t = readTruth(rig.m);
  assert.equal(t.debris.contacts, 2);
  assert.equal(t.contacts, 0);

  // Without debris nothing holds the carriage: the nozzle driven into the bed is a contact.
  const bare = await ModelRig.create(noiseless("perfect"));
  bare.moveTo(Z, -0.1);
  assert.ok(Math.abs(bare.m.position(Z) - -0.1) < 1e-9);
  t = readTruth(bare.m);
  assert.deepEqual([t.contacts, t.debris.contacts, t.debris.zStalledSteps], [1, 0, 0]);
});

test("a slipping sensor switches lower once it slid, and a loose screw lets its corner sag", async () => {
  const rig = await ModelRig.create({ probe: { slip: { mm: 0.5, afterProbes: 2 } } });
  const first = triggerAt(rig, 137, 105)!;
  const second = triggerAt(rig, 137, 105)!;
  const third = triggerAt(rig, 137, 105)!;
  assert.ok(Math.abs(first - 0.4) < 0.0005 && Math.abs(second - 0.4) < 0.0005);
  assert.ok(Math.abs(third - (0.4 - 0.5)) < 0.0005, `after slipping it switched at ${third}`);
  assert.equal(readTruth(rig.m).probe.slipped, true);

  // Or after a time: the rig spends 14 us per step, so 0.05 s pass within the first probe.
  const timed = await ModelRig.create({ probe: { slip: { mm: 0.5, afterSeconds: 0.05 } } });
  assert.equal(readTruth(timed.m).probe.slipped, false);
  const t1 = triggerAt(timed, 137, 105)!;
  assert.ok(timed.timeNs > 0.05e9, "the slip time has passed");
  assert.ok(Math.abs(t1 - (0.4 - 0.5)) < 0.0005, `switched at ${t1}`);

  const screw = await ModelRig.create({ bed: { looseScrew: { screw: 1, dropMm: 0.3, afterProbes: 1 } } });
  const [sx, sy] = screw.board.bed.screwsMm[1];
  assert.equal(screw.m.bedHeightAt(sx, sy), 0, "tight until the first probe");
  triggerAt(screw, 137, 105);
  assert.ok(Math.abs(screw.m.bedHeightAt(sx, sy) - -0.3) < 1e-9, "the full drop at the screw");
  assert.ok(Math.abs(screw.m.bedHeightAt(sx - 50, sy) - -0.15) < 1e-9, "half of it 50 mm away");
  assert.equal(screw.m.bedHeightAt(sx - 100, sy), 0);
});

test("a location bias moves where the sensor sees the bed, not the bed", async () => {
  const flat = { xMm: [0, 250] as [number, number], yMm: [0, 210] as [number, number], rows: [[0.1, 0.1], [0.1, 0.1]] };
  const rig = await ModelRig.create({ probe: { bias: flat } });
  const z = triggerAt(rig, 137, 105)!;
  assert.ok(Math.abs(z - 0.5) < 0.0005, `with the bed seen 0.1 mm high the sensor switched at ${z}`);
  assert.equal(rig.m.bedHeightAt(114, 96), 0, "the true bed did not move");
  // The SV06 case: the true bed is the hand-corrected mesh, the sensor sees the measured one. At
  // the mesh node X 189.664, Y 205 (scaled onto the bed), over the meander:
  const sv06 = await ModelRig.create({ bed: { warp: { preset: "sv06-corrected" } }, probe: { bias: { preset: "sv06-hand-correction" } } });
  const nodeX = (250 * 8) / 9, nodeY = 210; // column 8 of 0..9 spread over X 0..250
  const seen = triggerAt(sv06, nodeX, nodeY)! - (MEANDER_REACH - MOUNT);
  assert.ok(Math.abs(seen - -0.084) < 0.0005, `the sensor saw the bed at ${seen} (measured mesh: -0.084)`);
  assert.ok(Math.abs(sv06.m.bedHeightAt(nodeX, nodeY) - -0.164) < 1e-9, "while it truly is at -0.164 (corrected mesh)");
});

test("with a weak sensor, Z homing over the front-centre target ends with no contact", async () => {
  const p = await HostPrinter.boot({ scenario: scenario("weak-sensor") });
  const out = p.command("G28");
  assert.doesNotMatch(out, /Error/);
  assert.equal(p.model.inputs() & 4, 4, "homed on the probe");
  const t = readTruth(p.model);
  assert.equal(t.contacts, 0, "the nozzle never touched the bed");
  assert.ok(t.minClearanceMm > 0.1, `closest ${t.minClearanceMm} mm`);
  assert.equal(p.model.violations(5), 0);
});

test("the firmware's board table says which bed each board has, and where its targets are", () => {
  const keys = readBoardKeys();
  const at = (name: string) => keys.findIndex((k) => k.name === name);
  const f32 = (w: number) => new Float32Array(new Uint32Array([w]).buffer)[0];
  const texts = { texts: [], offsets: [], size: 0 };
  const mk2 = flashTables(loadBoard("minirambo"), texts).words;
  const mk25 = flashTables(loadBoard("minirambo-mk25"), texts).words;
  assert.equal(mk2[at("BedKind")], 0);
  assert.equal(mk25[at("BedKind")], 1);
  assert.equal(f32(mk2[at("BedTargetDiameter")]), 8);
  assert.deepEqual(["BedTargetX0", "BedTargetX1", "BedTargetX2", "BedTargetY0", "BedTargetY1", "BedTargetY2"].map((k) => f32(mk2[at(k)])), [35, 137, 238, 7, 105, 203]);
  // Z homes with the probe over the front-centre target.
  assert.deepEqual([f32(mk2[at("SafeHomeX")]), f32(mk2[at("SafeHomeY")])], [137, 7]);
});

test("the MK2.5's PINDA v2 thermistor reads the sensor's temperature on ADC1", async () => {
  const rig = await ModelRig.create({}, { x: 100, y: 100, z: 5 }, "minirambo-mk25");
  const cold = rig.m.adcCounts(1);
  rig.m.setSensorTemperatureC(45);
  const warm = rig.m.adcCounts(1);
  // 100 k NTC (beta 4092) on a 4.7 k pull-up: 1023 * R / (R + 4.7 k).
  const counts = (c: number) => {
    const r = 100_000 * Math.exp(4092 * (1 / (c + 273.15) - 1 / 298.15));
    return Math.floor((5000 * r) / (r + 4700) * 1024 / 5000);
  };
  assert.equal(cold, counts(22));
  assert.equal(warm, counts(45));
  const mk2 = await ModelRig.create();
  assert.equal(mk2.m.adcCounts(1), 1023, "no PINDA thermistor on the MK2: the input floats high");
});

test("a scenario with a misspelt key, an unknown preset or a bad value is refused with the reason", () => {
  const board = loadBoard("minirambo");
  assert.throws(() => modelParams(board, { probe: { sensitivty: 0.8 } } as unknown as Scenario), /unknown key probe\.sensitivty \(known: triggerMm/);
  assert.throws(() => modelParams(board, { bed: { warp: { preset: "flat-ish" } } }), /unknown bed preset "flat-ish" \(sv06-measured, /);
  assert.throws(() => modelParams(board, { probe: { fault: "loose" as "shorted" } }), /probe\.fault "loose" is not cable-broken or shorted/);
  assert.throws(() => modelParams(board, { probe: { noiseMm: Number.NaN } }), /NoiseMm must be a finite number/);
  assert.throws(() => modelParams(board, { bed: { looseScrew: { screw: 7, dropMm: 1 } } }), /bed\.looseScrew\.screw must be 0\.\.3/);
});
