// The display on the real image in simavr: simavr's HD44780 part on the board's LCD pins, its
// DDRAM read back as rows in the report. Every run also checks the controller never got a byte
// before it had executed the one before (no busy flag to read: RW is tied low on the board).
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runSim, type SimOptions, type SimReport } from "../../tools/sim/run.ts";

const F_CPU = 16e6;
/** Simulated time the harness keeps running after the last reply: several screen refreshes. */
const SETTLE = ["--settle-ms", "400"];
const HEADER = 10;

/** The four rows, as 20 characters each. */
function screen(...rows: string[]): string[] {
  return rows.map((r) => r.padEnd(20));
}

async function run(opts: SimOptions): Promise<{ stdout: string; report: SimReport }> {
  const r = await runSim({ maxSeconds: 60, ...opts, extraArgs: SETTLE });
  assert.equal(r.report.exit, "done", `harness exit ${r.report.exit}\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.report.lcd.early, 0, "every byte came after the controller had executed the last");
  return r;
}

/** Cycles of each display call that had work to do (markers 20/21), step interrupts excluded. */
function displayCalls(report: SimReport): number[] {
  const a = report.markers["20"];
  const b = report.markers["21"];
  assert.ok(a && b, "the display's markers were written");
  const n = Math.min(a.cycles.length, b.cycles.length);
  return Array.from({ length: n }, (_, i) => b.cycles[i] - a.cycles[i] - (b.isrCycles[i] - a.isrCycles[i]));
}

function eepromFile(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-lcd-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "eeprom.bin");
}

test("after boot the display shows the temperatures, unknown positions, the state and the machine", async () => {
  // Stopped 150 ms after reset: the controller needs 40 ms after power-on, then its initialisation
  // and one screen take about 10 ms more.
  const { report } = await runSim({ input: "", maxSeconds: 0.15, extraArgs: SETTLE });
  assert.equal(report.exit, "time limit");
  assert.deepEqual(report.lcd.rows, screen("Hotend  22C Bed  22C", "X    ? Y    ? Z    ?", "Idle          FR100%", "Prusa i3 MK2 ready"));
  // The HAL's initialisation (3 bytes in 8-bit mode, 5 instructions), then every cell once with
  // one address instruction per row.
  assert.equal(report.lcd.bytes, 8 + 4 + 80);
  assert.equal(report.lcd.early, 0);
});

test("a settings record with one flipped payload byte shows EEPROM bad on the display, as a notice until a click, and the reason on the serial port", async (t) => {
  const eeprom = eepromFile(t);
  const first = await run({ input: "M500\n", eeprom });
  assert.match(first.stdout, /^echo:Settings stored \(182 bytes, crc \d+\)$/m);
  const damaged = fs.readFileSync(eeprom);
  damaged[HEADER + 5] ^= 0x04;
  fs.writeFileSync(eeprom, damaged);

  const { stdout, report } = await run({ input: "", eeprom });
  assert.match(
    stdout,
    /^echo:EEPROM settings not used: checksum mismatch \(stored \d+, calculated \d+\): corrupted\. Using factory defaults; check them and save with M500$/m,
  );
  assert.deepEqual(report.lcd.rows, ["Attention:          ", "EEPROM bad: defaults", "                    ", "Click to continue   "]);
});

test("after G28 the position row shows the homed position, as M114 does", async () => {
  const { stdout, report } = await run({ input: "G28\nM114\n" });
  assert.match(stdout, /^X:114\.00 Y:-2\.00 Z:0\.40 E:0\.00 Count/m);
  assert.deepEqual(report.lcd.rows.slice(1, 3), screen("X114.0 Y-2.00 Z 0.40", "Idle          FR100%"));
});

test("M117 Hello shows Hello on the status row, and M220 the feedrate override", async () => {
  const { report } = await run({ input: "M117 Hello\nM220 S150\n" });
  assert.deepEqual(report.lcd.rows.slice(2), screen("Idle          FR150%", "Hello"));
});

test("while a stream of moves runs, the display follows the position and no display call takes more than 0.5 ms", async () => {
  // 200 chords of 1 mm at 100 mm/s, sent as fast as the "ok"s come back (as the motion test's
  // stream, shorter): the display redraws the position every 100 ms meanwhile.
  const payloads = ["G28", "G90", "G1 Z1 F600", "G1 X160 Y100 F6000"];
  const radius = 40;
  for (let i = 1; i <= 200; i++) payloads.push(`G1 X${(120 + radius * Math.cos(i / radius)).toFixed(3)} Y${(100 + radius * Math.sin(i / radius)).toFixed(3)}`);
  payloads.push("G1 X123.25 Y67.8 Z12.5", "M400");
  const { report } = await run({ input: payloads.join("\n") + "\n", paceByOk: true });
  assert.equal(report.serial.oks, payloads.length);
  // G28 with Z unknown presses Z against the top of the frame on purpose (motion/homing.ts): (20 + 3) mm at 400 steps/mm.
  for (const [k, v] of Object.entries(report.violations)) assert.equal(v.count, k === "frameCollision" && v.axis === 2 ? 9200 : 0, `${k} violations`);
  assert.deepEqual(report.lcd.rows.slice(1, 3), screen("X123.3 Y67.80 Z12.50", "Idle          FR100%"));
  // The position kept being redrawn: a whole screen is 92 bytes with the initialisation, and each
  // of the stream's 20 refreshes rewrites some of X and Y's digits.
  assert.ok(report.lcd.bytes > 250, `${report.lcd.bytes} bytes`);
  const calls = displayCalls(report);
  assert.ok(calls.length > 500, `${calls.length} display calls recorded`);
  const worst = Math.max(...calls);
  assert.ok(worst < 0.0005 * F_CPU, `a display call took ${((worst / F_CPU) * 1e6).toFixed(0)} us`);
});
