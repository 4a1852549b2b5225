// The front panel on the real image in simavr: the harness turns the encoder and presses the
// button ('@' lines of the script, tools/sim/harness.c) and the tests read the display and the
// printer model, walking the menus an owner walks.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runSim, type SimResult } from "../../tools/sim/run.ts";
import { SimSession } from "../../tools/sim/session.ts";
import { Host } from "./hostEmulator.ts";
import { ModelRig } from "../host/modelRig.ts";
import type { Scenario } from "../../tools/sim/config.ts";
import type { TruthReport } from "../../tools/sim/truth.ts";

/** The screens the script asked for with @lcd, each as its four rows. */
function screens(r: SimResult): string[][] {
  const rows = r.stderr
    .split("\n")
    .filter((l) => l.startsWith("plumbsim: lcd |"))
    .map((l) => l.slice("plumbsim: lcd |".length, -1));
  const out: string[][] = [];
  for (let i = 0; i + 4 <= rows.length; i += 4) out.push(rows.slice(i, i + 4));
  return out;
}

/** Z steps skipped against the top of the frame when G28 homes Z from unknown (homing.ts raises
 * it by the travel + 5 mm against a top 2 mm above the 210 mm travel), from the default 20 mm. */
const TOP_STOP_STEPS = (20 + 3) * 400;

/** No violation but, after a G28 from unknown Z (`homed`), its deliberate stop at the top. */
function noViolations(r: SimResult, homed = true): void {
  for (const [k, v] of Object.entries(r.report.violations)) assert.equal(v.count, k === "frameCollision" && homed ? TOP_STOP_STEPS : 0, `${k} violations`);
  assert.equal(r.report.lcd.early, 0, "every byte came after the controller had executed the last");
}

function m114(stdout: string): { x: number; y: number; z: number; e: number }[] {
  return [...stdout.matchAll(/^X:(-?[\d.]+) Y:(-?[\d.]+) Z:(-?[\d.]+) E:(-?[\d.]+)/gm)].map((m) => ({ x: +m[1], y: +m[2], z: +m[3], e: +m[4] }));
}

test("Settings > Move axis > Move X: ten detents clockwise move X 10 mm in the model, and the screen follows", async () => {
  const input = [
    "G28 W",
    "M114",
    "@click", // status screen -> main menu
    "@r 2", // Settings (after Preheat)
    "@click",
    "@r 2", // Move axis (after Temperature)
    "@click",
    "@lcd",
    "@r", // Move X (all axes homed: no "Auto home" entry)
    "@click",
    "@turn 10",
    "@wait 1500",
    "@lcd",
    "M400",
    "M114",
  ].join("\n");
  const r = await runSim({ input: input + "\n", maxSeconds: 60 });
  assert.equal(r.report.exit, "done", r.stderr);
  const [moveMenu, moveX] = screens(r);
  assert.deepEqual(moveMenu, [">Settings           ", " Move X            >", " Move Y            >", " Move Z            >"]);
  const [before, after] = m114(r.stdout);
  assert.equal(after.x - before.x, 10);
  assert.equal(after.y, before.y);
  assert.equal(moveX[0].trimEnd(), "Move X");
  assert.equal(moveX[2].trimEnd(), ` X:${(before.x + 10).toFixed(2).padStart(9)} mm`);
  // The model: 10 mm at 100 steps/mm more than where homing left X.
  assert.equal(r.report.axes.x.mm.toFixed(2), (before.x + 10).toFixed(2));
  // The panel's lines got no "ok": the host's four commands got theirs.
  assert.equal(r.report.serial.oks, 4);
  assert.equal(r.report.panel.beeps, 4, "a tick for each click");
  noViolations(r);
});

test("Calibration > Auto home homes the printer through G28 W, then the status screen shows the position", async () => {
  // G28 from unknown Z takes about 40 s of printer time: Z goes to the top first (homing.ts).
  const input = ["@click", "@r 3", "@click", "@lcd", "@r", "@click", "@wait 60000", "@lcd", "M114"].join("\n");
  const r = await runSim({ input: input + "\n", maxSeconds: 100 });
  assert.equal(r.report.exit, "done", r.stderr);
  const [calibration, status] = screens(r);
  assert.deepEqual(calibration, [">Main               ", " Auto home          ", " Calibrate XYZ      ", " Calibrate Z        "]);
  assert.match(status[1], /^X\s*-?[\d.]+ Y\s*-?[\d.]+ Z\s*-?[\d.]+$/, "every axis homed");
  assert.equal(status[2].slice(0, 4), "Idle");
  assert.match(r.stdout, /^X:[\d.]+ Y:-?[\d.]+ Z:[\d.]+ E:0\.00 Count/m);
  noViolations(r);
});

test("Calibration > Show end stops: the probe reads TRIGGERED over the bed at Z 0 and open 5 mm above", async () => {
  const input = ["G28 W", "G1 Z0.2 F600", "M400", "@click", "@r 3", "@click", "@r 10", "@click", "@lcd", "G1 Z5 F600", "M400", "@wait 300", "@lcd"].join("\n");
  const r = await runSim({ input: input + "\n", maxSeconds: 60 });
  assert.equal(r.report.exit, "done", r.stderr);
  const [low, high] = screens(r);
  assert.deepEqual(low, ["End stops and probe ", "X min: open         ", "Y min: open         ", "Probe: TRIGGERED    "]);
  assert.equal(high[3], "Probe: open         ");
  noViolations(r);
});

test("turning at 200 detents/s while X and Y step at 40 kHz loses no detent and no step", async () => {
  // To the Extruder screen first: its value shows every detent the firmware counted, and E has
  // room for all of them. Then X and Y run diagonals at the drivers' top rate while the knob
  // turns 150 detents clockwise and 50 back in bursts at 200 detents/s.
  const input = [
    "M302 P1", // E moves with a cold hotend: this test counts detents, it does not extrude
    "G28 W",
    "G1 X20 Y20 F6000",
    "M400",
    "@click",
    "@r 2", // Settings
    "@click",
    "@r 2", // Move axis
    "@click",
    "@r 4", // Extruder
    "@click",
    "G1 X240 Y200 F30000",
    "G1 X20 Y20",
    "G1 X240 Y200",
    "G1 X20 Y20",
    "@turn 75 200",
    "@turn 75 200",
    "@turn -50 200",
    "@lcd",
    "@wait 3000",
    "M114",
  ].join("\n");
  const r = await runSim({ input: input + "\n", maxSeconds: 90, traceSteps: true });
  assert.equal(r.report.exit, "done", r.stderr);
  assert.equal(r.report.panel.detentsTurned, 8 + 100);
  const [extruder] = screens(r);
  assert.equal(extruder[0].trimEnd(), "Move extruder");
  assert.equal(extruder[2].trimEnd(), " E:   100.00 mm", "every detent counted");
  // X and Y stepped at 40 kHz while the knob turned: in the time of its edges (from the first
  // to the last, bursts and the pauses between them), steps 25 us apart, on both axes.
  const [from, to] = r.report.panel.turnCycles;
  assert.ok(to - from > 0.5 * 16e6, "the turning took more than half a second");
  for (const axis of [0, 1]) {
    const steps = r.steps!.filter((s) => s.axis === axis && s.cycle >= from && s.cycle <= to);
    let fast = 0;
    for (let i = 1; i < steps.length; i++) if (steps[i].cycle - steps[i - 1].cycle <= 16e6 / 39_000) fast++;
    assert.ok(fast > 10_000, `axis ${axis}: ${fast} steps at 39 kHz or more while the knob turned`);
  }
  const [end] = m114(r.stdout);
  assert.equal(end.x, 20);
  assert.equal(end.y, 20);
  assert.equal(r.report.axes.x.mm.toFixed(2), "20.00");
  assert.equal(r.report.axes.y.mm.toFixed(2), "20.00");
  noViolations(r);
});

test("Preheat > PLA sets the nozzle to 215 C and the bed to 55 C (Prusa's PLA), as M105 and the status screen show", async () => {
  const input = [
    "@click", // main menu: Info screen, Preheat (idle: no Tune), ...
    "@r",
    "@click", // Preheat
    "@lcd",
    "@r 2", // PLA
    "@click",
    "@wait 500",
    "@lcd",
    "M105",
  ].join("\n");
  const r = await runSim({ input: input + "\n", maxSeconds: 30 });
  assert.equal(r.report.exit, "done", r.stderr);
  const [preheat, status] = screens(r);
  assert.deepEqual(preheat, [">Main               ", " ABS  -  255/100    ", " PLA  -  215/55     ", " PET  -  240/90     "]);
  assert.match(status[0], /^H +\d+\/215C {2}B +\d+\/ 55C$/, "both targets on the status screen");
  assert.match(r.stdout, /^ok T:[\d.]+ \/215\.0 B:[\d.]+ \/55\.0/m);
  assert.equal(r.report.serial.oks, 1, "the panel's two lines owe the host no ok");
  // The heaters did get switched on: the model's hotend and bed received power.
  assert.ok(r.report.thermal.outputOnSeconds[0] > 0, "hotend heater on");
  assert.ok(r.report.thermal.outputOnSeconds[1] > 0, "bed heater on");
  noViolations(r, false);
});

/** A temp dir for this test, removed when it ends; returns the path of an EEPROM file in it (absent). */
function eepromFile(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-panel-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "eeprom.bin");
}

/** Machine X/Y of the first layer's 5 x 5 cells: 50 x 42 mm over the MK2's 250 x 210 mm. */
const LINE_A = "G1 X40 Y20 E1.5"; // from X10: the front-left cell
const LINE_B = "G1 X240 Y20 E1.5"; // from X210: the front-right cell

test("Live adjust Z while the first layer prints lowers the nozzle by 20 detents of 0.0025 mm in the model, and the Z offset it went into is saved for the next boot", async (t) => {
  const eeprom = eepromFile(t);
  const input = [
    "M302 P1", // extrusion with a cold hotend: the model measures the gap, not the plastic
    "M500", // a settings record for Live adjust Z to write its offset into
    "G28 W",
    "M83",
    "G1 X10 Y20 Z0.2 F3000",
    "M400",
    `${LINE_A} F1200`, // line A at the old height, 1.5 s
    "G1 X210 Y20 F1200", // a long travel at the layer's height, 8.5 s ...
    "@wait 2500", // ... line A is done, the travel goes on
    "@click", // main menu: Info screen, Live adjust Z (printing below 2 mm), ...
    "@lcd",
    "@r",
    "@click",
    "@turn -20",
    "@wait 300",
    "@lcd",
    "@click", // leaving: the offset is written to the EEPROM
    `${LINE_B} F1200`, // line B, 0.05 mm lower
    "M400",
    "M114",
    "M290",
  ].join("\n");
  const r = await runSim({ input: input + "\n", eeprom, maxSeconds: 120 });
  assert.equal(r.report.exit, "done", r.stderr);
  const [main, adjust] = screens(r);
  assert.equal(main[1], " Live adjust Z     >");
  assert.deepEqual(adjust.map((row) => row.trimEnd()), ["Live adjust Z", "", "    -0.050 mm", "Z offset  -0.450 mm"]);
  const map = r.report.truth.firstLayer.map;
  const a = map[0][0]!;
  const b = map[0][4]!;
  assert.ok(a !== null && b !== null, "both lines were printed");
  // The perfect printer's bed is flat: the gap changed by the adjustment, 20 steps of 1/400 mm.
  assert.ok(Math.abs(a - 0.2) < 0.01, `line A ${a} mm above the bed`);
  assert.ok(Math.abs(b - a - -0.05) < 0.0005, `line B ${b} mm: ${(b - a).toFixed(4)} mm from line A`);
  // G-code's Z did not move: babysteps are the nozzle's alone.
  assert.match(r.stdout, /^X:240\.00 Y:20\.00 Z:0\.20 /m);
  assert.match(r.stdout, /^echo:Z offset -0\.450 mm/m);
  noViolations(r);

  // Next boot: the offset came back from the EEPROM; homed with it, the same G-code prints line B
  // at the adjusted gap.
  const again = await runSim({ input: ["M302 P1", "M503", "G28 W", "M83", "G1 X210 Y20 Z0.2 F3000", `${LINE_B} F1200`, "M400"].join("\n") + "\n", eeprom, maxSeconds: 120 });
  assert.equal(again.report.exit, "done", again.stderr);
  assert.match(again.stdout, /M851 X23\.00 Y9\.00 Z-0\.45/);
  const b2 = again.report.truth.firstLayer.map[0][4]!;
  assert.ok(Math.abs(b2 - b) < 0.003, `after a restart line B ${b2} mm, ${b} mm before`);
  noViolations(again);
});

test("Calibration > Calibrate XYZ runs M45 with its progress screen; a long press cancels it, and the result stays until a click", async () => {
  const scenario = JSON.parse(fs.readFileSync("tests/scenarios/skew-mild.json", "utf8"));
  const input = [
    "G28 W",
    "@click",
    "@r 3", // Calibration
    "@click",
    "@lcd",
    "@r 2", // Calibrate XYZ
    "@click",
    "@wait 15000",
    "@lcd", // searching the first point
    "@long", // cancel
    "M400",
    "@wait 5000",
    "@lcd", // the result: 5 s later, still there
    "@click",
    "@wait 300",
    "@lcd",
  ].join("\n");
  const r = await runSim({ input: input + "\n", scenario, maxSeconds: 120, timeoutSeconds: 60 });
  assert.equal(r.report.exit, "done", r.stderr);
  const [calibration, searching, result, status] = screens(r);
  assert.deepEqual(calibration, [">Main               ", " Auto home          ", " Calibrate XYZ      ", " Calibrate Z        "]);
  assert.deepEqual(searching, ["Calibrating XYZ     ", "Searching bed       ", "calibration point   ", "1/4 ................"]);
  assert.deepEqual(result, ["Calibrating XYZ     ", "XYZ cal. cancelled  ", "                    ", "Click to continue   "]);
  assert.equal(status[3], "XYZ cal. cancelled  ");
  assert.equal(status[2].slice(0, 4), "Idle");
  // The same M45 as the serial port's: its lines went to the host, and it stopped on the cancel.
  assert.match(r.stdout, /^Searching bed calibration point 1 of 4$/m);
  assert.doesNotMatch(r.stdout, /calibration point 2 of 4/);
  assert.match(r.stdout, /^echo:XYZ calibration cancelled on the panel; the bed transform is reset$/m);
  assert.equal(r.report.truth.contacts, 0, "the nozzle never touched the bed");
  noViolations(r);
});

test("Calibration > Z offset on the knob: the owner lowers the nozzle onto the paper detent by detent, a click sets and saves the offset, and a 0.2 mm first layer is then 0.2 mm thick", async (ctx) => {
  // The probe switches 0.55 mm over the bed; the firmware believes 0.4 (board.json M851 Z-0.4).
  const s: Scenario = { probe: { triggerMm: 0.55 } };
  const PAPER = 0.1; // the panel's paper test assumes an office sheet (probeTools.ts PAPER_DEFAULT_MM)
  const BELIEVED_SWITCH_MM = 0.4;
  // The owner's fingers: the true gap under the nozzle, from the model as tests/sim/probe.test.ts
  // derives it (G28 declared Z = 0.4 where the probe switched over the homing point).
  const rig = await ModelRig.create(s);
  const switchHome = rig.m.triggerHeightAtMachine(114, -2) + rig.m.bedHeightAt(137, 7);
  const nozzle = { x: 137 - 23, y: 105 - 9 }; // over the centre target, where the panel's test runs
  const gapAt = (z: number) => z - BELIEVED_SWITCH_MM + switchHome - rig.m.bedHeightAt(nozzle.x, nozzle.y);

  const session = await SimSession.start({ scenario: s, timeoutSeconds: 5 });
  ctx.after(() => session.dispose()); // a failed assertion must not leave the harness running
  const host = new Host(session);
  await session.waitForLine(/^start$/);
  assert.ok(!(await host.transact("G28", 120_000)).some((l) => l.startsWith("Error")));
  const zOf = (l: string) => Number(/Z position: \S+ --> (\S+) <--/.exec(l)![1]);
  await session.write("@click\n@r 3\n@click\n@r 6\n@click\n"); // Calibration > Z offset
  let z = zOf(await session.waitForLine(/^Z position: /, 60_000));
  assert.equal(z, 1);
  let minGap = gapAt(z);
  let detents = 0;
  while (gapAt(z) >= PAPER && detents < 200) {
    // Far over the paper, many detents at once; near it, one at a time.
    const n = Math.max(1, Math.floor((gapAt(z) - PAPER - 0.05) / 0.025));
    await session.write(`@turn -${n} 100\n@wait 500\n`);
    detents += n;
    await host.transact("M400", 30_000);
    const positions = session.lines.filter((l) => l.startsWith("Z position: "));
    z = zOf(positions[positions.length - 1]);
    assert.ok(Math.abs(z - (1 - detents * 0.025)) < 0.003, `${detents} detents down: Z ${z}`);
    minGap = Math.min(minGap, gapAt(z));
  }
  assert.ok(gapAt(z) < PAPER && gapAt(z) > PAPER - 0.03, `the paper drags (gap ${gapAt(z)} mm)`);
  await session.write("@lcd\n@click\n");
  const accepted = await session.waitForLine(/^echo:Probe Z offset: /, 30_000);
  await session.waitForLine(/^echo:Settings stored/, 30_000);
  await session.write("@wait 500\n@lcd\n");
  const offset = Number(/M851 Z(\S+) /.exec(accepted)![1]);
  await host.transact("M302 P1", 10_000);
  for (const line of ["G92 E0", "G1 Z0.2 F600", "G1 X60 Y60 F6000", "G1 X160 Y60 E5 F1200", "G1 X160 Y160 E10", "G1 X60 Y160 E15", "G1 X60 Y60 E20", "G1 Z5", "M400"]) {
    assert.ok(!(await host.transact(line, 60_000)).some((l) => l.startsWith("Error")), line);
  }
  const { report, stderr } = await session.close();
  const [paper, result] = screens({ stderr } as SimResult);
  assert.deepEqual(paper.map((r) => r.trimEnd()), ["Z offset", `Z${z.toFixed(3).padStart(9)} mm`, "Lower till it drags", "Click:save Hold:stop"]);
  assert.deepEqual(result.map((r) => r.trimEnd()), ["Z offset", "Z offset set", "", "Click to continue"]);
  const t = (report as { truth: TruthReport }).truth;
  assert.ok(Math.abs(offset + 0.55) <= 0.03, `M851 Z${offset}`);
  assert.ok(Math.abs(t.firstLayer.meanMm - 0.2) <= 0.03, `first layer ${t.firstLayer.meanMm} mm`);
  assert.ok(minGap > 0, "the nozzle stayed over the bed");
  assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
});

test("the first-run wizard on the perfect printer from a blank EEPROM: self-check, XYZ calibration, Z offset on the knob, and a test pattern printed by the firmware at a true 0.2 mm without a contact", async (ctx) => {
  const s = JSON.parse(fs.readFileSync(path.join("tests", "scenarios", "perfect.json"), "utf8")) as Scenario;
  // The owner's fingers under the nozzle, as in the Z offset test above: the probe switches at
  // the 0.4 mm the firmware believes (the perfect printer's default), the bed is flat.
  const rig = await ModelRig.create(s);
  const switchHome = rig.m.triggerHeightAtMachine(114, -2) + rig.m.bedHeightAt(137, 7);
  const gapAt = (z: number) => z - 0.4 + switchHome - rig.m.bedHeightAt(137 - 23, 105 - 9);

  const session = await SimSession.start({ scenario: s, timeoutSeconds: 5 });
  ctx.after(() => session.dispose()); // a failed assertion must not leave the harness running
  const host = new Host(session);
  await session.waitForLine(/^start$/);
  let dumps = 0;
  /** The screen after `ms` more of printer time. */
  const lcdAfter = async (ms: number): Promise<string[]> => {
    await session.write(`@wait ${ms}\n@lcd\n`);
    dumps++;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const rows = session.stderr.split("\n").filter((l) => l.startsWith("plumbsim: lcd |")).map((l) => l.slice("plumbsim: lcd |".length, -1).trimEnd());
      if (rows.length >= dumps * 4) return rows.slice(dumps * 4 - 4, dumps * 4);
      assert.ok(Date.now() < deadline, "the harness answered @lcd");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const until = async (done: (rows: string[]) => boolean, maxMs: number, stepMs = 5000): Promise<string[]> => {
    for (let t = 0; t <= maxMs; t += stepMs) {
      // The display draws a new screen a row at a time over some milliseconds: once it has
      // begun, the screen is read again after it has had time to finish.
      if (done(await lcdAfter(stepMs))) return lcdAfter(300);
    }
    assert.fail(`the screen did not come within ${maxMs} ms of printer time`);
  };

  await session.write("@click\n@r 5\n@click\n"); // Main menu > Setup wizard
  assert.deepEqual(await lcdAfter(200), ["Hi, I am your", "printer. Shall I", "guide you to print?", "Click:yes Hold:no"]);
  await session.write("@click\n");
  const checking = await lcdAfter(3000);
  assert.deepEqual(checking.slice(0, 2), ["Self-check", "End stops and probe"]);
  assert.deepEqual(await until((r) => r[0] !== "Self-check", 120_000), ["Self-check ok.", "Next: XYZ calibr.", "(about 4 minutes)", "Click to continue"]);
  await session.write("@click\n");
  const calibrating = await lcdAfter(10_000);
  assert.equal(calibrating[0], "Calibrating XYZ", "M45's own progress screen");
  assert.deepEqual(await until((r) => r[0] !== "Calibrating XYZ", 400_000, 20_000), ["XYZ calibration ok.", "Next: Z offset with", "a sheet of paper", "Click to continue"]);
  await session.write("@click\n");
  const zOf = (l: string) => Number(/Z position: \S+ --> (\S+) <--/.exec(l)![1]);
  let z = zOf(await session.waitForLine(/^Z position: /, 120_000));
  let detents = 0;
  while (gapAt(z) >= 0.1 && detents < 200) {
    const n = Math.max(1, Math.floor((gapAt(z) - 0.15) / 0.025));
    await session.write(`@turn -${n} 100\n`);
    detents += n;
    z = zOf(await session.waitForLine((l) => l.startsWith("Z position: ") && Math.abs(zOf(l) - (1 - detents * 0.025)) < 0.003, 60_000));
  }
  assert.ok(gapAt(z) < 0.1 && gapAt(z) > 0.07, `the paper drags (gap ${gapAt(z)} mm)`);
  await session.write("@click\n");
  assert.deepEqual(await until((r) => r[0] === "Z offset set.", 30_000, 1000), ["Z offset set.", "Next: a first layer", "test; knob: adjust Z", "Click to continue"]);
  await session.write("@click\n");
  const printing = await until((r) => r[0] === "First layer test" || r[0] === "Wizard stopped:", 300_000);
  assert.deepEqual(printing.slice(0, 2), ["First layer test", "Turn: adjust Z"]);
  assert.deepEqual(await until((r) => r[0] !== "First layer test", 300_000), ["All is done.", "Happy printing!", "Thin lines? Lower Z", "Click to continue"]);
  await host.transact("M105", 10_000);
  const { report } = await session.close();
  const t = (report as { truth: TruthReport }).truth;
  ctx.diagnostic(`first layer: ${t.firstLayer.samples} samples, true gap ${t.firstLayer.meanMm.toFixed(4)} mm; closest ${t.minClearanceMm} mm; gap at the paper ${gapAt(z).toFixed(4)} mm`);
  assert.ok(t.firstLayer.samples > 100, `the pattern was laid down (${t.firstLayer.samples} samples)`);
  assert.ok(Math.abs(t.firstLayer.meanMm - 0.2) <= 0.03, `first layer ${t.firstLayer.meanMm} mm`);
  assert.equal(t.contacts, 0, `closest ${t.minClearanceMm} mm`);
});
