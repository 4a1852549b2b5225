// Thermistors on the real image: the harness puts the model's thermistor voltages on simavr's ADC
// inputs (channels from boards/minirambo/board.json), the firmware converts and reports them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSim, type SimOptions } from "../../tools/sim/run.ts";

const M105 = /^ok T:(-?\d+\.\d) \/0\.0 B:(-?\d+\.\d) \/0\.0 @:0 B@:0$/m;

async function m105(opts: SimOptions): Promise<{ hot: number; bed: number; stdout: string; lcd: string[] }> {
  const r = await runSim({ maxSeconds: 30, input: "M105\n", extraArgs: ["--settle-ms", "300"], ...opts });
  assert.equal(r.report.exit, "done", `harness exit ${r.report.exit}\n${r.stdout}\n${r.stderr}`);
  const m = M105.exec(r.stdout);
  assert.ok(m, `an M105 reply in Marlin's format:\n${r.stdout}`);
  return { hot: Number(m[1]), bed: Number(m[2]), stdout: r.stdout, lcd: r.report.lcd.rows };
}

test("M105 on the real image reports room temperature (22 C) within an ADC count", async () => {
  const { hot, bed, lcd } = await m105({});
  assert.ok(Math.abs(hot - 22) <= 1, `hotend ${hot}`);
  assert.ok(Math.abs(bed - 22) <= 1, `bed ${bed}`);
  assert.equal(lcd[0], "Hotend  22C Bed  22C");
});

test("M105 on the real image reports a 215 C hotend and a 60 C bed", async () => {
  const { hot, bed, lcd } = await m105({ scenario: { temperatures: { hotend: 215, bed: 60 } } });
  assert.ok(Math.abs(hot - 215) <= 1, `hotend ${hot}`);
  assert.ok(Math.abs(bed - 60) <= 0.3, `bed ${bed}`);
  assert.equal(lcd[0], "Hotend 215C Bed  60C");
});

test("an unplugged bed thermistor on the real image: a warning, MINTEMP, ERR on the display, and the hotend still read", async () => {
  // The fault's notice takes the display until a click; the status screen then shows the ERR.
  const { hot, stdout, lcd } = await m105({ scenario: { temperatures: { bed: -60 } }, input: "M105\n@click\n@wait 300\n" });
  assert.match(stdout, /^echo:Warning: the bed thermistor reads an open circuit: is it plugged in\? \(its temperature is not known\)$/m);
  assert.match(stdout, /^Error:MINTEMP triggered, system stopped! Heater_ID: bed$/m);
  assert.ok(Math.abs(hot - 22) <= 1, `hotend ${hot}`);
  assert.equal(lcd[0], "Hotend  22C Bed ERR ");
  assert.equal(lcd[3], "Err: MINTEMP BED".padEnd(20));
});
