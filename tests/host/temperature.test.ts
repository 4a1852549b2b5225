// Thermistors and M105 on the host HAL: the model's thermistors (tools/sim/model/printer.ts) give
// the ADC its voltages, the firmware reads them back as temperatures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";

const M105 = /^ok T:(-?\d+\.\d) \/0\.0 B:(-?\d+\.\d) \/0\.0 @:0 B@:0$/m;

function temperatures(reply: string): [number, number] {
  const m = M105.exec(reply);
  assert.ok(m, `an M105 reply in Marlin's format: ${JSON.stringify(reply)}`);
  return [Number(m[1]), Number(m[2])];
}

test("M105 right after boot waits for the first readings and reports room temperature", async () => {
  const p = await HostPrinter.boot();
  const [hot, bed] = temperatures(p.command("M105"));
  // Near 22 C one ADC count is about 0.7 C.
  assert.ok(Math.abs(hot - 22) <= 1, `hotend ${hot}`);
  assert.ok(Math.abs(bed - 22) <= 1, `bed ${bed}`);
});

test("M105 reports what the thermistors measure, within an ADC count, and follows changes within a reading period", async () => {
  const p = await HostPrinter.boot({ scenario: { temperatures: { hotend: 215, bed: 60 } } });
  const [hot, bed] = temperatures(p.command("M105"));
  assert.ok(Math.abs(hot - 215) <= 1, `hotend ${hot}`);
  assert.ok(Math.abs(bed - 60) <= 0.3, `bed ${bed}`);
  p.setTemperature(0, 180);
  p.setTemperature(1, 85);
  p.runFor(300); // one 250 ms period, and its round
  const [hot2, bed2] = temperatures(p.command("M105"));
  assert.ok(Math.abs(hot2 - 180) <= 0.8, `hotend ${hot2}`);
  assert.ok(Math.abs(bed2 - 85) <= 0.3, `bed ${bed2}`);
});

test("an unplugged hotend thermistor is reported once, trips MINTEMP (heating refused) and its return is reported too", async () => {
  // -60 C: the input sits at the pull-up, as with no thermistor at all.
  const p = await HostPrinter.boot({ scenario: { temperatures: { hotend: -60 } } });
  p.runFor(1000);
  const warning = "echo:Warning: the hotend thermistor reads an open circuit: is it plugged in? (its temperature is not known)";
  assert.equal(p.output.split("\n").filter((l) => l === warning).length, 1, p.output);
  // The thermal protection takes an open sensor for MINTEMP, heating or not (Marlin's rule).
  assert.match(p.output, /^Error:MINTEMP triggered, system stopped! Heater_ID: 0$/m);
  assert.equal(p.lcdRows()[1], "Err: MINTEMP".padEnd(20), "the fault's notice");
  p.click();
  assert.deepEqual([p.lcdRows()[0], p.lcdRows()[3]], ["Hotend ERR  Bed  22C", "Err: MINTEMP".padEnd(20)]);
  assert.match(p.command("M104 S200"), /^Error:Printer stopped: heating is refused until M999; not changed$/m);
  p.setTemperature(0, 25);
  p.runFor(600);
  assert.match(p.output, /^echo:The hotend thermistor reads normally again$/m);
  assert.equal(p.lcdRows()[0], "Hotend  25C Bed  22C");
});

test("a shorted bed thermistor is reported as a short", async () => {
  const p = await HostPrinter.boot({ scenario: { temperatures: { bed: 600 } } });
  assert.match(p.command("M105"), /^echo:Warning: the bed thermistor reads a short circuit: check its wires/m);
});
