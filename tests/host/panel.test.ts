// The front panel on the host HAL: the same module in Node, the knob turned and pressed through
// HostPrinter (turn, click, longPress), the display read from the emulated HD44780.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { HostPrinter, countOks } from "../../hal/host/hal.ts";
import { readTruth } from "../../tools/sim/truth.ts";

async function boot(): Promise<HostPrinter> {
  const p = await HostPrinter.boot();
  p.runFor(400);
  return p;
}

test("Settings > Store settings saves the settings as M500 does, with no reply for the host, and Info then says they are saved", async () => {
  const p = await boot();
  p.takeOutput();
  p.click(); // main menu
  assert.equal(p.lcdRows()[0], ">Info screen        ");
  p.turn(4);
  p.click(); // Info
  assert.deepEqual(p.lcdRows().slice(0, 3).map((r) => r.trimEnd()), [">Main", " Printer           \x7e", " XYZ calibration   \x7e"]);
  p.turn(1);
  p.click(); // Printer
  assert.equal(p.lcdRows()[0].trimEnd(), "Plumb 0.1.0");
  assert.equal(p.lcdRows()[1].trimEnd(), "MiniRambo 1.3a");
  assert.equal(p.lcdRows()[3].trimEnd(), "EEPROM: empty");
  p.click(); // back to Info
  p.turn(-1);
  p.click(); // back to the main menu, on Info
  p.turn(-2);
  p.click(); // Settings
  p.turn(3);
  assert.equal(p.lcdRows()[3], ">Store settings     ");
  p.click();
  p.runFor(1000);
  const out = p.takeOutput();
  assert.match(out, /^echo:Settings stored/m);
  assert.equal(countOks(out), 0, "the panel's command owes the host no ok");
  assert.equal(String.fromCharCode(...p.eeprom.slice(0, 4)), "PLMB");
  // The status screen followed; back to Info.
  assert.equal(p.lcdRows()[2].slice(0, 4), "Idle");
  p.click();
  p.turn(4);
  p.click();
  p.turn(1);
  p.click();
  assert.equal(p.lcdRows()[3].trimEnd(), "Settings: saved");
  // A setting changed from the host: no longer what the EEPROM holds.
  p.command("M92 X101");
  p.click(); // back
  p.click(); // Info again: read anew
  assert.equal(p.lcdRows()[3].trimEnd(), "Settings: not saved");
});

test("Tune shows while the printer moves; its Speed applies M220 as the knob turns, within 10 to 500 %", async () => {
  const p = await boot();
  p.command("G28 W\nG1 Z5 F600\nM400"); // above 2 mm: no Live adjust Z
  p.click();
  assert.ok(!p.lcdRows().some((r) => r.startsWith(" Tune")), "no Tune while idle");
  p.longPress(); // status screen
  p.send("G1 X200 Y150 F600\nG1 X10 Y10\n");
  p.runFor(200);
  p.click();
  assert.equal(p.lcdRows()[1].slice(0, 5), " Tune");
  p.turn(1);
  p.click(); // Tune
  p.turn(1);
  p.click(); // Speed
  assert.equal(p.lcdRows()[0].trimEnd(), "Speed");
  assert.equal(p.lcdRows()[2].trimEnd(), "   100 %");
  p.turn(25);
  p.runFor(300);
  assert.equal(p.lcdRows()[2].trimEnd(), "   125 %");
  assert.match(p.command("M220"), /^FR:125%$/m);
  p.turn(1000);
  p.runFor(300);
  assert.equal(p.lcdRows()[2].trimEnd(), "   500 %");
  assert.match(p.command("M220"), /^FR:500%$/m);
});

test("the display goes back to the status screen 30 s after the last input", async () => {
  const p = await boot();
  p.click();
  p.turn(2);
  p.click(); // Settings
  p.runFor(29_000);
  assert.equal(p.lcdRows()[0], ">Main               ");
  p.runFor(1_500);
  assert.equal(p.lcdRows()[0], "Hotend  22C Bed  22C");
});

test("Settings > Temperature > Nozzle sets the hotend target with the knob through M104, one degree a detent, up to 290 C", async () => {
  const p = await boot();
  p.click();
  p.turn(2);
  p.click(); // Settings
  p.turn(1);
  assert.equal(p.lcdRows()[1], ">Temperature       \x7e");
  p.click();
  assert.deepEqual(p.lcdRows(), [">Settings           ", " Nozzle            \x7e", " Bed               \x7e", " Fan speed         \x7e"]);
  p.turn(1);
  p.click(); // Nozzle
  assert.equal(p.lcdRows()[0].trimEnd(), "Nozzle");
  assert.equal(p.lcdRows()[2].trimEnd(), "     0 C");
  p.turn(40);
  p.runFor(300);
  assert.equal(p.lcdRows()[2].trimEnd(), "    40 C");
  assert.match(p.command("M105"), /T:[\d.]+ \/40\.0 /);
  p.turn(1000);
  p.runFor(300);
  assert.equal(p.lcdRows()[2].trimEnd(), "   290 C", "no further than M104 accepts");
  assert.match(p.command("M105"), /T:[\d.]+ \/290\.0 /);
  p.click(); // back to Temperature
  p.turn(2);
  p.click(); // Fan speed
  p.turn(128);
  p.runFor(300);
  assert.equal(p.lcdRows()[2].trimEnd(), "   128/255");
  assert.equal(p.lcdRows()[0].trimEnd(), "Fan speed");
});

test("Tune offers nozzle, bed and fan while the printer moves; Preheat shows only while it does not", async () => {
  const p = await boot();
  p.command("G28 W\nG1 Z5 F600\nM400"); // above 2 mm: no Live adjust Z
  p.click();
  assert.equal(p.lcdRows()[1].slice(0, 8), " Preheat");
  p.longPress();
  p.send("G1 X200 Y150 F600\nG1 X10 Y10\n");
  p.runFor(200);
  p.click();
  assert.equal(p.lcdRows()[1].slice(0, 5), " Tune");
  p.turn(1);
  p.click(); // Tune
  assert.deepEqual(p.lcdRows().map((r) => r.trimEnd()), [">Main", " Speed             \x7e", " Nozzle            \x7e", " Bed               \x7e"]);
  p.turn(3);
  p.click(); // Bed
  p.turn(60);
  p.runFor(300);
  assert.equal(p.lcdRows()[2].trimEnd(), "    60 C");
  assert.match(p.command("M105"), /B:[\d.]+ \/60\.0/);
});

test("Calibration > Calibrate XYZ homes, runs M45 to its end with the progress screen following each phase, and shows the result until a click", async () => {
  const scenario = JSON.parse(fs.readFileSync("tests/scenarios/skew-mild.json", "utf8"));
  const p = await HostPrinter.boot({ scenario });
  p.runFor(400);
  p.click();
  p.turn(3);
  p.click(); // Calibration
  p.turn(2);
  assert.equal(p.lcdRows()[2], ">Calibrate XYZ      ");
  // M45 runs inside the firmware's loop: every screen it draws is read as the display gets it.
  const seen = new Set<string>();
  const write = p.lcd.write.bind(p.lcd);
  p.lcd.write = (isData: number, byte: number) => {
    write(isData, byte);
    const rows = p.lcdRows();
    if (rows[0].startsWith("Calibrating XYZ") && /^\d\/\d /.test(rows[3])) seen.add(`${rows[1].trimEnd()} ${rows[2].trimEnd()} ${rows[3].slice(0, 3)}`);
  };
  p.click(); // not homed: G28 W, then M45
  let result: string[] | undefined;
  for (let t = 0; t < 1_500_000 && !result; t += 2000) {
    p.runFor(2000);
    if (p.lcdRows()[3] === "Click to continue   ") result = p.lcdRows();
  }
  assert.ok(result, "the result screen came");
  assert.deepEqual(result, ["Calibrating XYZ     ", "XYZ calibration ok  ", "                    ", "Click to continue   "]);
  for (const step of ["Searching bed calibration point 2/4", "Improving bed calibration point 5/9", "Measuring reference height 9/9"]) {
    assert.ok(seen.has(step), `progress showed "${step}" (saw ${[...seen].join("; ")})`);
  }
  const out = p.takeOutput();
  assert.match(out, /XYZ calibration ok\. X\/Y axes are slightly skewed/);
  assert.equal(countOks(out), 0, "the panel's G28 W and M45 owe the host no ok");
  // Still there long after: a notice has no timeout; a click acknowledges it.
  p.runFor(40_000);
  assert.equal(p.lcdRows()[3], "Click to continue   ");
  p.click();
  assert.equal(p.lcdRows()[3].trimEnd(), "XYZ calibration ok");
  assert.equal(p.lcdRows()[2].slice(0, 4), "Idle");

  // Info > XYZ calibration: the skew M45 reported, Prusa's class for it, and how far into the Y
  // travel the probe is over the front corner targets (the model's truth: where they really are).
  p.click();
  p.turn(4);
  p.click(); // Info
  p.turn(2);
  p.click(); // XYZ calibration
  const rows = p.lcdRows();
  const skew = Number(/XYZ calibration: skew (-?\d+\.\d+) deg/.exec(out)![1]);
  const shown = /^Skew: +(-?\d+\.\d{3}) deg$/.exec(rows[0].trimEnd());
  assert.ok(shown, rows[0]);
  assert.ok(Math.abs(Number(shown[1]) - skew) <= 0.0015, `${shown[1]} against M45's ${skew}`);
  assert.equal(rows[1].trimEnd(), "mild (0.12 - 0.25)");
  assert.equal(rows[2].trimEnd(), "Front row, Y min:");
  const reach = /^L +(-?\d+\.\d\d) R +(-?\d+\.\d\d) mm$/.exec(rows[3].trimEnd());
  assert.ok(reach, rows[3]);
  const truth = readTruth(p.model);
  const Y_MIN = -4; // boards/minirambo/board.json
  assert.ok(Math.abs(Number(reach[1]) - (truth.targets[0].probeOverMm[1] - Y_MIN)) < 0.1, `left ${reach[1]} mm`);
  assert.ok(Math.abs(Number(reach[2]) - (truth.targets[2].probeOverMm[1] - Y_MIN)) < 0.1, `right ${reach[2]} mm`);
});

test("Info > XYZ calibration before any calibration says so and where to start one", async () => {
  const p = await boot();
  p.click();
  p.turn(4);
  p.click();
  p.turn(2);
  p.click();
  assert.deepEqual(p.lcdRows().slice(0, 2).map((r) => r.trimEnd()), ["XYZ not calibrated", "(Calibration > XYZ)"]);
});

test("a fault takes over the display with its reason until a click, whatever the panel showed", async () => {
  const p = await boot();
  p.click();
  p.turn(2);
  p.click(); // Settings
  p.command("M112");
  p.runFor(200);
  assert.deepEqual(p.lcdRows().map((r) => r.trimEnd()), ["Printer halted:", "EMERGENCY STOP", "Reset to restart", "Click to continue"]);
  p.runFor(40_000);
  assert.equal(p.lcdRows()[0].trimEnd(), "Printer halted:", "no timeout");
  p.click();
  assert.equal(p.lcdRows()[2].slice(0, 6), "Halted");
});

// ---- Calibration > Z offset, Bed level correct, Mesh correction; Info > Mesh ----

/** The owner at the paper test: turns down in big moves while the nozzle is far over the paper,
 * then a detent at a time until the paper drags (the true gap under the sheet). */
function playPaper(p: HostPrinter, paperMm: number): void {
  const drags = () => p.model.clearance() < paperMm;
  for (let i = 0; i < 200 && !drags(); i++) {
    const far = Math.floor((p.model.clearance() - paperMm - 0.05) / 0.025);
    p.turn(-Math.max(1, far), 1500);
  }
  assert.ok(drags(), `the paper drags (gap ${p.model.clearance()} mm)`);
}

/** A 100 x 100 mm square of first layer at `z`, extruding cold: the model measures the true gap. */
function firstLayerGap(p: HostPrinter, z: number): number {
  const t0 = readTruth(p.model).firstLayer;
  assert.doesNotMatch(p.command(`M302 P1\nG92 E0\nG1 Z${z} F600\nG1 X60 Y60 F6000\nG1 X160 Y60 E5 F1200\nG1 X160 Y160 E10\nG1 X60 Y160 E15\nG1 X60 Y60 E20\nG1 Z5\nM400`), /Error/);
  const t = readTruth(p.model).firstLayer;
  return (t.meanMm * t.samples - t0.meanMm * t0.samples) / (t.samples - t0.samples);
}

/** Main menu > Calibration, the cursor on item `n` (0: Main). */
function calibrationItem(p: HostPrinter, n: number): void {
  p.click();
  p.turn(3);
  p.click(); // Calibration
  p.turn(n);
}

test("Calibration > Z offset homes, probes, and lets the knob play the paper test: a click sets and saves the offset, and a 0.2 mm first layer is 0.2 mm after a restart", async () => {
  // The probe switches 0.55 mm over the bed; the firmware believes 0.4 (board.json M851 Z-0.4).
  const scenario = { probe: { triggerMm: 0.55 } };
  const p = await HostPrinter.boot({ scenario });
  p.runFor(400);
  calibrationItem(p, 6);
  assert.equal(p.lcdRows()[3], ">Z offset           ");
  p.click(); // not homed: G28 W, then PROBE_CALIBRATE over the centre target
  p.runUntil((o) => /^Z position: /m.test(o), 120_000);
  p.runFor(300);
  let rows = p.lcdRows().map((r) => r.trimEnd());
  assert.deepEqual(rows, ["Z offset", "Z    1.000 mm", "Lower till it drags", "Click:save Hold:stop"]);
  // One detent: 0.025 mm, as the screen and the model both say.
  const gap0 = p.model.clearance();
  p.turn(-1, 1000);
  assert.equal(p.lcdRows()[1].trimEnd(), "Z    0.975 mm");
  assert.ok(Math.abs(gap0 - p.model.clearance() - 0.025) < 0.003, `${gap0} -> ${p.model.clearance()}`);
  playPaper(p, 0.1);
  const out = p.takeOutput();
  assert.match(out, /^Z position: /m);
  assert.doesNotMatch(out, /Error/);
  p.click(); // the paper drags: accept
  p.runFor(3000);
  rows = p.lcdRows().map((r) => r.trimEnd());
  assert.deepEqual(rows, ["Z offset", "Z offset set", "", "Click to continue"]);
  const accepted = p.takeOutput();
  const m = /^echo:Probe Z offset: M851 Z(-?\d+\.\d+)/m.exec(accepted);
  assert.ok(m, accepted);
  // Within a detent of the true 0.55 mm (the paper found within one 0.025 mm step).
  assert.ok(Math.abs(Number(m[1]) + 0.55) <= 0.03, m[1]);
  assert.match(accepted, /^echo:Settings stored/m);
  assert.equal(countOks(accepted), 0);
  assert.equal(readTruth(p.model).contacts, 0, "the nozzle touched the paper, never the bed");
  // After a restart from the EEPROM it saved: homing with the new offset gives a true 0.2 mm.
  const q = await HostPrinter.boot({ scenario, eeprom: p.eeprom });
  assert.doesNotMatch(q.command("G28"), /Error/);
  const gap = firstLayerGap(q, 0.2);
  assert.ok(Math.abs(gap - 0.2) <= 0.03, `first layer ${gap} mm`);
  assert.equal(readTruth(q.model).contacts, 0);
});

test("a long press during the Z offset's paper test aborts it: the nozzle rises and neither the offset nor the EEPROM changes", async () => {
  const p = await boot();
  p.command("G28 W");
  calibrationItem(p, 6);
  p.click();
  p.runUntil((o) => /^Z position: /m.test(o), 60_000);
  p.turn(-10, 1500);
  assert.equal(p.lcdRows()[1].trimEnd(), "Z    0.750 mm");
  const eeprom = Array.from(p.eeprom);
  p.longPress();
  p.runFor(2000);
  assert.match(p.takeOutput(), /^echo:Z offset calibration aborted; nothing changed/m);
  assert.equal(p.lcdRows()[3].trimEnd(), "Click to continue");
  assert.match(p.command("M503"), /M851 X23(\.0*)? Y9(\.0*)? Z-0\.40*\b/);
  assert.deepEqual(Array.from(p.eeprom), eeprom);
  assert.ok(p.model.clearance() > 1, `the nozzle rose (${p.model.clearance()} mm)`);
});

/** The mesh's nodes from M420 V (Marlin's print_2d_array): rows front first, mm. */
function meshNodes(p: HostPrinter): number[][] {
  return p.command("M420 V")
    .split("\n")
    .filter((l) => /^ \d( [+-]\d+\.\d{5})+$/.test(l))
    .map((l) => l.trim().split(/\s+/).slice(1).map(Number));
}

test("Calibration > Bed level correct edits Left side in um within Prusa's +-50, saves it with M421 on the click, and the next G80 uses it", async () => {
  const p = await boot();
  p.command("G28 W\nG80");
  const before = meshNodes(p);
  p.click(); // G80's result notice
  calibrationItem(p, 7);
  assert.equal(p.lcdRows()[3], ">Bed level correct \x7e");
  p.click();
  assert.deepEqual(p.lcdRows().map((r) => r.trimEnd()), [">Calibration", " Left side         \x7e", " Right side        \x7e", " Front side        \x7e"]);
  p.turn(1);
  p.click(); // Left side
  assert.deepEqual(p.lcdRows().map((r) => r.trimEnd()), ["Left side [um]", "", "     0 um", "Turn; click: save"]);
  p.turn(-80);
  assert.equal(p.lcdRows()[2].trimEnd(), "   -50 um", "no further than Prusa's LCD goes");
  p.runFor(1000);
  assert.doesNotMatch(p.takeOutput(), /Edge corrections saved/, "nothing saved while turning");
  p.click(); // save, back to the menu
  p.runFor(1500);
  assert.match(p.takeOutput(), /^echo:Edge corrections saved: L-50 R0 F0 B0 um$/m);
  assert.equal(p.lcdRows()[1].trimEnd(), ">Left side         \x7e");
  // Opened again, it shows the saved value; a long press leaves without saving.
  p.click();
  assert.equal(p.lcdRows()[2].trimEnd(), "   -50 um");
  p.turn(5);
  p.longPress();
  p.runFor(1000);
  assert.doesNotMatch(p.takeOutput(), /Edge corrections saved/);
  // The next G80 (without L R F B of its own) moves the left column by 0.05 mm, the right stays.
  p.command("G80");
  const after = meshNodes(p);
  assert.ok(before.length === 3 && after.length === 3, JSON.stringify(after));
  for (let r = 0; r < 3; r++) {
    assert.ok(Math.abs(Math.abs(after[r][0] - before[r][0]) - 0.05) <= 0.006, `left, row ${r}: ${before[r][0]} -> ${after[r][0]}`);
    assert.ok(Math.abs(after[r][2] - before[r][2]) <= 0.006, `right, row ${r}: ${before[r][2]} -> ${after[r][2]}`);
  }
});

test("Info > Mesh shows the live mesh point by point, rear row on top, and Calibration > Mesh correction the saved overlay", async () => {
  const p = await boot();
  p.click();
  p.turn(4);
  p.click(); // Info
  p.turn(3);
  p.click(); // Mesh
  assert.deepEqual(p.lcdRows().slice(0, 2).map((r) => r.trimEnd()), ["Mesh mm", "No mesh: run G80"]);
  p.longPress();
  calibrationItem(p, 8);
  p.click(); // Mesh correction
  assert.deepEqual(p.lcdRows().slice(0, 2).map((r) => r.trimEnd()), ["Correction mm", "No correction saved"]);
  p.longPress();
  p.command("G28 W\nG80");
  assert.match(p.command("M421 I0 J0 Z0.05"), /Correction overlay point 0 0: 0\.050/);
  const nodes = meshNodes(p);
  p.click(); // G80's result notice
  p.click();
  p.turn(4);
  p.click();
  p.turn(3);
  p.click();
  const rows = p.lcdRows();
  assert.equal(rows[0].trimEnd(), "Mesh mm       3x3");
  const shown = rows.slice(1).map((r) => r.trim().split(/\s+/).map(Number));
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(shown[2 - r][c] - nodes[r][c]) <= 0.0006, `point ${c} ${r}: ${shown[2 - r][c]} against M420 V's ${nodes[r][c]}`);
  }
  p.longPress();
  calibrationItem(p, 8);
  p.click(); // Mesh correction: the overlay alone, the front-left point raised
  assert.deepEqual(p.lcdRows().map((r) => r.trimEnd()), ["Correction mm 3x3", " 0.000  0.000  0.000", " 0.000  0.000  0.000", " 0.050  0.000  0.000"]);
});

// ---- The first-run wizard ----

/** Runs until the display's rows satisfy `done`, `stepMs` at a time; the rows then. */
function runUntilScreen(p: HostPrinter, done: (rows: string[]) => boolean, maxMs: number, stepMs = 500): string[] {
  for (let t = 0; t < maxMs; t += stepMs) {
    const rows = p.lcdRows().map((r) => r.trimEnd());
    if (done(rows)) return rows;
    p.runFor(stepMs);
  }
  assert.fail(`the screen did not come in ${maxMs} ms; it shows ${JSON.stringify(p.lcdRows())}`);
}

test("the first-run wizard on a blank EEPROM: self-check, XYZ calibration, Z offset on the knob, and a printed first layer at a true 0.2 mm; then it is not offered again", async () => {
  const p = await boot();
  p.click();
  p.turn(5);
  assert.equal(p.lcdRows()[3], ">Setup wizard       ", "offered on a blank EEPROM, last in the main menu");
  p.click();
  assert.deepEqual(p.lcdRows().map((r) => r.trimEnd()), ["Hi, I am your", "printer. Shall I", "guide you to print?", "Click:yes Hold:no"]);
  p.click(); // yes: heaters on, home (the host runner runs G28 whole within this click's time)
  assert.match(p.command("M105"), /T:[\d.]+ \/215\.0 B:[\d.]+ \/55\.0/, "PLA temperatures from the start");
  let rows = runUntilScreen(p, (r) => r[0] === "Self-check ok.", 180_000);
  assert.deepEqual(rows, ["Self-check ok.", "Next: XYZ calibr.", "(about 4 minutes)", "Click to continue"]);
  p.click(); // M45
  rows = runUntilScreen(p, (r) => r[0] === "XYZ calibration ok." || r[0] === "Wizard stopped:", 1_500_000, 2000);
  assert.deepEqual(rows, ["XYZ calibration ok.", "Next: Z offset with", "a sheet of paper", "Click to continue"]);
  assert.match(p.takeOutput(), /^echo:Settings stored/m, "M45's result saved");
  p.click(); // the paper test
  runUntilScreen(p, (r) => r[3] === "Click:save Hold:stop", 60_000);
  playPaper(p, 0.1);
  p.click();
  rows = runUntilScreen(p, (r) => r[0] === "Z offset set.", 30_000);
  assert.deepEqual(rows, ["Z offset set.", "Next: a first layer", "test; knob: adjust Z", "Click to continue"]);
  p.click(); // heat, check the fan, print
  rows = runUntilScreen(p, (r) => r[0] === "First layer test" || r[0] === "Wizard stopped:", 600_000);
  assert.deepEqual(rows.slice(0, 2), ["First layer test", "Turn: adjust Z"]);
  rows = runUntilScreen(p, (r) => r[0] === "All is done." || r[0] === "Wizard stopped:", 600_000);
  assert.deepEqual(rows, ["All is done.", "Happy printing!", "Thin lines? Lower Z", "Click to continue"]);
  const t = readTruth(p.model);
  assert.ok(t.firstLayer.samples > 100, `the pattern was laid down (${t.firstLayer.samples} samples)`);
  assert.ok(Math.abs(t.firstLayer.meanMm - 0.2) <= 0.03, `first layer ${t.firstLayer.meanMm} mm`);
  assert.equal(t.contacts, 0);
  assert.match(p.command("M105"), /T:[\d.]+ \/0\.0 B:[\d.]+ \/0\.0/, "heaters off at the end");
  p.click();
  p.click(); // main menu: no more offer
  p.turn(10);
  assert.equal(p.lcdRows()[3].trimEnd(), ">Info              \x7e");
  // After a restart, still not offered.
  const q = await HostPrinter.boot({ eeprom: p.eeprom });
  q.runFor(400);
  q.click();
  q.turn(10);
  assert.equal(q.lcdRows()[3].trimEnd(), ">Info              \x7e");
});

/** Main menu > Setup wizard > yes. */
async function startWizard(scenario = {}): Promise<HostPrinter> {
  const p = await HostPrinter.boot({ scenario });
  p.runFor(400);
  p.click();
  p.turn(5);
  p.click();
  p.click();
  return p;
}

/** The wizard from its self-check to "Z offset set.", the owner playing the paper. */
function throughZOffset(p: HostPrinter): void {
  runUntilScreen(p, (r) => r[0] === "Self-check ok.", 180_000);
  p.click();
  runUntilScreen(p, (r) => r[0] === "XYZ calibration ok.", 1_500_000, 2000);
  p.click();
  runUntilScreen(p, (r) => r[3] === "Click:save Hold:stop", 60_000);
  playPaper(p, 0.1);
  p.click();
  runUntilScreen(p, (r) => r[0] === "Z offset set.", 30_000);
}

test("the wizard's self-check names a nozzle heater that does not heat, before the firmware's heating watch halts the printer, and turns the heaters off", async () => {
  const p = await startWizard({ faults: { hotendHeaterDisconnected: 0 } });
  const rows = runUntilScreen(p, (r) => r[0] === "Wizard stopped:" || r[0] === "Self-check ok." || r[0] === "Printer halted:", 120_000);
  assert.deepEqual(rows, ["Wizard stopped:", "Nozzle: no heat", "Calibration>Wizard", "Click to continue"]);
  assert.match(p.command("M105"), /T:[\d.]+ \/0\.0 B:[\d.]+ \/0\.0/);
  p.click(); // the status screen; the main menu still offers the wizard
  p.click();
  p.turn(5);
  assert.equal(p.lcdRows()[3].trimEnd(), ">Setup wizard");
});

test("the wizard's fan check finds a print fan that blows no air: the heater's duty holding 215 C does not rise with it", async () => {
  const p = await startWizard();
  (p.model as unknown as { setFanLoss(w: number): void }).setFanLoss(0); // the fan turns no air
  throughZOffset(p);
  p.click();
  const rows = runUntilScreen(p, (r) => r[0] === "Wizard stopped:" || r[0] === "First layer test", 600_000);
  assert.deepEqual(rows.slice(0, 2), ["Wizard stopped:", "Print fan: no air"]);
  assert.equal(readTruth(p.model).firstLayer.samples, 0, "nothing printed");
});

test("a long press during the wizard's self-check cancels it: heaters off, the reason on the screen", async () => {
  const p = await startWizard();
  runUntilScreen(p, (r) => r[0] === "Self-check ok.", 180_000);
  p.longPress();
  assert.deepEqual(p.lcdRows().map((r) => r.trimEnd()).slice(0, 2), ["Wizard stopped:", "Cancelled"]);
  assert.match(p.command("M105"), /T:[\d.]+ \/0\.0 B:[\d.]+ \/0\.0/);
});

test("live adjust Z works while the wizard's pattern prints: 40 detents up raise the true gap by 0.1 mm, and the offset is kept", async () => {
  const p = await startWizard();
  throughZOffset(p);
  const offset = () => Number(/M851 X\S+ Y\S+ Z(-?\d+\.\d+)/.exec(p.command("M503"))![1]);
  const before = offset();
  p.click();
  runUntilScreen(p, (r) => r[0] === "First layer test", 600_000, 200);
  // On the meander's first line: a tenth of a millimetre up, a detent (a Z microstep) at a time.
  const shown = () => Number(/^Z offset +(-?\d+\.\d{3}) mm$/.exec(p.lcdRows()[2].trimEnd())![1]);
  const shownBefore = shown();
  assert.ok(Math.abs(shownBefore - before) <= 0.006, `${shownBefore} on the screen, M851 Z${before} (M503: 2 decimals)`);
  const t0 = readTruth(p.model).firstLayer;
  p.turn(40, 2000);
  assert.ok(Math.abs(shown() - shownBefore - 0.1) < 0.0005, `${shownBefore} -> ${shown()} on the screen`);
  const t1 = readTruth(p.model).firstLayer;
  runUntilScreen(p, (r) => r[0] === "All is done.", 600_000);
  const t2 = readTruth(p.model).firstLayer;
  const after = (t2.meanMm * t2.samples - t1.meanMm * t1.samples) / (t2.samples - t1.samples);
  assert.ok(t0.samples < 50, `the knob turned near the start (${t0.samples} samples before)`);
  assert.ok(Math.abs(after - 0.3) <= 0.03, `the rest of the pattern at ${after} mm`);
  assert.ok(Math.abs(offset() - before - 0.1) <= 0.01, `M851 Z ${before} -> ${offset()} (M503: 2 decimals)`);
  // Kept in the EEPROM: after a restart, the offset the owner ended with.
  const q = await HostPrinter.boot({ eeprom: p.eeprom });
  const saved = Number(/M851 X\S+ Y\S+ Z(-?\d+\.\d+)/.exec(q.command("M503"))![1]);
  assert.equal(saved, offset());
  assert.equal(readTruth(p.model).contacts, 0);
});

test("Info > Mesh shows a 7 x 7 mesh of the steel sheet three by three, the knob stepping through the windows (columns first), each flush with the edge at the end", async () => {
  const p = await HostPrinter.boot({ board: "minirambo-mk25", scenario: JSON.parse(fs.readFileSync("tests/scenarios/sv06-warp.json", "utf8")) });
  p.runFor(400);
  assert.doesNotMatch(p.command("G28 W"), /Error/);
  assert.match(p.command("G80 N7", 600_000), /Mesh bed leveling on: 7 x 7 points/);
  const nodes = meshNodes(p);
  p.click(); // G80's result notice
  p.click();
  p.turn(4);
  p.click(); // Info
  p.turn(3);
  p.click(); // Mesh
  // Windows start at columns (and rows) 0, 3 and 4 (the last flush with the edge): 3 x 3 of them.
  const starts = [0, 3, 4];
  for (let w = 0; w < 9; w++) {
    const c0 = starts[w % 3], r0 = starts[Math.floor(w / 3)];
    const rows = p.lcdRows();
    assert.equal(rows[0].trimEnd(), `Mesh mm       C${c0 + 1} R${r0 + 1}`);
    for (let k = 0; k < 3; k++) {
      const shown = rows[1 + k].trim().split(/\s+/).map(Number);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(shown[c] - nodes[r0 + 2 - k][c0 + c]) <= 0.0006, `window ${w}, point ${c0 + c} ${r0 + 2 - k}`);
    }
    p.turn(1);
  }
  p.turn(5);
  assert.equal(p.lcdRows()[0].trimEnd(), "Mesh mm       C5 R5", "the knob stops at the last window");
});
