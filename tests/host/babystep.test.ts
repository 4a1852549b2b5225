// M290, babystepping, on the host HAL: the nozzle moves in the model by whole Z steps while the
// G-code position stays, the Z offset follows, and what cannot be done is refused with nothing
// changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostPrinter } from "../../hal/host/hal.ts";

const Z = 2;

async function homed(): Promise<HostPrinter> {
  const p = await HostPrinter.boot();
  p.runFor(400);
  p.command("G28 W");
  p.command("G1 Z5 F600");
  p.command("M400");
  return p;
}

test("M290 Z-0.1 lowers the nozzle 40 steps in the model, leaves M114's Z alone and moves the Z offset to -0.5 mm", async () => {
  const p = await homed();
  const before = p.axisSteps(Z);
  assert.match(p.command("M290 Z-0.1"), /^echo:Z offset -0\.500 mm \(M500 saves it\)$/m);
  p.runFor(200);
  assert.equal(p.axisSteps(Z) - before, -40, "40 steps of 1/400 mm down");
  assert.match(p.command("M114"), /^X:[\d.]+ Y:-?[\d.]+ Z:5\.00 /m);
  assert.match(p.command("M503"), /M851 X23\.00 Y9\.00 Z-0\.50/);
  // Up again by a part that is not whole steps: rounded to the nearest step (0.0301 mm: 12 steps).
  p.command("M290 Z0.0301");
  p.runFor(200);
  assert.equal(p.axisSteps(Z) - before, -28);
  assert.match(p.command("M290"), /^echo:Z offset -0\.470 mm/m);
});

test("M290 before Z is homed, or one that would take the Z offset above 0 mm, is refused and moves nothing", async () => {
  const p = await HostPrinter.boot();
  p.runFor(400);
  assert.match(p.command("M290 Z-0.1"), /^Error:M290: Z position unknown: home Z first \(G28\)$/m);
  p.command("G28 W");
  p.command("G1 Z5 F600");
  p.command("M400");
  const before = p.axisSteps(Z);
  assert.match(p.command("M290 Z0.5"), /^Error:M290: the Z offset would be 0\.100 mm, outside -9\.99 to 0 mm$/m);
  p.runFor(200);
  assert.equal(p.axisSteps(Z), before);
  assert.match(p.command("M290"), /^echo:Z offset -0\.400 mm/m);
});

test("babysteps while X moves ride on its segments, one per 2.5 ms, and all arrive: 100 steps during a 100 mm move", async () => {
  const p = await homed();
  const before = p.axisSteps(Z);
  p.send("G1 X14 F1200\nM290 Z0.25\n"); // 0.25 mm up: the offset goes from -0.4 to -0.15
  p.runFor(100);
  const during = p.axisSteps(Z) - before;
  assert.ok(during > 10 && during <= 40, `${during} steps 100 ms in: at most one per 2.5 ms segment`);
  p.command("M400");
  assert.equal(p.axisSteps(Z) - before, 100);
  assert.match(p.command("M114"), /^X:14\.00 Y:-?[\d.]+ Z:5\.00 /m);
});
