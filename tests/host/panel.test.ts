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
