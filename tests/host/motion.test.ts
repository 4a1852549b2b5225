// Motion logic on the host HAL against the printer model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";
import type { Scenario } from "../../tools/sim/config.ts";

const X = 0, Y = 1, Z = 2, E = 3;

/** The hotend at printing temperature: E moves are refused below 170 C (M302). */
const HOT: Scenario = { temperatures: { hotend: 210 } };

/** The hotend starts at the scenario's temperature and cools (the model has heat): hold it there. */
function holdHotend(p: HostPrinter, scenario: Scenario): void {
  const c = scenario.temperatures?.hotend;
  if (c !== undefined) p.command(`M104 S${c}`);
}

async function homed(scenario: Scenario = HOT): Promise<HostPrinter> {
  const p = await HostPrinter.boot({ scenario });
  holdHotend(p, scenario);
  p.command("G28");
  p.takeOutput();
  return p;
}

function violations(p: HostPrinter): number[] {
  return [0, 1, 2, 3, 4, 5].map((k) => p.model.violations(k));
}

/**
 * Z steps skipped against the top of the frame by a G28 with Z unknown: Z is raised by its
 * travel + 5 mm (215 mm) and the model's frame stops it at 212 mm, so from a start height z
 * (mm) the motor skips (z + 3) mm at 400 steps/mm. Nothing else may ever hit the frame.
 */
function topStopSteps(startZ = 20): number {
  return Math.round((startZ + 3) * 400);
}

/** Violations after one G28 with Z unknown: the top stop, and nothing else. */
function onlyTopStop(p: HostPrinter, startZ = 20): void {
  assert.deepEqual(violations(p), [0, 0, 0, 0, topStopSteps(startZ), 0]);
  // The model exports the axis of the first violation of a kind (ModelExports does not list it).
  const firstAxis = (p.model as unknown as { violationFirstAxis(kind: number): number }).violationFirstAxis(4);
  assert.equal(firstAxis, Z, "only Z met the frame");
}

test("moves of axes that were never homed are refused, and nothing moves", async () => {
  const p = await HostPrinter.boot({ scenario: HOT });
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
  assert.ok(Math.abs(p.axisMm(Z) - 35) < 1e-9, "Z unknown: lifted 5 mm for the travel");
  assert.equal(p.axisMm(X), 0);
  assert.equal(p.model.inputs() & 1, 1, "X switch closed");
  p.command("G28 Y");
  assert.equal(p.axisMm(Y), -4);
  assert.equal(p.model.inputs() & 2, 2, "Y switch closed");
  p.command("G28 Z");
  assert.ok(Math.abs(p.axisMm(Z) - 0.4) < 1e-9, `nozzle ${p.axisMm(Z)} mm above the bed`);
  assert.equal(p.model.inputs() & 4, 4, "probe switched");
  assert.match(p.command("M114"), /^X:114\.00 Y:-2\.00 Z:0\.40 E:0\.00 Count X:11400 Y:-200 Z:160\n/);
  // G28 Z with Z unknown went to the top of the frame first (from 35 mm, after G28 X's lift).
  onlyTopStop(p, 35);
});

test("Z cannot be homed before X and Y: the probe must be over the bed, and nothing moves", async () => {
  const p = await HostPrinter.boot();
  assert.match(p.command("G28 Z"), /^Error:Home X and Y before Z: the probe must be over the bed \(G28, or G28 X Y first\)\nok\n$/);
  // Refused before anything moved: Z was not raised to the top for nothing.
  assert.equal(p.axisSteps(Z), 0);
  assert.match(p.command("G28 X Z"), /Error:Home X and Y before Z/);
});

test("a switch that never closes stops homing with an error and the fault: Y is not homed and no move runs", async () => {
  const p = await HostPrinter.boot({ scenario: { deadEndstops: ["x"], ...HOT } });
  const out = p.command("G28");
  assert.match(out, /Error:Homing X failed: the endstop never triggered \(check the switch and its cable\)\nError:Printer stopped due to errors/);
  assert.doesNotMatch(out, /Homing Y/);
  const y = p.axisSteps(Y);
  const e = p.axisSteps(E);
  assert.match(p.command("G1 X10"), /Error:Printer halted by a fault/);
  assert.match(p.command("G1 E5 F300\nM400"), /Error:Printer halted by a fault/);
  assert.match(p.command("G28 Y"), /Error:Printer halted by a fault/);
  assert.deepEqual([p.axisSteps(Y), p.axisSteps(E)], [y, e]);
});

test("a Z homing that fails latches the fault, so X, Y and E moves stop too", async () => {
  const p = await homed();
  p.model.setProbe(23, 9, -1e9); // the probe dies
  assert.match(p.command("G28 Z"), /Error:Homing Z failed: the probe never triggered.*\nError:Printer stopped due to errors/);
  const before = [X, Y, E].map((a) => p.axisSteps(a));
  assert.match(p.command("G1 X50 Y50 F6000\nM400"), /Error:Printer halted by a fault/);
  assert.match(p.command("G1 E5 F300\nM400"), /Error:Printer halted by a fault/);
  assert.deepEqual([X, Y, E].map((a) => p.axisSteps(a)), before);
});

test("with Z unknown and a probe that never switches, G28 raises Z to the top, searches down, and stops above the bed with the fault", async () => {
  const p = await HostPrinter.boot({ scenario: { deadProbe: true, start: { x: 100, y: 100, z: 3 } } });
  const out = p.command("G28");
  assert.match(out, /Error:Homing Z failed: the probe never triggered \(debris on the nozzle\? probe connected\? bed there\?\); stopped above the bed\nError:Printer stopped due to errors/);
  assert.equal(p.model.violations(5), 0, "no bed crash");
  // It ended at the search's floor, 0.1 mm over the bed.
  assert.ok(Math.abs(p.axisMm(Z) - 0.1) < 1e-6, `nozzle ${p.axisMm(Z)} mm above the bed`);
  assert.match(p.command("G1 Z10"), /Error:Printer halted by a fault/);
});

test("repeated G28 X Y with Z unknown lift Z once, not 5 mm each time", async () => {
  const p = await HostPrinter.boot({ scenario: { start: { x: 100, y: 100, z: 200 } } });
  for (let i = 0; i < 5; i++) p.command("G28 X Y");
  assert.ok(Math.abs(p.axisMm(Z) - 205) < 1e-9, `Z at ${p.axisMm(Z)} mm`);
  assert.deepEqual(violations(p), [0, 0, 0, 0, 0, 0], "Z never met the top of the frame");
  // Once Z is homed and then unknown again (drivers off), the next G28 X lifts once more.
  p.command("G28 Z");
  p.command("M84 Z");
  const z = p.axisMm(Z);
  p.command("G28 X");
  p.command("G28 X");
  assert.ok(Math.abs(p.axisMm(Z) - (z + 5)) < 1e-9, `Z at ${p.axisMm(Z)} mm, was ${z}`);
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
  onlyTopStop(p);
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
  onlyTopStop(p);
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

test("M221 in absolute extrusion mode scales every move, not only the first", async () => {
  const p = await homed();
  p.command("M82\nG92 E0\nM221 S90");
  for (let e = 10; e <= 100; e += 10) p.command(`G1 E${e} F600`);
  p.command("M400");
  // 100 mm asked at 90% flow: 90 mm pushed (14517 steps), and G-code still counts 100.
  assert.equal(p.axisSteps(E), Math.round(90 * 161.3));
  assert.match(p.command("M114"), /E:100\.00 /);
  // Back to 100%: the next 10 mm of G-code are 10 mm of filament.
  p.command("M221 S100\nG1 E110\nM400");
  assert.equal(p.axisSteps(E), Math.round(100 * 161.3));
});

test("M92, M501 and M502 keep the G92 offsets", async () => {
  const p = await homed();
  p.command("G1 X50 F6000\nG92 X0\nM400");
  for (const cmd of ["M92 E161.3", "M502", "M500\nM501"]) {
    p.command(cmd);
    assert.match(p.command("M114"), /^X:0\.00 /, `after ${cmd}`);
  }
  p.command("G1 X10\nM400");
  assert.equal(p.axisMm(X), 60);
});

test("M92 keeps the position in millimetres: its step count follows the new resolution", async () => {
  const p = await homed();
  p.command("G1 X100 F6000\nM400\nM92 X200");
  assert.match(p.command("M114"), /^X:100\.00 .*Count X:20000 /);
  const before = p.axisSteps(X);
  p.command("G1 X101\nM400");
  assert.equal(p.axisSteps(X) - before, 200, "1 mm at 200 steps/mm");
});

test("an extrusion longer than 200 mm in one move is refused with a message, and nothing moves", async () => {
  const p = await homed();
  const before = [X, E].map((a) => p.axisSteps(a));
  assert.match(p.command("G1 X120 E9999 F600"), /^Error:Too long extrusion prevented: E9999\.00 mm in one move, at most 200; not executed\nok\n$/);
  assert.match(p.command("M83\nG1 E-250"), /Error:Too long extrusion prevented/);
  p.command("M400");
  assert.deepEqual([X, E].map((a) => p.axisSteps(a)), before);
  assert.match(p.command("M114"), /E:0\.00/);
  // 200 mm is still allowed.
  p.command("G1 E200 F6000\nM400");
  assert.equal(p.axisSteps(E), Math.round(200 * 161.3));
});

test("a cold hotend refuses E (cold extrusion prevented) until M302 P1 allows it; M302 S sets the limit", async () => {
  const p = await homed({ temperatures: { hotend: 150 } });
  assert.match(p.command("G1 X140 E5 F600"), /^Error:Cold extrusion prevented: the hotend is at 1[0-9][0-9]\.[0-9]C, E needs 170C \(heat it, or allow cold E with M302 P1\); not executed\nok\n$/);
  p.command("M400");
  assert.equal(p.axisSteps(E), 0);
  assert.equal(p.axisMm(X), 114, "the whole move was refused");
  // Moves without E still run.
  p.command("G1 X140 F6000\nM400");
  assert.equal(p.axisMm(X), 140);
  assert.match(p.command("M302"), /echo:Cold extrusion prevented below 170C \(M302 P1 allows it\)/);
  p.command("M302 S140");
  p.command("G1 E5 F600\nM400");
  assert.equal(p.axisSteps(E), Math.round(5 * 161.3));
  p.command("M302 S170\nM302 P1");
  assert.match(p.command("M302"), /echo:Cold extrusion allowed \(M302 P1\)/);
  p.command("G1 E10\nM400");
  assert.equal(p.axisSteps(E), Math.round(10 * 161.3));
  p.command("M302 P0");
  assert.match(p.command("G1 E15"), /Cold extrusion prevented/);
  assert.match(p.command("M302 P2"), /Error:M302 P must be 0 \(prevent\) or 1 \(allow\); nothing changed/);
  assert.match(p.command("M302 S-5"), /Error:M302 S must be 0 to 400 C; nothing changed/);
});

test("E targets and G92 E values beyond the step counters' range are refused instead of saturating", async () => {
  const p = await homed();
  // 2^30 steps at 161.3 steps/mm is 6,656,799 mm: past that a step target would not fit.
  assert.match(p.command("G92 E7000000"), /^Error:G92 E beyond the step counter's range; nothing changed\nok\n$/);
  assert.match(p.command("M114"), /E:0\.00/);
  assert.equal(p.command("G92 E6656700"), "ok\n");
  assert.match(p.command("G1 E6656850 F600"), /^Error:G1: E target beyond the step counter's range \(reset E with G92 E0\); not executed\nok\n$/);
  assert.match(p.command("M92 E200"), /Error:M92 E: the E position would leave the step counter's range/);
  assert.match(p.command("M503"), /M92 X100\.00 Y100\.00 Z400\.00 E161\.30/);
});

test("G4 refuses a dwell longer than a day instead of waiting for weeks", async () => {
  const p = await homed();
  const t0 = p.nowNs;
  assert.match(p.command("G4 S999999999"), /^Error:G4 dwell must be 0 to 86400 s \(P0 to P86400000 ms\); not executed\nok\n$/);
  assert.match(p.command("G4 P-5"), /Error:G4 dwell must be/);
  assert.ok(p.nowNs - t0 < 1e9, "no dwell happened");
});

test("M205 B, S and T are stored but said to be unused by the planner", async () => {
  const p = await homed();
  assert.match(p.command("M205 B10000 S5 T5"), /^echo:M205 B\/S\/T stored but not used by the planner yet \(no minimum segment time or feedrate\)\nok\n$/);
  assert.match(p.command("M503"), /M205 B10000 S5\.00 T5\.00 J0\.013/);
  assert.equal(p.command("M205 J0.02"), "ok\n");
});
