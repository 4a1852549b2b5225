// A board whose step and direction pins are spread over several ports: the module's step word
// is the board's to map (tools/build/board.ts generates the port writes), so such a board needs
// no change in assembly/. Built here from the MiniRambo with E moved to port A.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadBoard, stepperBits } from "../../tools/build/board.ts";
import { compileModule } from "../../tools/build/module.ts";
import { buildImage, FIRMWARE_ENTRY } from "../../tools/build/firmware.ts";
import { runSim } from "../../tools/sim/run.ts";

test("a board with step and direction pins on two ports moves every axis where the G-code says", { timeout: 180_000 }, async () => {
  const board = structuredClone(loadBoard("minirambo"));
  // PA2 and PA3 are free on the MiniRambo (Y_MAX and an unused header pin). PA2 shares bit 2
  // with Z's step pin PC2, so the step word cannot use pin bits and the writes must shift.
  board.steppers.e.step = "PA2";
  board.steppers.e.dir = "PA3";
  const bits = stepperBits(board);
  assert.deepEqual(bits.stepPorts.map((p) => p.port), ["C", "A"]);
  assert.deepEqual(bits.dirPorts.map((p) => p.port), ["L", "A"]);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-ports-"));
  try {
    const compiled = await compileModule(FIRMWARE_ENTRY, path.join(dir, "module"));
    const image = buildImage({ board: "minirambo", boardData: board, genDir: path.join(dir, "gen"), outDir: dir }, compiled);
    // After homing, from (110, 95, 5), relative: +6 mm X, +3 mm Y, +1 mm Z, +2 mm E in two
    // moves that turn every axis around, so each direction pin is driven both ways.
    const input = ["M104 S220", "G28", "G90", "G1 X110 Y95 Z5 F6000", "M83", "G91", "G1 X10 Y-5 Z2 E3 F1200", "G1 X-4 Y8 Z-1 E-1 F900", "M400"].join("\n") + "\n";
    const scenario = { start: { x: 3, y: -1, z: 6 }, temperatures: { hotend: 220 } };
    const r = await runSim({ hex: image.hex, boardData: board, input, paceByOk: true, scenario, timeoutSeconds: 10 });
    assert.equal(r.report.exit, "done", r.stderr);
    assert.doesNotMatch(r.stdout, /Error/);
    const a = r.report.axes;
    assert.ok(Math.abs(a.x.mm - 116) < 0.011, `X at ${a.x.mm}`);
    assert.ok(Math.abs(a.y.mm - 98) < 0.011, `Y at ${a.y.mm}`);
    assert.ok(Math.abs(a.z.mm - 6) < 0.0026, `Z at ${a.z.mm}`);
    assert.ok(Math.abs(a.e.steps - (Math.round(3 * 161.3) - Math.round(161.3))) <= 1, `E at ${a.e.steps} steps`);
    // Every axis went both ways: its total is more than its net.
    for (const k of ["x", "y", "z", "e"]) assert.ok(a[k].stepsTotal > Math.abs(a[k].steps), `${k} did not reverse`);
    // G28 with Z unknown drives Z against the top of the frame on purpose (homing.ts): from 6 mm,
    // raised by the travel + 5 mm against a top 2 mm above the 210 mm travel, 9 mm of skipped steps.
    for (const [k, v] of Object.entries(r.report.violations)) assert.equal(v.count, k === "frameCollision" ? 9 * 400 : 0, `${k} violations`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
