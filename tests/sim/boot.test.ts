// The real firmware.hex boots in simavr and introduces itself on the serial port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSim } from "../../tools/sim/run.ts";

test("the image boots and prints a banner naming the firmware, its version and the board", async () => {
  const r = await runSim({ input: "" });
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], "start");
  assert.equal(lines[1], "echo:Plumb 0.1.0 on MiniRambo 1.3a (Prusa i3 MK2)");
  assert.equal(lines[2], "echo:reset by power-on");
  assert.equal(r.exitCode, 0);
  // Booting takes far less than a second of printer time.
  assert.ok(r.report.cycles < 16_000_000, `ran ${r.report.cycles} cycles`);
  assert.ok(r.report.markers["3"], "setup() finished (marker 3)");
});
