// The PrusaSlicer MK2S fixture on the host HAL, one line in flight as a host prints: the quick
// check of what tests/sim/print.test.ts does on the real image with printcore.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter, countOks } from "../../hal/host/hal.ts";
import { readPrintFile } from "../fixtures/print/fixture.ts";

test("the PrusaSlicer MK2S box prints from first line to last: one ok per line, hot before extruding, the file's filament, no alarm", async (t) => {
  const file = readPrintFile();
  const p = await HostPrinter.boot();
  p.takeOutput();
  const reply = p.command(file.commands.join("\n"), 20 * 60_000);
  assert.equal(countOks(reply), file.commands.length);
  assert.doesNotMatch(reply, /^Error:/m);
  assert.doesNotMatch(reply, /Resend/);
  // Every command is known; the file's G80 leveled the bed.
  assert.deepEqual(reply.split("\n").filter((l) => l.startsWith("echo:Unknown")), []);
  assert.match(reply, /echo:Mesh bed leveling on: 3 x 3 points/);
  const m = p.model;
  assert.ok(m.firstExtrusionTimeNs() > 0);
  assert.ok(m.firstExtrusionCelsius(0) >= 214 && m.firstExtrusionCelsius(0) <= 216, `hotend at the first extrusion ${m.firstExtrusionCelsius(0)}`);
  assert.ok(m.firstExtrusionCelsius(1) >= 59 && m.firstExtrusionCelsius(1) <= 61, `bed at the first extrusion ${m.firstExtrusionCelsius(1)}`);
  const extruded = p.axisMm(3);
  assert.ok(Math.abs(extruded - file.filamentMm) <= 0.001 * file.filamentMm, `extruded ${extruded} mm, the file ${file.filamentMm} mm`);
  t.diagnostic(`${file.commands.length} lines, ${(p.nowNs / 1e9).toFixed(1)} s virtual; extruded ${extruded.toFixed(3)} of ${file.filamentMm.toFixed(3)} mm`);
});
