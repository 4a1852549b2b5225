// A bad memory access in the firmware module traps with a message (serial port and display)
// instead of corrupting memory:
// the fixture goes through the real pipeline (asc, gate, wasm2c, post-processing, avr-gcc with the
// HAL) and runs in simavr.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileModule } from "../../tools/build/module.ts";
import { buildImage } from "../../tools/build/firmware.ts";
import { run } from "../../tools/build/exec.ts";
import { ROOT } from "../../tools/build/paths.ts";
import { runSim } from "../../tools/sim/run.ts";

test("an out-of-bounds store traps with the message, halts, and leaves the next bytes alone", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-trap-"));
  const compiled = await compileModule(path.join(ROOT, "tests/fixtures/outOfBounds.ts"), path.join(dir, "module"));
  const image = buildImage({ board: "minirambo", genDir: path.join(dir, "gen"), outDir: dir }, compiled);

  // Where linear memory sits in SRAM, and the bytes right after it.
  const nm = run("avr-nm", ["-S", image.elf]);
  const m = /^([0-9a-f]+) ([0-9a-f]+) B plumb_memory$/m.exec(nm);
  assert.ok(m, `plumb_memory not found in:\n${nm}`);
  const start = parseInt(m[1], 16) - 0x800000;
  const size = parseInt(m[2], 16);
  assert.equal(size, compiled.memEnd - compiled.memBase, "linear memory is exactly what the module uses");

  // (The display needs up to 60 ms after power-on before it takes the message: the run waits.)
  const r = await runSim({ hex: image.hex, extraArgs: ["--dump-sram", `${start + size}:4`, "--settle-ms", "500"] });
  assert.match(r.stdout, /fixture: storing past the end of linear memory/);
  assert.match(r.stdout, /Error:firmware trap 1 \(memory access out of bounds\)/);
  assert.doesNotMatch(r.stdout, /the store went through/);
  assert.equal(r.report.exit, "halted");
  // The display says so too, for an owner who is not watching the serial port.
  assert.deepEqual(r.report.lcd.rows.slice(2), ["Firmware trap 1".padEnd(20), "Motors, heaters off".padEnd(20)]);
  assert.equal(r.report.lcd.early, 0, "every byte came after the controller had executed the last");
  const after = r.report.sram.bytes;
  assert.equal(after.length, 4);
  assert.notDeepEqual(after, [0xef, 0xbe, 0xad, 0xde], "the word after linear memory was overwritten");
});
